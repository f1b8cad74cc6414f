/**
 * Field rules → closures. Everything a rule says is decided here, once per file: which
 * reader, which clean-ups, which converter, where to write. Per record a rule is one call
 * that reads, converts, writes, or adds problems — it never looks at the YAML again.
 */
import { MappingFileError } from '../errors.js'
import { compileCondition, CONDITION_OPERATORS, type ConditionSpec, type Test } from './conditions.js'
import { compileSetter, pointerProblem, pointersOverlap, type Setter } from './pointer.js'
import { isPersonalPointer, problem } from './problems.js'
import { compileReader } from './source-path.js'
import { isEachRule, type ConditionEntry, type EachRuleEntry, type RuleEntry, type ValueRuleEntry } from './spec.js'
import { tableConverter, type CodeTable } from './tables.js'
import { Failure, type Convert } from './transforms/convert.js'
import { DATE_FORMATS, dateConverter } from './transforms/dates.js'
import { MONEY_UNITS } from './transforms/money.js'
import { PARSERS } from './transforms/parsers.js'
import { composeText, TEXT_TRANSFORMS } from './transforms/text.js'
import type { MappingProblem } from './types.js'
import type { PositionedYaml, YamlPath } from './yaml-with-positions.js'

/** Where a rule runs: pointer and source prefixes of the current list element ('' at the top). */
export interface Scope {
  /** e.g. "/parties/0" */
  readonly canon: string
  /** e.g. "DSR[0]." */
  readonly source: string
}

export const ROOT_SCOPE: Scope = Object.freeze({ canon: '', source: '' })

/** One compiled rule, run once per record (or list element). */
export type Step = (record: Record<string, unknown>, out: Record<string, unknown>, scope: Scope, problems: MappingProblem[]) => void

/** What {@link CompiledMapping.sourceFieldFor} needs to know about a rule. */
export interface RuleSource {
  readonly pointer: string
  /** Source path as written (`from` or `each`); undefined for constants. */
  readonly source: string | undefined
  /** For `each` rules, the rules of one element. */
  readonly element?: readonly RuleSource[]
}

/** What the rule compiler needs from the file as a whole. */
export interface RuleContext {
  readonly doc: PositionedYaml
  readonly tables: ReadonlyMap<string, CodeTable>
  /** UTC offset for dates, e.g. "+08:00". */
  readonly offset: string
}

export function fail (doc: PositionedYaml, path: YamlPath, text: string, at: 'value' | 'key' = 'value'): never {
  throw new MappingFileError(`${doc.where(path, at)}: ${text}`)
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)
const allowed = (names: Iterable<string>): string => {
  const list = [...names]
  return list.length === 0 ? '(none defined)' : list.join(', ')
}

/** A fresh copy per record for objects and lists, so no two cases share mutable state. */
export function valueFactory (value: unknown): () => unknown {
  if (typeof value !== 'object' || value === null) return () => value
  const json = JSON.stringify(value)
  return () => JSON.parse(json) as unknown
}

/** A checked `when:`/`skip:` entry as a test; values compared as written in the file. */
export function compileConditionEntry (doc: PositionedYaml, entry: ConditionEntry, path: YamlPath): Test {
  const ops = CONDITION_OPERATORS.filter(op => entry[op] !== undefined)
  if (ops.length !== 1) fail(doc, path, `a condition needs exactly one of ${CONDITION_OPERATORS.join(', ')} besides field (allowed: ${CONDITION_OPERATORS.join(', ')})`)
  const written = (p: YamlPath, v: unknown): string => (doc.scalarAsWritten(p) ?? String(v)).trim()
  let spec: ConditionSpec
  if (entry.equals !== undefined) spec = { field: entry.field, op: 'equals', value: written([...path, 'equals'], entry.equals) }
  else if (entry.in !== undefined) spec = { field: entry.field, op: 'in', values: entry.in.map((v, i) => written([...path, 'in', i], v)) }
  else spec = { field: entry.field, op: 'present', present: entry.present === true }
  return compileCondition(spec)
}

/** Check a map of pointer → rule: each pointer usable, none inside another. */
export function checkPointers (doc: PositionedYaml, entries: ReadonlyArray<{ pointer: string; path: YamlPath }>): void {
  for (let i = 0; i < entries.length; i++) {
    const { pointer, path } = entries[i]!
    const bad = pointerProblem(pointer)
    if (bad !== undefined) fail(doc, path, `${pointer}: ${bad}`, 'key')
    for (let j = 0; j < i; j++) {
      const other = entries[j]!
      if (pointersOverlap(pointer, other.pointer)) {
        fail(doc, path, `${pointer} overlaps ${other.pointer} (at ${doc.where(other.path, 'key')}); a value cannot be set both as a whole and in parts`, 'key')
      }
    }
  }
}

