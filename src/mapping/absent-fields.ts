/**
 * `absent:` in a mapping: the canonical fields the agency's system has no column for, each
 * with a short note. Declaring a field absent is the honest alternative to a stand-in value:
 * the hub then counts it as a known gap of the agency, not as a gap of every record. Only
 * fields of the schema's expected tier can be absent — an identity field cannot (without it
 * a case is not delivered) — and a field cannot be both absent and mapped.
 */
import type { AgencyMapping } from '../generated/mapping.js'
import type { PositionedYaml } from '../yaml/positions.js'
import { expectedFields, identityFields } from '../schema/completeness.js'
import { refuse } from './compile-context.js'
import { pointersOverlap } from './pointer.js'
import type { AbsentField } from './types.js'

export function compileAbsent (doc: PositionedYaml, spec: AgencyMapping): readonly AbsentField[] {
  const expected = expectedFields()
  const mapped = [...Object.keys(spec.constants ?? {}).map(p => ({ p, where: ['constants', p] })), ...Object.keys(spec.fields).map(p => ({ p, where: ['fields', p] }))]
  return Object.freeze(Object.entries(spec.absent ?? {}).map(([field, note]) => {
    if ([...identityFields()].some(id => pointersOverlap(id, field))) {
      refuse(doc, ['absent', field], 'mapping.absent.identity', { field, fields: [...identityFields()] }, 'key')
    }
    if (!expected.has(field)) {
      refuse(doc, ['absent', field], 'mapping.absent.notExpected', { field, fields: [...expected] }, 'key')
    }
    const both = mapped.find(m => pointersOverlap(m.p, field))
    if (both !== undefined) refuse(doc, ['absent', field], 'mapping.absent.alsoSet', { field, at: doc.where(both.where, 'key') }, 'key')
    return Object.freeze({ field, note: String(note) })
  }))
}
