import type { FormatReader, ReadItem } from './read-item.js'
import { recordMaker } from './safe-record.js'
import { CsvRowScanner } from './csv-row-scanner.js'
import { checkedHeader, fieldCountMessage, readCsvWithCsvParse } from './csv-parse-reader.js'

/**
 * A record still incomplete after this many characters goes to csv-parse with the rest of
 * the file: the scanner reads a record again from its start with each new chunk, which is
 * nothing for rows of a few kB but would grow with the square of a multi-megabyte field.
 */
const LONG_RECORD_CHARS = 1 << 20

/**
 * CSV with a header row: byte-order mark, quoted fields with newlines and doubled quotes.
 * A row with more or fewer fields than the header is an error item naming its line; the
 * rows around it are read normally. Quotes inside unquoted fields are kept as text.
 * Memory: one chunk plus the record being read.
 *
 * Well-formed rows are read here, on the decoded text (CsvRowScanner); from the first row
 * that is not (an unclosed quote, text after a closing quote, a stray CR…, or a record of
 * more than LONG_RECORD_CHARS) the rest of the file goes to csv-parse (csv-parse-reader.ts),
 * so every unusual case keeps csv-parse's reading and messages, and a well-formed file never
 * pays for its byte-by-byte pass.
 */
export const readCsv: FormatReader = async function * (text, options): AsyncGenerator<ReadItem> {
  const delimiter = options.csvDelimiter ?? ','
  if (!CsvRowScanner.handles(delimiter)) {
    yield * readCsvWithCsvParse(text, options)
    return
  }
  const scanner = new CsvRowScanner(delimiter)
  const chunks = text[Symbol.asyncIterator]()
  let handedOver = false
  let buffer = ''
  let pos = 0 // where the next record starts in `buffer`
  let line = 1 // the file's line at `pos`
  let bom = false
  let header: { names: string[]; text: string; make: (values: readonly string[]) => Record<string, unknown> } | undefined
  let final = false
  try {
    while (!final) {
      const next = await chunks.next()
      if (next.done === true) {
        final = true
      } else {
        // Only the unread tail is kept: a record split across chunks, never the whole file.
        buffer = buffer.slice(pos) + next.value
        pos = 0
        if (!bom && header === undefined && buffer.charCodeAt(0) === 0xfeff) {
          bom = true // csv-parse's `bom: true`: one byte-order mark at the very start is dropped
          buffer = buffer.slice(1)
        }
      }
      for (;;) {
        const found = scanner.scan(buffer, pos, final)
        if (found === 'done' || (found === 'more' && buffer.length - pos <= LONG_RECORD_CHARS)) break
        if (found !== 'row' && found !== 'empty-line') {
          handedOver = true
          // csv-parse reads on from this row, after the header row (so it counts fields as here).
          const from = header === undefined ? { text: bom ? '\ufeff' : '', line: 1 } : { text: header.text, line: 1 + newlinesIn(header.text) }
          const lineOf = (at: number): number => at - from.line + line
          yield * readCsvWithCsvParse(rest(from.text + buffer.slice(pos), chunks), options, lineOf)
          return
        }
        const start = line
        line += scanner.newlines + scanner.delimiterNewlines
        const end = scanner.end
        if (found === 'empty-line') {
          pos = end
          continue
        }
        const fields = scanner.fields
        if (header === undefined) {
          const names = checkedHeader(fields, options.file, start)
          header = { names, text: buffer.slice(pos, end), make: recordMaker(names) }
        } else if (fields.length !== header.names.length) {
          yield { error: { line: start, message: fieldCountMessage(header.names.length, fields.length) } }
        } else {
          yield { record: header.make(fields), line: start }
        }
        pos = end
      }
    }
  } finally {
    // Handed over, csv-parse's feeder may still be awaiting a chunk: readRecords ends the input then.
    if (!handedOver) await chunks.return?.(undefined)
  }
}

/** `first`, then the chunks not yet read. */
async function * rest (first: string, chunks: AsyncIterator<string>): AsyncGenerator<string> {
  if (first !== '') yield first
  for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value
}

function newlinesIn (text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return n
}

