/** File formats an agency export can come in. */
export type FileFormat = 'csv' | 'json' | 'ndjson' | 'xml'
/** Text encodings legacy agency systems write (UTF-8 with or without BOM, GBK, GB18030). */
export type TextEncoding = 'utf-8' | 'gbk' | 'gb18030'

/**
 * How an agency's raw data is read: declared once, in the agency's mapping file (`input:`),
 * and used both by file-based sources and by `casebridge mapping test`.
 */
export interface InputOptions {
  readonly encoding: TextEncoding
  /** Unset: taken from the file name's extension. */
  readonly format?: FileFormat
  /** XML: dotted path of the repeating record element, e.g. "案件列表.案件". */
  readonly xmlRecordPath?: string
  /** CSV: field delimiter. @defaultValue "," */
  readonly csvDelimiter?: string
}

export const DEFAULT_INPUT: InputOptions = Object.freeze({ encoding: 'utf-8' })
