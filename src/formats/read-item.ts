import type { FileFormat } from './input-options.js'

/**
 * One result of reading a file: a record with the line it starts on, or a row that could
 * not be read, naming its line and what was expected. Reading goes on after an error item.
 */
export type ReadItem =
  | { readonly record: Record<string, unknown>; readonly line: number }
  | { readonly error: { readonly line: number; readonly message: string } }

/** Reads decoded text of one format into items. `file` names the file in messages. */
export type FormatReader = (text: AsyncIterable<string>, options: ReaderOptions) => AsyncIterable<ReadItem>

export interface ReaderOptions {
  /** Names the file in error messages ("cases.csv"), or "input" when unknown. */
  readonly file: string
  readonly xmlRecordPath?: string
  readonly csvDelimiter?: string
}

const EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  csv: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  xml: 'xml',
}

/** The format a file name's extension says (case-insensitive), or undefined when it says none we read. */
export function formatFromFileName (name: string): FileFormat | undefined {
  const dot = name.lastIndexOf('.')
  if (dot < 0) return undefined
  return EXTENSIONS[name.slice(dot + 1).toLowerCase()]
}
