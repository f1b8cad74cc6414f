import { UnreadableFileError } from '../errors.js'
import type { FormatReader, ReadItem } from './read-item.js'
import { isPlainRecord } from './safe-record.js'

/** A record larger than this is an error item (its text is not kept), and the records after it are read. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])

/**
 * JSON: a top-level array of records, or an object holding one array of records (other
 * keys, such as a total, are ignored). Read as a stream: a small scanner finds where each
 * element of the records array starts and ends (tracking nesting and strings), and each
 * element alone goes to JSON.parse — so memory stays at one record, every record knows its
 * line, and one malformed record is an error item while the others are read. A file whose
 * structure breaks (unbalanced brackets, a second array) cannot be read at all.
 */
export const readJsonArray: FormatReader = async function * (text, options): AsyncGenerator<ReadItem> {
  const file = options.file
  const fail = (line: number, expected: string): never => { throw new UnreadableFileError(`${file}: line ${line}: ${expected}`, file, line) }
  let line = 1
  let depth = 0 // open brackets/braces, outside strings
  let inString = false
  let escaped = false
  let top: '[' | '{' | undefined
  let arrayDepth = -1 // depth inside the records array; its elements start at this depth
  let arraysSeen = 0
  let element: { startLine: number; text: string; scalar: boolean; oversized: boolean } | undefined
  let closed = false

  for await (const chunk of text) {
    let from = 0 // where the current element's text starts in this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string
      if (c === '\n') line++
      if (closed) {
        if (!WHITESPACE.has(c)) fail(line, 'expected nothing after the end of the JSON document')
        continue
      }
      if (inString) {
        if (escaped) escaped = false
        else if (c === '\\') escaped = true
        else if (c === '"') inString = false
        continue
      }
      if (element === undefined && depth === arrayDepth && !WHITESPACE.has(c) && c !== ',' && c !== ']') {
        element = { startLine: line, text: '', scalar: c !== '{' && c !== '[', oversized: false }
        from = i
      }
      if (element?.scalar === true && depth === arrayDepth && (c === ',' || c === ']')) {
        element.text += chunk.slice(from, i)
        yield element.oversized ? tooLarge(element.startLine) : itemOf(element.text, element.startLine)
        element = undefined
      }
      if (c === '"') { inString = true; continue }
      if (c === '{' || c === '[') {
        if (depth === 0) {
          if (top !== undefined) fail(line, 'expected one JSON document')
          top = c
          if (c === '[') { arrayDepth = 1; arraysSeen = 1 }
        } else if (depth === 1 && top === '{' && c === '[') {
          if (++arraysSeen > 1) fail(line, 'expected an object holding ONE array of records, found a second array')
          arrayDepth = 2
        }
        depth++
      } else if (c === '}' || c === ']') {
        depth--
        if (depth < 0) fail(line, `expected a value, found an unmatched "${c}"`)
        if (element !== undefined && !element.scalar && depth === arrayDepth) {
          element.text += chunk.slice(from, i + 1)
          yield element.oversized ? tooLarge(element.startLine) : itemOf(element.text, element.startLine)
          element = undefined
        }
        if (depth === arrayDepth - 1 && depth > 0) arrayDepth = -1 // the records array closed
        if (depth === 0) closed = true
      } else if (depth === 0 && !WHITESPACE.has(c)) {
        fail(line, 'expected a JSON array of records, or an object holding one')
      }
    }
    if (element !== undefined) {
      element.text += chunk.slice(from)
      // Past the limit the text is dropped; the scanner still follows the brackets to the record's end.
      if (element.text.length > MAX_RECORD_CHARS) { element.oversized = true; element.text = '' }
    }
  }
  if (top === undefined) return // an empty file: no records
  if (!closed) fail(element?.startLine ?? line, `expected the JSON to continue; the file ends inside ${element === undefined ? 'the document' : 'the record starting on this line'}`)
  if (arraysSeen === 0) fail(1, 'expected a JSON array of records, or an object holding one array of records; found an object without an array')
}

function tooLarge (line: number): ReadItem {
  return { error: { line, message: `expected records of at most ${MAX_RECORD_CHARS} characters; the record starting on this line is larger` } }
}

function itemOf (text: string, line: number): ReadItem {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { error: { line, message: `expected a JSON object for this record (${(err as Error).message})` } }
  }
  if (!isPlainRecord(value)) return { error: { line, message: `expected a JSON object for this record, found ${Array.isArray(value) ? 'an array' : JSON.stringify(value).slice(0, 40)}` } }
  return { record: value, line }
}
