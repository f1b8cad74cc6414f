/**
 * Building {@link MappingProblem}s: the value an administrator sees is masked when it may be
 * personal data (names and ID numbers of parties), and shortened when it is long.
 */
import type { MappingProblem } from './types.js'

/** Canonical properties of a party that are personal data whatever the mapping says. */
const PERSONAL_PARTY_PROPERTIES: ReadonlySet<string> = new Set(['name', 'idNumber', 'legalRepresentative'])
const PARTY_PROPERTY = /^\/parties(?:\/[^/]+)*\/([^/]+)$/

/** Whether values mapped to `pointer` (relative to the case root) are personal data by nature. */
export function isPersonalPointer (pointer: string): boolean {
  const m = PARTY_PROPERTY.exec(pointer)
  return m !== null && PERSONAL_PARTY_PROPERTIES.has(m[1]!)
}

/**
 * A personal value fit for a report: first 3 and last 2 characters kept, the others '*',
 * same length. Values of 5 characters or fewer (most Chinese names) are masked entirely, since
 * keeping 5 would keep all of them. Counts characters, not UTF-16 units.
 */
export function maskPersonal (value: string): string {
  const chars = Array.from(value)
  if (chars.length <= 5) return '*'.repeat(chars.length)
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 5) + chars.slice(-2).join('')
}

const MAX_SHOWN = 120

/** The value as shown in a problem: masked if personal, cut short if long. */
export function shownValue (value: string, personal: boolean): string {
  if (personal) return maskPersonal(value)
  const chars = Array.from(value)
  return chars.length <= MAX_SHOWN ? value : chars.slice(0, MAX_SHOWN).join('') + '…'
}

export function problem (
  canonicalField: string, sourceField: string | undefined, rule: string, message: string,
  value?: string, personal = false,
): MappingProblem {
  const p: MappingProblem = { canonicalField, rule, message }
  if (sourceField !== undefined) p.sourceField = sourceField
  if (value !== undefined) p.value = shownValue(value, personal)
  return p
}
