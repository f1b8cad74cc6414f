/**
 * `derive:` in a mapping: canonical fields the hub fills in from other fields of the same
 * case by a rule that is true by construction — never a guess, never a stand-in — and marks
 * as derived in the case (`derived: [{ field, rule }]`), so the platform and a reader of the
 * trace can tell a derived value from one the agency's system recorded. A rule fills its
 * field only when the mapping left it unset, and sets nothing when its premise is missing.
 * A field may be derived and declared absent at once: derived where the premise holds, a
 * known gap of the agency's system everywhere else (a flag only a transfer implies).
 */
import type { PositionedYaml } from '../yaml/positions.js'
import type { AgencyMapping } from '../generated/mapping.js'
import { refuse } from './compile-context.js'
import { compileSetter, pointersOverlap, pointerSegments } from './pointer.js'

interface Derivation {
  /** The canonical field it fills. */
  readonly field: string
  /** Why it is true, with its source: the guide and `casebridge mapping test` quote it. */
  readonly basis: string
  derive (c: Readonly<Record<string, unknown>>): unknown
}

const at = (c: Readonly<Record<string, unknown>>, pointer: string): unknown =>
  pointerSegments(pointer).reduce<unknown>((node, s) => typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[s] : undefined, c)

/** The built-in rules, by the name a mapping uses. */
export const DERIVATIONS: Readonly<Record<string, Derivation>> = {
  regionFromAgencyCode: {
    field: '/regionCode',
    basis: "characters 3–8 of the agency's unified social credit code are the administrative division code of the authority that registered it (GB 32100-2015, 4.3), which for an administrative agency is the division it serves",
    derive: c => {
      const code = at(c, '/agency/code')
      const division = typeof code === 'string' ? code.slice(2, 8) : ''
      return /^[1-9]\d{5}$/.test(division) ? division : undefined
    },
  },
  suspectedCrimeFromTransfer: {
    field: '/transfer/suspectedCrime',
    basis: 'an agency transfers a case to public security only when it finds it a suspected crime (行政执法机关移送涉嫌犯罪案件的规定, art. 3): a transferred case, or one with a transfer date, is flagged true; nothing is said of the others',
    derive: c => at(c, '/status') === 'transferred' || at(c, '/transfer/transferDate') !== undefined ? true : undefined,
  },
}

/** A compiled `derive:` list: applies its rules to a mapped case, in file order. */
export type DeriveStep = (out: Record<string, unknown>) => void

export function compileDerivations (doc: PositionedYaml, spec: AgencyMapping): { readonly step: DeriveStep; readonly names: readonly string[] } {
  const names = spec.derive ?? []
  const mapped = [...Object.keys(spec.constants ?? {}).map(p => ({ p, where: ['constants', p] })), ...Object.keys(spec.fields).map(p => ({ p, where: ['fields', p] }))]
  // The marker is the hub's word that a value was derived: a mapping cannot write it.
  const forged = mapped.find(m => pointersOverlap(m.p, '/derived'))
  if (forged !== undefined) refuse(doc, forged.where, 'mapping.derive.forged', { pointer: forged.p }, 'key')
  const rules = names.map((name, i) => {
    const rule = DERIVATIONS[name]
    if (rule === undefined) refuse(doc, ['derive', i], 'mapping.derive.unknown', { name, allowed: Object.keys(DERIVATIONS) })
    const both = mapped.find(m => pointersOverlap(m.p, rule.field))
    if (both !== undefined) refuse(doc, ['derive', i], 'mapping.derive.alsoSet', { name, field: rule.field, at: doc.where(both.where, 'key') })
    return { name, rule, set: compileSetter(rule.field) }
  })
  const step: DeriveStep = out => {
    const derived: Array<{ field: string; rule: string }> = []
    for (const { name, rule, set } of rules) {
      if (at(out, rule.field) !== undefined) continue
      const value = rule.derive(out)
      if (value === undefined) continue
      set(out, value)
      derived.push({ field: rule.field, rule: name })
    }
    if (derived.length > 0) out.derived = derived
  }
  return { step, names }
}
