/**
 * A checked mapping file → a {@link CompiledMapping}: code tables, skip conditions,
 * constants, field rules and expressions compiled into closures once, the checks that span
 * the whole file, and the lookup that answers "which source field did this canonical pointer
 * come from?".
 */
import { compileAbsent } from './absent-fields.js'
import { compileDerivations } from './derivations.js'
import { DEFAULT_INPUT, type InputOptions } from '../formats/input-options.js'
import type { AgencyMapping } from '../generated/mapping.js'
import { checkTableTargets } from './canonical-values.js'
import { ROOT_SCOPE, valueFactory, type PositionedYaml, type RuleContext, type RuleSource, type Scope, type Step } from './compile-context.js'
import { checkPointers, compileFields, type StepPlan } from './compile-rules.js'
import { generateSteps } from './codegen.js'
import { compileConditionEntry } from './condition-entry.js'
import type { Test } from './conditions.js'
import { compileSetter, pointerSegments } from './pointer.js'
import { compileReader } from './source-path.js'
import { compileTables } from './table-entries.js'
import type { CompiledMapping, MapOutcome, MappingProblem } from './types.js'
import { InternalError } from '../errors.js'

/** The default offset when a file has none (the schema fills it in; this covers callers that skip the schema). */
const DEFAULT_OFFSET = '+08:00'

function compileSkips (doc: PositionedYaml, spec: AgencyMapping): Array<{ rule: string; test: Test }> {
  return Object.entries(spec.skip ?? {}).flatMap(([name, entry]) => entry === undefined ? [] : [{ rule: 'skip:' + name, test: compileConditionEntry(doc, entry, ['skip', name]) }])
}

function compileConstants (spec: AgencyMapping): Step[] {
  return Object.entries(spec.constants ?? {}).map(([pointer, value]) => {
    const set = compileSetter(pointer)
    const make = valueFactory(value)
    return (_record, out) => set(out, make())
  })
}

function inputOf (spec: AgencyMapping): InputOptions {
  const input = spec.input ?? {}
  return Object.freeze({
    encoding: input.encoding ?? DEFAULT_INPUT.encoding,
    ...(input.format === undefined ? {} : { format: input.format }),
    ...(input.xmlRecordPath === undefined ? {} : { xmlRecordPath: input.xmlRecordPath }),
    ...(input.csvDelimiter === undefined ? {} : { csvDelimiter: input.csvDelimiter }),
  })
}

/** The source path `segments` came from, under `rules` whose source paths start with `prefix`. */
function sourceFor (rules: readonly RuleSource[], segments: readonly string[], prefix: string): string | undefined {
  for (const rule of rules) {
    const own = pointerSegments(rule.pointer)
    if (own.length > segments.length || own.some((s, i) => s !== segments[i])) continue
    const rest = segments.slice(own.length)
    if (rule.self === true && rule.element !== undefined) {
      return rest.length >= 2 && /^\d+$/.test(rest[0]!) ? sourceFor(rule.element, rest.slice(1), prefix) : undefined
    }
    if (rule.source === undefined) return undefined
    const source = prefix + rule.source
    if (rule.element === undefined) return source
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

/**
 * Compile a structurally valid mapping file; throws MappingFileError at the first semantic
 * problem. `files` receives the shared table files read (the mapping file itself is added by
 * the caller).
 */
export function compileSpec (doc: PositionedYaml, spec: AgencyMapping, file: string, files: Set<string>, guardExpressions = true, interpreted = false): CompiledMapping {
  const tables = compileTables(doc, spec, files)
  const skips = compileSkips(doc, spec)
  const constantPointers = Object.keys(spec.constants ?? {})
  // Constants and fields write into the same case: no pointer may be set twice.
  checkPointers(doc, [
    ...constantPointers.map(pointer => ({ pointer, path: ['constants', pointer] })),
    ...Object.keys(spec.fields).map(pointer => ({ pointer, path: ['fields', pointer] })),
  ])
  const ctx: RuleContext = { doc, tables, offset: spec.timezone ?? DEFAULT_OFFSET, expressions: [], tableTargets: [], guardExpressions }
  const fields = compileFields(ctx, spec.fields, ['fields'], '')
  checkTableTargets(ctx.tableTargets)
  const constants = compileConstants(spec)
  const steps: readonly Step[] = [...constants, ...fields.steps]
  // The generated mapper runs the same steps, each with code of its own (codegen.ts); the
  // interpreted list stays as the reference it is compared with.
  const runSteps: Step = interpreted
    ? (raw, value, scope, problems) => { for (const step of steps) step(raw, value, scope, problems) }
    : generateSteps([...constants.map((step): StepPlan => ({ kind: 'step', step })), ...fields.plans]).run
  const sources: readonly RuleSource[] = [...constantPointers.map(pointer => ({ pointer, source: undefined })), ...fields.sources]
  const absent = compileAbsent(doc, spec)
  const derive = compileDerivations(doc, spec)
  const caseNumberOf = caseNumberReader(spec.caseNumberField)
  const expressions = Object.freeze([...ctx.expressions])
  const usesExpressions = expressions.length > 0

  /** Skip, or run every step; `scope` carries the record's expression values. */
  const run = (raw: Record<string, unknown>, caseNumber: string | undefined, scope: Scope): MapOutcome => {
    const value: Record<string, unknown> = {}
    const problems: MappingProblem[] = []
    runSteps(raw, value, scope, problems)
    if (problems.length > 0) return { kind: 'failed', caseNumber, problems }
    derive.step(value)
    return { kind: 'mapped', caseNumber, value }
  }
  /** The outcome decided before any rule runs: not a record, or skipped. */
  const before = (raw: Record<string, unknown>): MapOutcome | string | undefined => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'failed', caseNumber: undefined, problems: [{ ...NOT_A_RECORD }] }
    const caseNumber = caseNumberOf(raw)
    for (const skip of skips) if (skip.test(raw)) return { kind: 'skipped', caseNumber, rule: skip.rule }
    return caseNumber
  }

  const map = (raw: Record<string, unknown>): MapOutcome => {
    if (usesExpressions) throw new InternalError(`${file}: this mapping uses expressions, which evaluate asynchronously; call mapAsync`)
    const decided = before(raw)
    return typeof decided === 'object' ? decided : run(raw, decided, ROOT_SCOPE)
  }
  const mapAsync = async (raw: Record<string, unknown>): Promise<MapOutcome> => {
    const decided = before(raw)
    if (typeof decided === 'object') return decided
    if (!usesExpressions) return run(raw, decided, ROOT_SCOPE)
    const computed = await Promise.all(expressions.map(async evaluate => await evaluate(raw)))
    return run(raw, decided, { canon: '', source: '', computed })
  }

  return Object.freeze({
    agency: spec.agency,
    version: spec.version,
    input: inputOf(spec),
    absent,
    absentFields: new Set(absent.map(a => a.field)),
    file,
    files: Object.freeze([file, ...files]),
    usesExpressions,
    map,
    mapAsync,
    checkExpressions: async () => { for (const expression of expressions) await expression.probe() },
    sourceFieldFor: (canonicalPointer: string) => sourceFor(sources, pointerSegments(canonicalPointer), ''),
  })
}
