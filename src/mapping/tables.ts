/**
 * Code tables (`tables:` in a mapping file): source code → canonical value, with an
 * explicit rule for a code the table does not know. Codes are text exactly as written in the
 * file (an unquoted `01` stays "01") and are matched against the trimmed source text.
 */
import { Failure, type Convert } from './transforms/convert.js'

/** What a table does with a code it does not know. */
export type UnknownCodeRule = 'reject' | 'pass' | 'default'

/** The rules for unknown codes, as a mapping file names them. */
export const UNKNOWN_CODE_RULES: readonly UnknownCodeRule[] = ['reject', 'pass', 'default']

export type TableValue = string | number | boolean

/** A table as compiled: built once, looked up per record through {@link tableConverter}. */
export interface CodeTable {
  readonly name: string
  readonly codes: ReadonlyMap<string, TableValue>
  readonly unknown: UnknownCodeRule
  /** The value for unknown codes when `unknown` is 'default'. */
  readonly fallback: TableValue | undefined
}

export function codeTable (name: string, codes: Iterable<readonly [string, TableValue]>, unknown: UnknownCodeRule, fallback?: TableValue): CodeTable {
  return Object.freeze({ name, codes: new Map(codes), unknown, fallback })
}

const LISTED_CODES = 20

/** Lookup in `table`: reject → a {@link Failure} naming the known codes; pass → the source text; default → the table's default. */
export function tableConverter (table: CodeTable): Convert {
  const { codes } = table
  const known = [...codes.keys()]
  const listed = known.slice(0, LISTED_CODES).join(', ') + (known.length > LISTED_CODES ? ', …' : '')
  const failure = new Failure('table:' + table.name, `not a code of table ${table.name} (known codes: ${listed})`)
  switch (table.unknown) {
    case 'reject': return (text: string) => {
      const key = text.trim()
      const value = codes.get(key)
      return value === undefined ? failure : value
    }
    case 'pass': return (text: string) => {
      const key = text.trim()
      const value = codes.get(key)
      return value === undefined ? key : value
    }
    case 'default': {
      const fallback = table.fallback
      return (text: string) => codes.get(text.trim()) ?? fallback
    }
  }
}
