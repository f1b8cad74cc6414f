/**
 * Building {@link MappingProblem}s: the value an administrator sees is masked when it may be
 * personal data (names and ID numbers of parties, fields marked `personal`), with the hub's
 * one masking rule (src/logging/mask.ts), and shortened when it is long.
 */
import { maskText, maskValue } from '../logging/mask.js'
import type { MappingProblem } from './types.js'

/** Canonical properties of a party that are personal data whatever the mapping says. */
const PERSONAL_PARTY_PROPERTIES: ReadonlySet<string> = new Set(['name', 'idNumber', 'legalRepresentative'])
const PARTY_PROPERTY = /^\/parties(?:\/[^/]+)*\/([^/]+)$/

/** Whether values mapped to `pointer` (relative to the case root) are personal data by nature. */
export function isPersonalPointer (pointer: string): boolean {
  const m = PARTY_PROPERTY.exec(pointer)
  return m !== null && PERSONAL_PARTY_PROPERTIES.has(m[1]!)
}

const MAX_SHOWN = 120

/** The value as shown in a problem: masked if personal, cut short if long; an ID number inside free text is masked too. */
export function shownValue (value: string, personal: boolean): string {
  if (personal) return maskValue(value)
  const chars = Array.from(maskText(value))
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
