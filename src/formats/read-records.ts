import type { Readable } from 'node:stream'
import { UnreadableFileError } from '../errors.js'
import type { FileFormat, InputOptions } from './input-options.js'
import { formatFromFileName, type FormatReader, type ReadItem } from './read-item.js'
import { decodedText } from './decode.js'
import { readCsv } from './csv.js'
import { readJsonArray } from './json-array.js'
import { readNdjson } from './ndjson.js'
import { readXml } from './xml.js'

export { formatFromFileName, type ReadItem } from './read-item.js'

const READERS: Readonly<Record<FileFormat, FormatReader>> = {
  csv: readCsv,
  json: readJsonArray,
  ndjson: readNdjson,
  xml: readXml,
}

/**
 * The one place that turns an agency file's bytes into records — used by the file sources
 * and by `casebridge mapping test`.
 *
 * Yields a `{ record, line }` per record and a `{ error: { line, message } }` per row that
 * cannot be read (the message says what was expected); reading goes on after a bad row.
 * Throws `UnreadableFileError` when the file cannot be read as records at all (unknown
 * format, broken structure). Records are plain objects whose keys are data: a column named
 * `__proto__` is an own property, never a prototype.
 *
 * Memory: every format is streamed (one chunk plus one record, whatever the file size).
 * Stopping the iteration early releases `input`.
 */
export async function * readRecords (input: Readable | Uint8Array, options: InputOptions & { fileName?: string }): AsyncIterable<ReadItem> {
  const file = options.fileName ?? 'input'
  const format = options.format ?? (options.fileName === undefined ? undefined : formatFromFileName(options.fileName))
  if (format === undefined) {
    if (!(input instanceof Uint8Array)) input.destroy()
    throw new UnreadableFileError(`${file}: cannot tell the file format; expected a name ending in .csv, .json, .ndjson, .jsonl or .xml, or input.format set in the mapping`, file, undefined)
  }
  const reader = READERS[format]
  const release = new AbortController()
  try {
    yield * reader(decodedText(input, options.encoding, release.signal), {
      file,
      ...(options.xmlRecordPath === undefined ? {} : { xmlRecordPath: options.xmlRecordPath }),
      ...(options.csvDelimiter === undefined ? {} : { csvDelimiter: options.csvDelimiter }),
    })
  } finally {
    release.abort()
  }
}
