/**
 * Conditions (`when:` on a rule, entries of `skip:`): one test on one source field of the
 * current record or list element. Values are compared as trimmed text, so `equals: 1` and
 * `equals: "1"` mean the same, and a source value " 1" matches both.
 */
import { compileReader } from './source-path.js'

export type Test = (record: Record<string, unknown>) => boolean

/** A condition as the compiler hands it over: values already as written in the file. */
export type ConditionSpec =
  | { field: string; op: 'equals'; value: string }
  | { field: string; op: 'in'; values: readonly string[] }
  | { field: string; op: 'present'; present: boolean }

/** The operators a condition may use; exactly one per condition. */
export const CONDITION_OPERATORS = ['equals', 'in', 'present'] as const

/** The source value as trimmed text, or `undefined` when absent (missing, null, empty) or not a single value. */
function textOf (value: unknown): string | undefined {
  if (typeof value === 'string') {
    const t = value.trim()
    return t === '' ? undefined : t
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return undefined
}

export function compileCondition (spec: ConditionSpec): Test {
  const read = compileReader(spec.field)
  switch (spec.op) {
    case 'equals': {
      const expected = spec.value
      return record => textOf(read(record)) === expected
    }
    case 'in': {
      const allowed = new Set(spec.values)
      return record => {
        const t = textOf(read(record))
        return t !== undefined && allowed.has(t)
      }
    }
    case 'present': {
      const wanted = spec.present
      return record => {
        const v = read(record)
        const present = Array.isArray(v) ? v.length > 0 : (typeof v === 'object' && v !== null) || textOf(v) !== undefined
        return present === wanted
      }
    }
  }
}
