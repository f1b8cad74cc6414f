/**
 * Field rules → closures. A `fields:` map (the top level, or one `each` element) becomes a
 * list of steps; per record a step is one call that reads, converts, writes, or adds
 * problems — it never looks at the YAML again. Value rules are compiled in value-rule.ts;
 * this file adds `each` (lists of objects), `choose` (conditional values), the checks across
 * rules, and the check of codes used in conditions against the code tables.
 */
import type { ChooseRule, EachRule, FieldRules, Rule, ValueRule } from '../generated/mapping.js'
import { refuse, valueFactory, type FieldsScope, type PositionedYaml, type RuleContext, type RuleSource, type Scope, type Step, type YamlPath } from './compile-context.js'
import { compileConditionEntry } from './condition-entry.js'
import { compileSetter, pointerProblem, pointersOverlap } from './pointer.js'
import { problem } from './problems.js'
import { compileReader } from './source-path.js'
import { ABSENT, compileValueProducer, FAILED, type ValueProducer } from './value-rule.js'
import type { Test } from './conditions.js'
import type { MappingProblem } from './types.js'

const isEachRule = (rule: Rule): rule is EachRule => 'each' in rule
const isChooseRule = (rule: Rule): rule is ChooseRule => 'choose' in rule

/** Check a map of pointer → rule: each pointer usable, none inside another. */
export function checkPointers (doc: PositionedYaml, entries: ReadonlyArray<{ pointer: string; path: YamlPath }>): void {
  for (let i = 0; i < entries.length; i++) {
    const { pointer, path } = entries[i]!
    const bad = pointerProblem(pointer)
    if (bad !== undefined) refuse(doc, path, 'mapping.pointer.bad', { pointer, reason: bad }, 'key')
    for (let j = 0; j < i; j++) {
      const other = entries[j]!
      if (pointersOverlap(pointer, other.pointer)) {
        refuse(doc, path, 'mapping.pointer.overlaps', { pointer, other: other.pointer, at: doc.where(other.path, 'key') }, 'key')
      }
    }
  }
}

/**
 * A code a `when:` condition expects a field to hold must be a code of the table that always
 * converts that field (when the table rejects unknown codes): otherwise the rule can never
 * apply to a record that maps, which is a table missing a code or a typo in the condition.
 */
function checkCodesUsed (doc: PositionedYaml, scope: FieldsScope): void {
  for (const use of scope.codeUses) {
    for (const { field, table } of scope.tableUses) {
      if (field !== use.field || table.unknown !== 'reject' || table.codes.has(use.code)) continue
      refuse(doc, use.path, 'mapping.condition.codeNotInTable', { code: use.code, field, table: table.name, at: table.definedAt })
    }
  }
}

/** The words of the problems an `each` or value rule reports; the generated mapper (codegen.ts) says the same. */
export const MESSAGES = Object.freeze({
  required: 'a value is required, but the source field is missing or empty',
  listRequired: 'a list is required, but the source field is missing or empty',
  notAList: 'expected a list of records (or a single record)',
  notARecord: 'expected a record (a map of fields)',
})

/**
 * What a compiled rule is, for the generated mapper (codegen.ts): a value rule or an `each`
 * list it can write inline, or any other step (constants, `choose`), which it calls as is.
 */
export type StepPlan =
  | {
    readonly kind: 'value'; readonly pointer: string; readonly producer: ValueProducer
    readonly makeDefault: (() => unknown) | undefined; readonly required: boolean
    /** What the interpreted rule does with a produced value: the generated mapper's way out for anything but text. */
    readonly settle: Settle
  }
  | {
    readonly kind: 'each'; readonly pointer: string; readonly test: Test | undefined
    readonly each: string; readonly self: boolean; readonly read: (record: Record<string, unknown>) => unknown
    readonly elements: readonly StepPlan[]; readonly makeDefault: (() => unknown) | undefined; readonly required: boolean
  }
  | { readonly kind: 'step'; readonly step: Step }

type Settle = (value: unknown, out: Record<string, unknown>, scope: Scope, problems: MappingProblem[]) => void

/** What one compiled rule contributes. */
interface Compiled { step: Step; source: RuleSource; plan: StepPlan }

/**
 * Compile the rules of one `fields:` map. `base` is the canonical pointer the map's pointers
 * are relative to, with "/0" standing for any list index (used to recognise personal fields
 * such as /parties/0/name and to look up allowed values in the case schema).
 */
export function compileFields (ctx: RuleContext, fields: FieldRules, path: YamlPath, base: string): { steps: Step[]; sources: RuleSource[]; plans: StepPlan[] } {
  const entries = Object.entries(fields).filter((e): e is [string, Rule] => e[1] !== undefined)
  checkPointers(ctx.doc, entries.map(([pointer]) => ({ pointer, path: [...path, pointer] })))
  const scope: FieldsScope = { codeUses: [], tableUses: [], topLevel: base === '' }
  const steps: Step[] = []
  const sources: RuleSource[] = []
  const plans: StepPlan[] = []
  for (const [pointer, rule] of entries) {
    const rulePath = [...path, pointer]
    let compiled: Compiled
    if (isEachRule(rule)) compiled = compileEachRule(ctx, scope, rule, pointer, rulePath, base)
    else if (isChooseRule(rule)) compiled = compileChooseRule(ctx, scope, rule, pointer, rulePath, base)
    else compiled = compileValueRule(ctx, scope, rule, pointer, rulePath, base)
    steps.push(compiled.step)
    sources.push(compiled.source)
    plans.push(compiled.plan)
  }
  checkCodesUsed(ctx.doc, scope)
  return { steps, sources, plans }
}

