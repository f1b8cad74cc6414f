/**
 * The expected tier of the canonical case (schemas/case.schema.json `x-completeness`): the
 * fields a case should carry but is delivered without, each absence a completeness gap
 * (信息不全) of its agency. `expected` fields are always expected; an `implied` entry expects
 * its fields when the case matches its `when` schema (a decided case has a decision date …).
 * The identity tier is the schema's `required`: a case without it never gets this far.
 */
import { readFileSync } from 'node:fs'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import type { CanonicalCase } from '../generated/case.js'
import { SchemaDefinitionError } from '../errors.js'
import { schemaPath } from '../paths.js'
import { createAjv } from './ajv.js'

/**
 * One expected field the case lacks, and why it is expected (absent for the always-expected
 * fields): `rule` names the reason (`gap.why.<rule>` in the message catalogues), `why` says
 * it in English (the schema's words).
 */
export interface CompletenessGap { readonly field: string; readonly rule?: string; readonly why?: string }

/** An expected field: its pointer, and its property names split once (`has` runs for every field of every case). */
interface Field { readonly pointer: string; readonly segments: readonly string[] }
interface Implied { readonly id: string; readonly why: string; readonly when: ValidateFunction; readonly expected: readonly Field[] }
interface Expectations { readonly expected: readonly Field[]; readonly implied: readonly Implied[]; readonly all: ReadonlySet<string>; readonly identity: ReadonlySet<string> }

// The schema's expected pointers are plain property names: no escapes to undo.
const fieldOf = (pointer: string): Field => ({ pointer, segments: pointer.slice(1).split('/') })

let compiled: Expectations | undefined

function expectations (): Expectations {
  if (compiled !== undefined) return compiled
  const schema = JSON.parse(readFileSync(schemaPath('case.schema.json'), 'utf8')) as {
    required?: string[]
    properties?: Record<string, { required?: string[] }>
    'x-completeness'?: { expected?: string[]; implied?: Array<{ id: string; why: string; when: object; expected: string[] }> }
  }
  const section = schema['x-completeness']
  if (section?.expected === undefined) throw new SchemaDefinitionError('schemas/case.schema.json has no x-completeness.expected')
  const ajv = createAjv()
  const implied = (section.implied ?? []).map(i => ({ id: i.id, why: i.why, when: ajv.compile(i.when), expected: i.expected.map(fieldOf) }))
  // The identity tier, one level deep (the agency's code and name): what a case is refused without.
  const identity = new Set((schema.required ?? []).flatMap(top => {
    const inner = schema.properties?.[top]?.required
    return inner === undefined ? [`/${top}`] : [`/${top}`, ...inner.map(f => `/${top}/${f}`)]
  }))
  compiled = { expected: section.expected.map(fieldOf), implied, all: new Set([...section.expected, ...implied.flatMap(i => i.expected.map(f => f.pointer))]), identity }
  return compiled
}

/** The identity tier (the schema's `required`, and the agency's code and name): a case without one is refused. */
export function identityFields (): ReadonlySet<string> {
  return expectations().identity
}

/** Every field the expected tier can name: what a mapping may declare `absent:`. */
export function expectedFields (): ReadonlySet<string> {
  return expectations().all
}

/** Whether the case has a value at the pointer (an empty list counts: the source said "none"). */
function has (c: CanonicalCase, field: Field): boolean {
  let node: unknown = c
  for (const segment of field.segments) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return false
    node = (node as Record<string, unknown>)[segment]
  }
  return node !== undefined && node !== null
}

/**
 * The expected fields a valid case lacks, in schema order, each once (with the first reason
 * that expects it). `absent` are the fields the agency's mapping declares its system does
 * not have: known gaps of the agency, not counted against each record.
 */
export function completenessGaps (c: CanonicalCase, absent: ReadonlySet<string> = new Set()): CompletenessGap[] {
  const { expected, implied } = expectations()
  const gaps = new Map<string, CompletenessGap>()
  for (const field of expected) if (!absent.has(field.pointer) && !has(c, field)) gaps.set(field.pointer, { field: field.pointer })
  for (const rule of implied) {
    if (!rule.when(c)) continue
    for (const field of rule.expected) {
      if (!gaps.has(field.pointer) && !absent.has(field.pointer) && !has(c, field)) gaps.set(field.pointer, { field: field.pointer, rule: rule.id, why: rule.why })
    }
  }
  return [...gaps.values()]
}

/**
 * One expected field of an agency, measured: of its `cases`, how many lack the field where it
 * is expected (`missingInRecords`), or whether its system has no such column at all
 * (`missingByDesign`, the mapping's `absent:`, with the administrator's note); `ratio` is the
 * share of cases not missing it (null while the agency has no case).
 */
export interface FieldCompleteness {
  readonly field: string
  readonly missingInRecords: number
  readonly missingByDesign: boolean
  readonly note?: string
  readonly ratio: number | null
}

/** Every expected field of the schema, in its order, from the ledger's counts and the mapping's `absent:`. */
export function completenessOf (cases: number, missing: Readonly<Record<string, number>>, absent: ReadonlyMap<string, string>): FieldCompleteness[] {
  return [...expectedFields()].map(field => {
    const note = absent.get(field)
    if (note !== undefined) return { field, missingInRecords: 0, missingByDesign: true, note, ratio: cases === 0 ? null : 0 }
    const lacking = Math.min(cases, missing[field] ?? 0)
    return { field, missingInRecords: lacking, missingByDesign: false, ratio: cases === 0 ? null : (cases - lacking) / cases }
  })
}
