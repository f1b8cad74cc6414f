/**
 * Conditions (`when:` on a rule, entries of `skip:`): tests on source fields of the current
 * record or list element, combined with all / any / not. Values are compared as trimmed
 * text, so `equals: 1` and `equals: "1"` mean the same, and a source value " 1" matches both.
 */
import { compileReader } from './source-path.js'

export type Test = (record: Record<string, unknown>) => boolean

/** The operators that test one field; exactly one per condition, beside `field`. */
export const FIELD_OPERATORS = ['equals', 'notEquals', 'in', 'notIn', 'present', 'contains', 'startsWith'] as const
/** The operators that combine conditions; exactly one per condition, without `field`. */
export const COMBINATORS = ['all', 'any', 'not'] as const

/** A condition as the compiler hands it over: values already as written in the file. */
export type ConditionSpec =
  | { op: 'equals' | 'notEquals' | 'contains' | 'startsWith'; field: string; value: string }
  | { op: 'in' | 'notIn'; field: string; values: readonly string[] }
  | { op: 'present'; field: string; present: boolean }
  | { op: 'all' | 'any'; conditions: readonly ConditionSpec[] }
  | { op: 'not'; condition: ConditionSpec }

/** The source value as trimmed text, or `undefined` when absent (missing, null, empty) or not a single value. */
export function textOf (value: unknown): string | undefined {
  if (typeof value === 'string') {
    const t = value.trim()
    return t === '' ? undefined : t
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString()
  return undefined
}

/** Whether a source value counts as present: a non-empty list, an object, or non-blank text. */
export function isPresent (value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  return (typeof value === 'object' && value !== null) || textOf(value) !== undefined
}

/**
 * Absent values never equal, contain or start with anything, so `notEquals` and `notIn`
 * hold for them: "status is not 00" is true of a record without a status.
 */
export function compileCondition (spec: ConditionSpec): Test {
  switch (spec.op) {
    case 'all': {
      const parts = spec.conditions.map(compileCondition)
      return record => parts.every(test => test(record))
    }
    case 'any': {
      const parts = spec.conditions.map(compileCondition)
      return record => parts.some(test => test(record))
    }
    case 'not': {
      const inner = compileCondition(spec.condition)
      return record => !inner(record)
    }
    case 'present': {
      const read = compileReader(spec.field)
      const wanted = spec.present
      return record => isPresent(read(record)) === wanted
    }
    case 'equals': case 'notEquals': {
      const read = compileReader(spec.field)
      const expected = spec.value
      const negate = spec.op === 'notEquals'
      return record => (textOf(read(record)) === expected) !== negate
    }
    case 'in': case 'notIn': {
      const read = compileReader(spec.field)
      const allowed = new Set(spec.values)
      const negate = spec.op === 'notIn'
      return record => {
        const t = textOf(read(record))
        return (t !== undefined && allowed.has(t)) !== negate
      }
    }
    case 'contains': {
      const read = compileReader(spec.field)
      const part = spec.value
      return record => textOf(read(record))?.includes(part) === true
    }
    case 'startsWith': {
      const read = compileReader(spec.field)
      const prefix = spec.value
      return record => textOf(read(record))?.startsWith(prefix) === true
    }
  }
}
