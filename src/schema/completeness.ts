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

/** One expected field the case lacks, and why it is expected (absent for the always-expected fields). */
export interface CompletenessGap { readonly field: string; readonly why?: string }

interface Implied { readonly why: string; readonly when: ValidateFunction; readonly expected: readonly string[] }
interface Expectations { readonly expected: readonly string[]; readonly implied: readonly Implied[]; readonly all: ReadonlySet<string> }

let compiled: Expectations | undefined

function expectations (): Expectations {
  if (compiled !== undefined) return compiled
  const schema = JSON.parse(readFileSync(schemaPath('case.schema.json'), 'utf8')) as { 'x-completeness'?: { expected?: string[]; implied?: Array<{ why: string; when: object; expected: string[] }> } }
  const section = schema['x-completeness']
  if (section?.expected === undefined) throw new SchemaDefinitionError('schemas/case.schema.json has no x-completeness.expected')
  const ajv = createAjv()
  const implied = (section.implied ?? []).map(i => ({ why: i.why, when: ajv.compile(i.when), expected: i.expected }))
  compiled = { expected: section.expected, implied, all: new Set([...section.expected, ...implied.flatMap(i => i.expected)]) }
  return compiled
}

/** Every field the expected tier can name: what a mapping may declare `absent:`. */
export function expectedFields (): ReadonlySet<string> {
  return expectations().all
}

/** Whether the case has a value at the pointer (an empty list counts: the source said "none"). */
function has (c: CanonicalCase, pointer: string): boolean {
  let node: unknown = c
  // The schema's expected pointers are plain property names: no escapes to undo.
  for (const segment of pointer.slice(1).split('/')) {
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
  for (const field of expected) if (!absent.has(field) && !has(c, field)) gaps.set(field, { field })
  for (const rule of implied) {
    if (!rule.when(c)) continue
    for (const field of rule.expected) if (!gaps.has(field) && !absent.has(field) && !has(c, field)) gaps.set(field, { field, why: rule.why })
  }
  return [...gaps.values()]
}