function checkRequiredDefault (doc: PositionedYaml, rule: { required?: boolean; default?: unknown }, path: YamlPath): void {
  if (rule.required === true && rule.default !== undefined) refuse(doc, [...path, 'default'], 'mapping.rule.requiredAndDefault', {}, 'key')
}

/** The end of every value-making rule: set the value, or the default, or report it missing. */
function settle (pointer: string, source: string | undefined, makeDefault: (() => unknown) | undefined, required: boolean): Settle {
  const set = compileSetter(pointer)
  return (value, out, scope, problems) => {
    if (value === FAILED) return
    if (value !== ABSENT) set(out, value)
    else if (makeDefault !== undefined) set(out, makeDefault())
    else if (required) problems.push(problem(scope.canon + pointer, source === undefined ? undefined : scope.source + source, 'required', MESSAGES.required))
  }
}

function compileValueRule (ctx: RuleContext, scope: FieldsScope, rule: ValueRule, pointer: string, path: YamlPath, base: string): Compiled {
  checkRequiredDefault(ctx.doc, rule, path)
  const producer = compileValueProducer(ctx, scope, rule, pointer, path, base)
  // Only a conversion that always runs makes a code a table lacks fail every record (see checkCodesUsed).
  if (rule.table !== undefined && rule.from !== undefined && rule.split === undefined && rule.when === undefined) {
    scope.tableUses.push({ field: rule.from, table: ctx.tables.get(rule.table)! })
  }
  const { test, produce } = producer
  const makeDefault = rule.default === undefined ? undefined : valueFactory(rule.default)
  const required = rule.required === true
  const done = settle(pointer, producer.source, makeDefault, required)
  const step: Step = (record, out, s, problems) => {
    if (test !== undefined && !test(record)) return
    done(produce(record, s, problems), out, s, problems)
  }
  return { step, source: { pointer, source: producer.source }, plan: { kind: 'value', pointer, producer, makeDefault, required, settle: done } }
}

function compileChooseRule (ctx: RuleContext, scope: FieldsScope, rule: ChooseRule, pointer: string, path: YamlPath, base: string): Compiled {
  const { doc } = ctx
  checkRequiredDefault(doc, rule, path)
  const alternatives: ValueProducer[] = rule.choose.map((alt, i) => {
    const altPath = [...path, 'choose', i]
    for (const key of ['required', 'default'] as const) {
      if (alt[key] !== undefined) refuse(doc, [...altPath, key], 'mapping.choose.keyOnRule', { key }, 'key')
    }
    if (alt.when === undefined && i < rule.choose.length - 1) refuse(doc, altPath, 'mapping.choose.whenMissing')
    return compileValueProducer(ctx, scope, alt, pointer, altPath, base, rule.personal === true)
  })
  const named = [...new Set(alternatives.map(a => a.source).filter((s): s is string => s !== undefined))]
  const source = named.length === 0 ? undefined : named.join('|')
  const done = settle(pointer, source, rule.default === undefined ? undefined : valueFactory(rule.default), rule.required === true)
  const step: Step = (record, out, s, problems) => {
    let value: unknown = ABSENT
    for (const alt of alternatives) {
      if (alt.test !== undefined && !alt.test(record)) continue
      value = alt.produce(record, s, problems)
      break
    }
    done(value, out, s, problems)
  }
  return { step, source: { pointer, source }, plan: { kind: 'step', step } }
}

function compileEachRule (ctx: RuleContext, scope: FieldsScope, rule: EachRule, pointer: string, path: YamlPath, base: string): Compiled {
  const { doc } = ctx
  checkRequiredDefault(doc, rule, path)
  const test = rule.when === undefined ? undefined : compileConditionEntry(doc, rule.when, [...path, 'when'], scope.codeUses)
  const element = compileFields(ctx, rule.fields, [...path, 'fields'], base + pointer + '/0')
  const elementSteps = element.steps
  const set = compileSetter(pointer)
  // `each: .` — the record itself is the one element: flat rows holding a party in their own columns.
  const self = rule.each === '.'
  const read = self ? (record: Record<string, unknown>) => record : compileReader(rule.each)
  const each = rule.each
  const makeDefault = rule.default === undefined ? undefined : valueFactory(rule.default)
  const required = rule.required === true

  const step: Step = (record, out, s, problems) => {
    if (test !== undefined && !test(record)) return
    const raw = read(record)
    let items: readonly unknown[] | undefined
    if (Array.isArray(raw)) items = raw.length > 0 ? raw : undefined
    else if (typeof raw === 'object' && raw !== null) items = [raw] // one object: a list of one
    else if (raw !== undefined && raw !== null && !(typeof raw === 'string' && raw.trim() === '')) {
      problems.push(problem(s.canon + pointer, s.source + each, 'each', MESSAGES.notAList))
      return
    }
    if (items === undefined) {
      if (makeDefault !== undefined) set(out, makeDefault())
      else if (required) problems.push(problem(s.canon + pointer, s.source + each, 'required', MESSAGES.listRequired))
      return
    }
    const list: Array<Record<string, unknown>> = []
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      const inner: Scope = { canon: s.canon + pointer + '/' + i, source: self ? s.source : s.source + each + '[' + i + '].', computed: s.computed }
      const built: Record<string, unknown> = {}
      list.push(built)
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        problems.push(problem(inner.canon, s.source + each + '[' + i + ']', 'each', MESSAGES.notARecord))
        continue
      }
      for (const elementStep of elementSteps) elementStep(item as Record<string, unknown>, built, inner, problems)
    }
    set(out, list)
  }
  const plan: StepPlan = { kind: 'each', pointer, test, each, self, read, elements: element.plans, makeDefault, required }
  return { step, source: { pointer, source: self ? undefined : each, element: element.sources, self }, plan }
}