/**
 * Compile the rules of one `fields:` map. `base` is the canonical pointer the map's pointers
 * are relative to, with "/0" standing for any list index (only used to recognise personal
 * fields such as /parties/0/name).
 */
export function compileFields (ctx: RuleContext, fields: Record<string, RuleEntry>, path: YamlPath, base: string): { steps: Step[]; sources: RuleSource[] } {
  checkPointers(ctx.doc, Object.keys(fields).map(pointer => ({ pointer, path: [...path, pointer] })))
  const steps: Step[] = []
  const sources: RuleSource[] = []
  for (const [pointer, rule] of Object.entries(fields)) {
    const rulePath = [...path, pointer]
    const compiled = isEachRule(rule)
      ? compileEachRule(ctx, rule, pointer, rulePath, base)
      : compileValueRule(ctx, rule, pointer, rulePath, base)
    steps.push(compiled.step)
    sources.push(compiled.source)
  }
  return { steps, sources }
}

const CONVERTERS = ['date', 'money', 'table', 'parse'] as const

/** The converter a value rule names, checked against the tables in code and in the file. */
function converterOf (ctx: RuleContext, rule: ValueRuleEntry, path: YamlPath): Convert | undefined {
  const named = CONVERTERS.filter(key => rule[key] !== undefined)
  if (named.length > 1) fail(ctx.doc, [...path, named[1]!], `use only one of ${CONVERTERS.join(', ')} in one rule (this rule has ${named.join(' and ')})`, 'key')
  const { doc } = ctx
  if (rule.date !== undefined) {
    if (!hasOwn(DATE_FORMATS, rule.date)) fail(doc, [...path, 'date'], `unknown date format "${rule.date}" (allowed: ${allowed(Object.keys(DATE_FORMATS))})`)
    return dateConverter(DATE_FORMATS[rule.date]!, ctx.offset)
  }
  if (rule.money !== undefined) {
    if (!hasOwn(MONEY_UNITS, rule.money)) fail(doc, [...path, 'money'], `unknown money unit "${rule.money}" (allowed: ${allowed(Object.keys(MONEY_UNITS))})`)
    return MONEY_UNITS[rule.money]!()
  }
  if (rule.table !== undefined) {
    const table = ctx.tables.get(rule.table)
    if (table === undefined) fail(doc, [...path, 'table'], `unknown table "${rule.table}" (allowed: ${allowed(ctx.tables.keys())})`)
    return tableConverter(table)
  }
  if (rule.parse !== undefined) {
    if (!hasOwn(PARSERS, rule.parse)) fail(doc, [...path, 'parse'], `unknown parser "${rule.parse}" (allowed: ${allowed(Object.keys(PARSERS))})`)
    return PARSERS[rule.parse]!()
  }
  return undefined
}

