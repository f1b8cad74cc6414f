import { DEFAULT_INPUT } from '../formats/input-options.js'
/**
 * A checked mapping file → a {@link CompiledMapping}: code tables, skip conditions,
 * constants and field rules compiled into closures once, and the lookup that answers
 * "which source field did this canonical pointer come from?".
 */
import { checkPointers, compileConditionEntry, compileFields, fail, ROOT_SCOPE, valueFactory, type RuleSource, type Step } from './compile-rules.js'
import type { Test } from './conditions.js'
import { compileSetter, pointerSegments } from './pointer.js'
import { compileReader } from './source-path.js'
import type { MappingSpec } from './spec.js'
import { codeTable, type CodeTable } from './tables.js'
import type { CompiledMapping, MapOutcome, MappingProblem } from './types.js'
import type { PositionedYaml } from './yaml-with-positions.js'

function compileTables (doc: PositionedYaml, spec: MappingSpec): Map<string, CodeTable> {
  const tables = new Map<string, CodeTable>()
  for (const [name, entry] of Object.entries(spec.tables ?? {})) {
    const path = ['tables', name]
    if (entry.unknown === 'default' && entry.default === undefined) fail(doc, [...path, 'unknown'], `table ${name} says unknown: default but has no default: value`)
    if (entry.unknown !== 'default' && entry.default !== undefined) fail(doc, [...path, 'default'], `table ${name} has a default: but says unknown: ${entry.unknown}; write unknown: default to use it`, 'key')
    // Codes as written: an unquoted 01 must stay "01", not become 1.
    const codes = doc.keysAsWritten([...path, 'codes']).map(({ written, key }) => [written.trim(), entry.codes[key]!] as const)
    tables.set(name, codeTable(name, codes, entry.unknown, entry.default))
  }
  return tables
}

function compileSkips (doc: PositionedYaml, spec: MappingSpec): Array<{ rule: string; test: Test }> {
  return Object.entries(spec.skip ?? {}).map(([name, entry]) => ({ rule: 'skip:' + name, test: compileConditionEntry(doc, entry, ['skip', name]) }))
}

function compileConstants (spec: MappingSpec): Step[] {
  return Object.entries(spec.constants ?? {}).map(([pointer, value]) => {
    const set = compileSetter(pointer)
    const make = valueFactory(value)
    return (_record, out) => set(out, make())
  })
}

/** The source path `segments` came from, under `rules` whose source paths start with `prefix`. */
function sourceFor (rules: readonly RuleSource[], segments: readonly string[], prefix: string): string | undefined {
  for (const rule of rules) {
    const own = pointerSegments(rule.pointer)
    if (own.length > segments.length || own.some((s, i) => s !== segments[i])) continue
    if (rule.source === undefined) return undefined
    const source = prefix + rule.source
    if (rule.element === undefined) return source
    const rest = segments.slice(own.length)
    if (rest.length === 0) return source
    if (!/^\d+$/.test(rest[0]!)) return undefined
    const item = `${source}[${rest[0]!}]`
    return rest.length === 1 ? item : (sourceFor(rule.element, rest.slice(1), item + '.') ?? item)
  }
  return undefined
}

const NOT_A_RECORD: MappingProblem = Object.freeze({ canonicalField: '', rule: 'record', message: 'expected a record (a map of fields)' })

function caseNumberReader (path: string): (raw: Record<string, unknown>) => string | undefined {
  const read = compileReader(path)
  return raw => {
    const v = read(raw)
    const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : ''
    return text === '' ? undefined : text
  }
}

/** Compile a structurally valid mapping file; throws MappingFileError at the first semantic problem. */
export function compileSpec (doc: PositionedYaml, spec: MappingSpec, file: string): CompiledMapping {
  const tables = compileTables(doc, spec)
  const skips = compileSkips(doc, spec)
  const constantPointers = Object.keys(spec.constants ?? {})
  // Constants and fields write into the same case: no pointer may be set twice.
  checkPointers(doc, [
    ...constantPointers.map(pointer => ({ pointer, path: ['constants', pointer] })),
    ...Object.keys(spec.fields).map(pointer => ({ pointer, path: ['fields', pointer] })),
  ])
  const fields = compileFields({ doc, tables, offset: spec.timezone }, spec.fields, ['fields'], '')
  const steps: readonly Step[] = [...compileConstants(spec), ...fields.steps]
  const sources: readonly RuleSource[] = [...constantPointers.map(pointer => ({ pointer, source: undefined })), ...fields.sources]
  const caseNumberOf = caseNumberReader(spec.caseNumberField)

  const map = (raw: Record<string, unknown>): MapOutcome => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'failed', caseNumber: undefined, problems: [{ ...NOT_A_RECORD }] }
    const caseNumber = caseNumberOf(raw)
    for (const skip of skips) if (skip.test(raw)) return { kind: 'skipped', caseNumber, rule: skip.rule }
    const value: Record<string, unknown> = {}
    const problems: MappingProblem[] = []
    for (const step of steps) step(raw, value, ROOT_SCOPE, problems)
    return problems.length === 0 ? { kind: 'mapped', caseNumber, value } : { kind: 'failed', caseNumber, problems }
  }

  return Object.freeze({
    agency: spec.agency,
    version: spec.version,
    input: DEFAULT_INPUT,
    file,
    map,
    sourceFieldFor: (canonicalPointer: string) => sourceFor(sources, pointerSegments(canonicalPointer), ''),
  })
}
