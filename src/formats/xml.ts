import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { UnreadableFileError, XmlStructureError } from '../errors.js'
import type { FormatReader, ReadItem } from './read-item.js'
import { isPlainRecord, plainCopy } from './safe-record.js'
import { XmlRecordSplitter, type SplitItem } from './xml-splitter.js'
import { plainRecordValue } from './xml-plain-record.js'

export { MAX_XML_RECORD_CHARS, MAX_XML_RECORD_DEPTH } from './xml-splitter.js'

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No callback of ours reads the element path: with `jPath: true` (the default) the parser
  // would build its text for every element anyway (a tenth of the parse time).
  jPath: false,
} as const

/**
 * XML, streamed record by record: `XmlRecordSplitter` cuts each record element out of the
 * text (memory: one record, whatever the file's size), and fast-xml-parser reads that
 * element alone. The records are the elements at `xmlRecordPath` ("root.list.item", from
 * the mapping's `input:`); without it, the child elements of the root. Entities are NOT
 * expanded (neither DOCTYPE-declared nor predefined ones), so an entity bomb is inert
 * text; the DOCTYPE itself is skipped unread; values stay text (no number guessing: "007"
 * stays "007"); attributes become keys prefixed with "@"; an element with attributes and
 * text keeps its text as "#text".
 *
 * A record that is malformed, too large or too deeply nested is an error item naming its
 * line, and the records after it are read; broken structure around the records (tags that
 * do not match, text outside the root, the file ending inside an element) makes the file
 * unreadable — records before that point have been read.
 */
export const readXml: FormatReader = async function * (text, options): AsyncGenerator<ReadItem> {
  const file = options.file
  const path = options.xmlRecordPath === undefined || options.xmlRecordPath === '' ? undefined : options.xmlRecordPath.split('.')
  const splitter = new XmlRecordSplitter(path)
  const parser = new XMLParser(PARSER_OPTIONS)
  try {
    for await (const chunk of text) {
      for (const piece of splitter.push(chunk)) yield recordOf(piece, parser)
    }
    for (const piece of splitter.end()) yield recordOf(piece, parser)
  } catch (err) {
    if (err instanceof XmlStructureError) throw new UnreadableFileError(`${file}: line ${err.line}: expected well-formed XML (${err.message})`, file, err.line, { cause: err })
    throw err
  }
}

function recordOf (piece: SplitItem, parser: XMLParser): ReadItem {
  if ('error' in piece) return piece
  const { xml, name, line } = piece
  // Most records are plain elements: read in one pass, the same objects as below (xml-plain-record.ts).
  const plain = plainRecordValue(xml)
  if (plain === undefined) return parsedRecord(xml, name, line, parser)
  if (typeof plain === 'object') return { record: plain, line }
  if (plain === '') return { record: {}, line }
  return { error: { line, message: onlyText(name) } }
}

/** A record element read by fast-xml-parser (validated first, for messages naming the line). */
export function parsedRecord (xml: string, name: string, line: number, parser: XMLParser = new XMLParser(PARSER_OPTIONS)): ReadItem {
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: true })
  if (valid !== true) return { error: { line: line + valid.err.line - 1, message: `expected a well-formed <${name}> record (${valid.err.msg})` } }
  let parsed: unknown
  try {
    parsed = parser.parse(xml)
  } catch (err) {
    // fast-xml-parser refuses element names such as __proto__ or constructor: that record only.
    return { error: { line, message: `expected a readable <${name}> record (${(err as Error).message})` } }
  }
  const node = isPlainRecord(parsed) ? parsed[name] : undefined
  if (isPlainRecord(node)) return { record: plainCopy(node) as Record<string, unknown>, line }
  if (node === '' || node === undefined) return { record: {}, line }
  return { error: { line, message: onlyText(name) } }
}

function onlyText (name: string): string {
  return `expected <${name}> to hold child elements, found only text`
}
