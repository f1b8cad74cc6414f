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
/**
 * How much of a long value is masked before it is cut (code units). Masking a 50 MB field
 * whole and splitting it into characters blocked the event loop for seconds (long enough to
 * lose a pull lease); the first {@link MAX_SHOWN} characters only depend on the head.
 */
const MASKED_HEAD = 4096
/** A masked match ends at most this far after it starts, except a bearer token, which masks to the same text however it is cut. */
const MATCH_REACH = 64

/** The value as shown in a problem: masked if personal, cut short if long; an ID number inside free text is masked too. */
export function shownValue (value: string, personal: boolean): string {
  // Only a hint of a personal value is shown (its first characters, then stars): its head decides it.
  if (personal) return cut(maskValue(value.slice(0, MASKED_HEAD)))
  if (value.length > MASKED_HEAD) {
    // The masks of the head match the masks of the whole value except within MATCH_REACH of
    // the cut; when what is shown ends before that, the head is enough.
    const head = Array.from(maskText(value.slice(0, MASKED_HEAD)))
    if (head.length > MAX_SHOWN + MATCH_REACH) return head.slice(0, MAX_SHOWN).join('') + '…'
  }
  return cut(maskText(value))
}

function cut (text: string): string {
  const chars = Array.from(text)
  return chars.length <= MAX_SHOWN ? text : chars.slice(0, MAX_SHOWN).join('') + '…'
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