function compileValueRule (ctx: RuleContext, rule: ValueRuleEntry, pointer: string, path: YamlPath, base: string): { step: Step; source: RuleSource } {
  const { doc } = ctx
  const hasConst = hasOwn(rule, 'const')
  if (hasConst === (rule.from !== undefined)) fail(doc, path, `a rule needs exactly one of from, const or each (${pointer})`)
  if (rule.required === true && rule.default !== undefined) fail(doc, [...path, 'default'], 'required and default contradict each other: a rule with a default is never missing', 'key')
  const test = rule.when === undefined ? undefined : compileConditionEntry(doc, rule.when, [...path, 'when'])
  const set = compileSetter(pointer)

  if (hasConst) {
    const extra = (['text', 'split', ...CONVERTERS, 'as', 'required', 'default'] as const).find(key => rule[key] !== undefined)
    if (extra !== undefined) fail(doc, [...path, extra], `"${extra}" cannot be used with const (allowed with const: when)`, 'key')
    const make = valueFactory(rule.const)
    const step: Step = (record, out) => { if (test === undefined || test(record)) set(out, make()) }
    return { step, source: { pointer, source: undefined } }
  }

  const from = rule.from!
  if (rule.split !== undefined && rule.parse !== undefined) fail(doc, [...path, 'split'], 'split cannot be combined with parse (a parser reads the whole text)', 'key')
  const names = rule.text ?? []
  names.forEach((name, i) => {
    if (!hasOwn(TEXT_TRANSFORMS, name)) fail(doc, [...path, 'text', i], `unknown text transform "${name}" (allowed: ${allowed(Object.keys(TEXT_TRANSFORMS))})`)
  })
  const clean = names.length === 0 ? undefined : composeText(names)
  const convert = converterOf(ctx, rule, path)
  if (rule.as !== undefined) {
    const bad = pointerProblem(rule.as)
    if (bad !== undefined) fail(doc, [...path, 'as'], `${rule.as}: ${bad}`)
  }
  const wrapAt: Setter | undefined = rule.as === undefined ? undefined : compileSetter(rule.as)
  const asPointer = rule.as ?? ''
  const read = compileReader(from)
  // Party names and ID numbers are masked whatever the file says; `personal` can only add fields.
  const personal = rule.personal === true || isPersonalPointer(base + pointer)
  const makeDefault = rule.default === undefined ? undefined : valueFactory(rule.default)
  const required = rule.required === true
  const separator = rule.split

  /**
   * One converted value, wrapped if asked; a problem instead when conversion fails. `index`
   * is the piece's place in a split list (-1 if not split); pointers are only built for problems.
   */
  const finish = (text: string, scope: Scope, index: number, problems: MappingProblem[]): unknown => {
    const value = convert === undefined ? text : convert(text)
    if (value instanceof Failure) {
      const canon = scope.canon + pointer + (index < 0 ? '' : '/' + index) + asPointer
      problems.push(problem(canon, scope.source + from, value.rule, value.message, text, personal))
      return undefined
    }
    if (wrapAt === undefined) return value
    const wrapped: Record<string, unknown> = {}
    wrapAt(wrapped, value)
    return wrapped
  }

  const step: Step = (record, out, scope, problems) => {
    if (test !== undefined && !test(record)) return
    const raw = read(record)
    let text: string | undefined
    if (typeof raw === 'string') text = raw
    else if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') text = String(raw)
    else if (raw !== undefined && raw !== null) {
      problems.push(problem(scope.canon + pointer, scope.source + from, 'single-value', 'expected a single value (text or a number), found a list or an object'))
      return
    }
    if (text !== undefined && clean !== undefined) text = clean(text)
    let value: unknown
    if (text !== undefined && text.trim() !== '') {
      if (separator === undefined) {
        value = finish(text, scope, -1, problems)
        if (value === undefined) return
      } else {
        const list: unknown[] = []
        for (const piece of text.split(separator)) {
          const trimmed = piece.trim()
          if (trimmed === '') continue
          list.push(finish(trimmed, scope, list.length, problems))
        }
        if (list.length > 0) value = list
      }
    }
    if (value !== undefined) set(out, value)
    else if (makeDefault !== undefined) set(out, makeDefault())
    else if (required) problems.push(problem(scope.canon + pointer, scope.source + from, 'required', 'a value is required, but the source field is missing or empty'))
  }
  return { step, source: { pointer, source: from } }
}

function compileEachRule (ctx: RuleContext, rule: EachRuleEntry, pointer: string, path: YamlPath, base: string): { step: Step; source: RuleSource } {
  const { doc } = ctx
  if (rule.required === true && rule.default !== undefined) fail(doc, [...path, 'default'], 'required and default contradict each other: a rule with a default is never missing', 'key')
  const test = rule.when === undefined ? undefined : compileConditionEntry(doc, rule.when, [...path, 'when'])
  const element = compileFields(ctx, rule.fields, [...path, 'fields'], base + pointer + '/0')
  const elementSteps = element.steps
  const set = compileSetter(pointer)
  const read = compileReader(rule.each)
  const each = rule.each
  const makeDefault = rule.default === undefined ? undefined : valueFactory(rule.default)
  const required = rule.required === true

  const step: Step = (record, out, scope, problems) => {
    if (test !== undefined && !test(record)) return
    const raw = read(record)
    let items: readonly unknown[] | undefined
    if (Array.isArray(raw)) items = raw.length > 0 ? raw : undefined
    else if (typeof raw === 'object' && raw !== null) items = [raw] // one object: a list of one
    else if (raw !== undefined && raw !== null && !(typeof raw === 'string' && raw.trim() === '')) {
      problems.push(problem(scope.canon + pointer, scope.source + each, 'each', 'expected a list of records (or a single record)'))
      return
    }
    if (items === undefined) {
      if (makeDefault !== undefined) set(out, makeDefault())
      else if (required) problems.push(problem(scope.canon + pointer, scope.source + each, 'required', 'a list is required, but the source field is missing or empty'))
      return
    }
    const list: Array<Record<string, unknown>> = []
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      const inner: Scope = { canon: scope.canon + pointer + '/' + i, source: scope.source + each + '[' + i + '].' }
      const built: Record<string, unknown> = {}
      list.push(built)
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        problems.push(problem(inner.canon, scope.source + each + '[' + i + ']', 'each', 'expected a record (a map of fields)'))
        continue
      }
      for (const elementStep of elementSteps) elementStep(item as Record<string, unknown>, built, inner, problems)
    }
    set(out, list)
  }
  return { step, source: { pointer, source: each, element: element.sources } }
}
