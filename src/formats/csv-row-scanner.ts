const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d

/** What {@link CsvRowScanner.scan} found at the position it was given. */
export type RowScan =
  /** A record: `fields`, `end` (just past its record delimiter) and `newlines` (inside its quoted fields) are set. */
  | 'row'
  /** An empty line, skipped as csv-parse's `skip_empty_lines` does: `end` is set, `newlines` is 0. */
  | 'empty-line'
  /** The record is not complete in the text given: call again with more. */
  | 'more'
  /** No record starts here (the text was all read). */
  | 'done'
  /**
   * Something outside the well-formed subset this scanner reads (an unclosed quote, text
   * after a closing quote, a CR or LF that is not the record delimiter, a lone-CR file):
   * the caller hands the rest of the file to csv-parse, whose rules decide it.
   */
  | 'unusual'

/**
 * Reads CSV records from decoded text, one at a time, with csv-parse's rules for the
 * options readCsv uses (`relax_quotes`, `skip_empty_lines`, record delimiter discovered
 * from the first line end: CRLF or LF), for the well-formed subset real exports are made
 * of: unquoted fields (a quote inside one is text), and quoted fields with doubled quotes
 * and any characters, each followed by the delimiter, the record delimiter or the end.
 * Anything else is `unusual`, never guessed at.
 *
 * Why not csv-parse for all of it: csv-parse walks bytes one by one through its state
 * machine, so every character had to be re-encoded to UTF-8 first and every field decoded
 * back; here a long quoted field is found with one `indexOf` and taken with one `slice`.
 */
export class CsvRowScanner {
  /** The record delimiter, once the first line end has shown it. */
  private recordDelimiter: '' | '\n' | '\r\n' = ''
  fields: string[] = []
  end = 0
  newlines = 0
  private readonly delimiter: number

  /** `delimiter`: one character, neither a quote nor CR/LF (see {@link CsvRowScanner.handles}). */
  constructor (delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0)
  }

  /** Whether the scanner can read files with this delimiter (else csv-parse reads them). */
  static handles (delimiter: string): boolean {
    return delimiter.length === 1 && delimiter !== '"' && delimiter !== '\r' && delimiter !== '\n'
  }

  /** The record delimiter as one line end counts toward line numbers: 1 for CRLF and LF. */
  get delimiterNewlines (): number {
    return this.recordDelimiter === '' ? 0 : 1
  }

  /** Scan the record starting at `start`; `final` says `text` holds the rest of the file. */
  scan (text: string, start: number, final: boolean): RowScan {
    const n = text.length
    if (start >= n) return final ? 'done' : 'more'
    const first = text.charCodeAt(start)
    if (first === CR || first === LF) {
      if (this.recordDelimiter === '') return 'unusual' // an empty line before the first record: rare, csv-parse decides
      const after = this.delimiterAt(text, start, final)
      if (after === -2) return 'more'
      if (after < 0) return 'unusual'
      this.end = after
      this.newlines = 0
      return 'empty-line'
    }
    const fields: string[] = []
    let newlines = 0
    let i = start
    for (;;) {
      if (i >= n) {
        // After a delimiter at the very end: csv-parse ends the record with an empty field.
        if (!final) return 'more'
        fields.push('')
        return this.row(fields, n, newlines)
      }
      let value: string
      if (text.charCodeAt(i) === QUOTE) {
        value = ''
        let from = i + 1
        for (;;) {
          const q = text.indexOf('"', from)
          if (q < 0) return final ? 'unusual' : 'more'
          if (q + 1 >= n && !final) return 'more' // a doubled quote may be split across chunks
          if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1)
            from = q + 2
            continue
          }
          value += text.slice(from, q)
          i = q + 1
          break
        }
        for (let k = value.indexOf('\n'); k >= 0; k = value.indexOf('\n', k + 1)) newlines++
        if (i >= n) {
          fields.push(value)
          return this.row(fields, n, newlines)
        }
      } else {
        let j = i
        const d = this.delimiter
        for (; j < n; j++) {
          const c = text.charCodeAt(j)
          if (c === d || c === LF || c === CR) break
        }
        if (j >= n) {
          if (!final) return 'more'
          fields.push(text.slice(i, j))
          return this.row(fields, n, newlines)
        }
        value = text.slice(i, j)
        i = j
      }
      // After a field: the delimiter, or the record delimiter; anything else is csv-parse's to judge.
      const c = text.charCodeAt(i)
      fields.push(value)
      if (c === this.delimiter) {
        i++
        continue
      }
      if (c !== CR && c !== LF) return 'unusual'
      const after = this.delimiterAt(text, i, final)
      if (after === -2) return 'more'
      if (after < 0) return 'unusual'
      return this.row(fields, after, newlines)
    }
  }

  private row (fields: string[], end: number, newlines: number): RowScan {
    this.fields = fields
    this.end = end
    this.newlines = newlines
    return 'row'
  }

  /**
   * The position after the record delimiter at `i` (a CR or LF), -1 when that is not the
   * record delimiter, -2 when more text is needed to tell. The first line end found sets
   * the delimiter, as csv-parse's discovery does; a lone CR there is left to csv-parse.
   */
  private delimiterAt (text: string, i: number, final: boolean): number {
    const c = text.charCodeAt(i)
    if (this.recordDelimiter === '') {
      if (c === LF) {
        this.recordDelimiter = '\n'
        return i + 1
      }
      if (i + 1 >= text.length) return final ? -1 : -2
      if (text.charCodeAt(i + 1) !== LF) return -1
      this.recordDelimiter = '\r\n'
      return i + 2
    }
    if (this.recordDelimiter === '\n') return c === LF ? i + 1 : -1
    if (c !== CR) return -1
    if (i + 1 >= text.length) return final ? -1 : -2
    return text.charCodeAt(i + 1) === LF ? i + 2 : -1
  }
}
