import type { FormatReader, ReadItem } from './read-item.js'
import { isPlainRecord } from './safe-record.js'

/** A line longer than this is an error item, not a reason to hold the whole file in memory. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024

/**
 * NDJSON / JSON Lines: one JSON object per line; blank lines are ignored. A line that is not
 * a JSON object is an error item naming its line. JSON.parse defines `__proto__` as an own
 * data property, so keys cannot reach a prototype. Memory: one chunk plus one line.
 */
export const readNdjson: FormatReader = async function * (text): AsyncGenerator<ReadItem> {
  let line = 0
  let partial = ''
  let oversized = false
  for await (const chunk of text) {
    let start = 0
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      line++
      const piece = partial + chunk.slice(start, nl)
      partial = ''
      start = nl + 1
      if (oversized) { oversized = false; yield tooLong(line); continue }
      const item = itemOf(piece, line)
      if (item !== undefined) yield item
    }
    if (!oversized) {
      partial += chunk.slice(start)
      if (partial.length > MAX_LINE_CHARS) { oversized = true; partial = '' }
    }
  }
  line++
  if (oversized) yield tooLong(line)
  else {
    const item = itemOf(partial, line)
    if (item !== undefined) yield item
  }
}

function tooLong (line: number): ReadItem {
  return { error: { line, message: `expected one JSON object per line, found a line longer than ${MAX_LINE_CHARS} characters` } }
}

function itemOf (raw: string, line: number): ReadItem | undefined {
  const text = raw.trim()
  if (text === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { error: { line, message: `expected a JSON object on this line (${(err as Error).message})` } }
  }
  if (!isPlainRecord(value)) return { error: { line, message: `expected a JSON object on this line, found ${Array.isArray(value) ? 'an array' : typeof value}` } }
  return { record: value, line }
}
