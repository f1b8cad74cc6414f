import { once } from 'node:events'
import { parse, type CsvError } from 'csv-parse'
import { InternalError, UnreadableFileError } from '../errors.js'
import type { ReadItem, ReaderOptions } from './read-item.js'
import { recordFromRow } from './safe-record.js'
import { LineTracker } from './line-tracker.js'

/**
 * CSV with a header row read by csv-parse: byte-order mark, quoted fields with newlines and
 * doubled quotes. A row with more or fewer fields than the header is an error item naming
 * its line; the rows around it are read normally. Quotes inside unquoted fields are kept
 * as text (`relax_quotes`): refusing them would make csv-parse lose its place and drop the
 * rows after. Memory: one chunk plus the record being read.
 *
 * readCsv (csv.ts) reads well-formed rows itself and hands a file to this reader from the
 * first row it does not read, with the header row put back in front so that csv-parse
 * counts fields against it; `lineOf` turns the line numbers of that text into the file's.
 */
export async function * readCsvWithCsvParse (text: AsyncIterable<string>, options: ReaderOptions, lineOf: (line: number) => number = line => line): AsyncGenerator<ReadItem> {
  const skipped: ReadItem[] = []
  let columns: number | undefined
  // The start line of each record csv-parse has accepted, in order: on_record runs as a
  // record is accepted, and every record it returns is then emitted, so the loop below
  // takes them in the same order.
  const recordLines: number[] = []
  const parser = parse({
    delimiter: options.csvDelimiter ?? ',',
    bom: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // Both callbacks run while csv-parse reads a chunk, before its records reach the loop below.
    on_record: (record: string[], info) => {
      columns ??= record.length
      recordLines.push(startLine(info.bytes, record))
      return record
    },
    on_skip: (err: CsvError | undefined) => {
      if (err === undefined) return
      const { bytes, record } = err as CsvError & { bytes?: number; record?: unknown }
      const line = typeof bytes === 'number' ? startLine(bytes, Array.isArray(record) ? record as string[] : []) : 0
      skipped.push({ error: { line: line === 0 ? 0 : lineOf(line), message: describe(err, columns) } })
    },
  })
  let header: string[] | undefined
  // A record ends at byte `bytes` (its delimiter included); it starts as many lines earlier
  // as its quoted fields hold newlines.
  const lines = new LineTracker()
  const startLine = (bytes: number, fields: readonly string[]): number => lines.lineAt(Math.max(0, bytes - 1)) - newlinesIn(fields)
  const stop = new AbortController()
  const feeding = (async () => {
    try {
      for await (const piece of text) {
        const chunk = Buffer.from(piece, 'utf8') // csv-parse counts bytes; the tracker must see the same bytes
        lines.push(chunk)
        if (!parser.write(chunk)) await once(parser, 'drain', { signal: stop.signal })
      }
      parser.end()
    } catch (err) {
      parser.destroy(err as Error)
    }
  })()
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = recordLines.shift()
      if (line === undefined) throw new InternalError('csv: csv-parse emitted a record its on_record did not see')
      if (header === undefined) {
        header = checkedHeader(record, options.file, line)
        continue
      }
      // Errors are reported as the parser meets them, possibly ahead of records still buffered: keep line order.
      while (skipped.length > 0 && errorLine(skipped[0]) < lineOf(line)) yield skipped.shift() as ReadItem
      yield { record: recordFromRow(header, record), line: lineOf(line) }
    }
    while (skipped.length > 0) yield skipped.shift() as ReadItem
    await feeding
  } finally {
    stop.abort()
    parser.destroy()
  }
}

export function checkedHeader (names: string[], file: string, line: number): string[] {
  const header = names.map(n => n.trim())
  const seen = new Set<string>()
  header.forEach((name, i) => {
    if (name === '') throw new UnreadableFileError(`${file}: line ${line}: expected a name for column ${i + 1} in the header row, found an empty cell`, file, line)
    if (seen.has(name)) throw new UnreadableFileError(`${file}: line ${line}: expected distinct column names in the header row, found "${name}" twice`, file, line)
    seen.add(name)
  })
  return header
}

function errorLine (item: ReadItem | undefined): number {
  return item !== undefined && 'error' in item ? item.error.line : 0
}

function newlinesIn (fields: readonly string[]): number {
  let n = 0
  for (const field of fields) {
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) n++
  }
  return n
}

function describe (err: CsvError, columns: number | undefined): string {
  const record = (err as CsvError & { record?: unknown }).record
  switch (err.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return fieldCountMessage(columns, Array.isArray(record) ? record.length : undefined)
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'expected a closing quote for a quoted field; the file ends inside it'
    default:
      return `expected a well-formed CSV row (${err.code}: ${err.message})`
  }
}

/** The message of a row whose field count differs from the header's. */
export function fieldCountMessage (columns: number | undefined, found: number | undefined): string {
  return `expected ${columns ?? 'as many'} fields as the header row has, found ${found ?? 'a different number'}`
}
