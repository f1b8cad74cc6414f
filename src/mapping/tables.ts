/**
 * Code tables (`tables:` in a mapping file, or shared files under mappings/tables/): source
 * code → canonical value, with an explicit rule for a code the table does not know. Codes
 * are text exactly as written in the file (an unquoted `01` stays "01") and are matched
 * against the trimmed source text.
 */
import type { UnknownCodeRule } from '../generated/mapping.js'
import { Failure, type Convert } from './transforms/convert.js'

export type { UnknownCodeRule }

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
  /** `file:line:col` where the codes are written (the mapping file, or the shared table file). */
  readonly definedAt: string
  /** `file:line:col` of each code's value, for messages about a value. */
  readonly valueAt: ReadonlyMap<string, string>
}

export interface CodeTableParts {
  readonly name: string
  readonly codes: Iterable<readonly [code: string, value: TableValue, valueAt: string]>
  readonly unknown: UnknownCodeRule
  readonly fallback?: TableValue | undefined
  readonly definedAt: string
}

export function codeTable (parts: CodeTableParts): CodeTable {
  const codes = new Map<string, TableValue>()
  const valueAt = new Map<string, string>()
  for (const [code, value, at] of parts.codes) {
    codes.set(code, value)
    valueAt.set(code, at)
  }
  return Object.freeze({ name: parts.name, codes, unknown: parts.unknown, fallback: parts.fallback, definedAt: parts.definedAt, valueAt })
}

const LISTED_CODES = 20

/** The known codes, for messages: the first {@link LISTED_CODES}, then "…". */
export function listedCodes (table: CodeTable): string {
  const known = [...table.codes.keys()]
  return known.slice(0, LISTED_CODES).join(', ') + (known.length > LISTED_CODES ? ', …' : '')
}

/** Lookup in `table`: reject → a {@link Failure} naming the known codes; pass → the source text; default → the table's default. */
export function tableConverter (table: CodeTable): Convert {
  const { codes } = table
  const failure = new Failure('table:' + table.name, `not a code of table ${table.name} (known codes: ${listedCodes(table)}); add the code at ${table.definedAt} or correct the source`)
  switch (table.unknown) {
    case 'reject': return (text: string) => {
      const value = codes.get(text.trim())
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
