/**
 * The outbound rules of a profile (`record:`) → one synchronous, pure function from a
 * canonical case to the platform's record, or to the list of what the platform needs and the
 * case cannot give (the case is then held, not sent). The vocabulary is the mapping file's,
 * read the other way: a rule names a platform field (a pointer into the platform record) and
 * takes its value `from` a canonical pointer, `const`, or `concat`; then `text` clean-ups and
 * one converter (`date`, `money`, `table`); `when`, `choose`, `each`, `required`, `default`
 * as in mappings. No `expr`: JSONata is asynchronous and a projection is not.
 */
import type { ProfileChooseRule, ProfileCondition, ProfileEachRule, ProfileFields, ProfileRule, ProfileValueRule } from '../generated/profile.js'
import type { Condition } from '../generated/mapping.js'
import { checkPointers } from '../mapping/compile-rules.js'
import { allowedNames, hasOwn, refuse, valueFactory, type PositionedYaml, type YamlPath } from '../mapping/compile-context.js'
import { textOf } from '../i18n/texts.js'
import { compileConditionEntry } from '../mapping/condition-entry.js'
import type { Test } from '../mapping/conditions.js'
import { compileSetter, pointerSegments } from '../mapping/pointer.js'
import { composeText, TEXT_TRANSFORMS } from '../mapping/transforms/text.js'
import { dateFormat, FormatFailure, moneyFormat, OUTPUT_DATE_FORMATS, OUTPUT_MONEY_UNITS, type Format } from './formats.js'
import type { ProfileTableCompiled } from './profile-tables.js'

/** A platform field the case cannot fill: its platform name (`DSR[0].ZJHM`), the canonical field, and why. */
export interface Shortfall {
  readonly field: string
  readonly from: string
  readonly why: string
}

export interface OutboundContext {
  readonly doc: PositionedYaml
  readonly tables: ReadonlyMap<string, ProfileTableCompiled>
  readonly offset: string
}

/** Where a rule runs: the platform name prefix and canonical pointer prefix of the current list element. */
interface Where { readonly field: string; readonly from: string }
type Step = (source: Record<string, unknown>, out: Record<string, unknown>, at: Where, short: Shortfall[]) => void

const ABSENT: unique symbol = Symbol('absent')
const FAILED: unique symbol = Symbol('failed')

/** Reads a canonical pointer (own properties only, so nothing reaches Object.prototype). */
export function pointerReader (pointer: string): (value: unknown) => unknown {
  const segments = pointerSegments(pointer)
  return value => {
    let node = value
    for (const s of segments) {
      if (typeof node !== 'object' || node === null) return undefined
      if (Array.isArray(node)) { node = /^\d+$/.test(s) ? node[Number(s)] : undefined; continue }
      node = hasOwn(node, s) ? (node as Record<string, unknown>)[s] : undefined
    }
    return node
  }
}

const isAbsent = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)

/** `/DSR/DSRMC` → `DSR.DSRMC`: how an administrator reads a platform field name. */
const platformName = (prefix: string, pointer: string): string => prefix + pointerSegments(pointer).join('.')

/** Conditions name canonical fields by pointer; the mapping condition compiler reads dotted paths. */
function dotted (condition: ProfileCondition): Condition {
  const out: Condition = { ...condition } as Condition
  if (condition.field !== undefined) out.field = pointerSegments(condition.field).join('.')
  if (condition.all !== undefined) out.all = condition.all.map(dotted)
  if (condition.any !== undefined) out.any = condition.any.map(dotted)
  if (condition.not !== undefined) out.not = dotted(condition.not)
  return out
}

const compileWhen = (ctx: OutboundContext, when: ProfileCondition | undefined, path: YamlPath): Test | undefined =>
  when === undefined ? undefined : compileConditionEntry(ctx.doc, dotted(when), path)

const CONVERTERS = ['date', 'money', 'table'] as const
const SOURCES = ['from', 'const', 'concat'] as const

function converterOf (ctx: OutboundContext, rule: ProfileValueRule, path: YamlPath): Format | undefined {
  const named = CONVERTERS.filter(key => rule[key] !== undefined)
  if (named.length > 1) refuse(ctx.doc, [...path, named[1]!], 'profile.oneConverter', { converters: CONVERTERS, named: { and: named } }, 'key')
  if (rule.date !== undefined) {
    const f = dateFormat(rule.date, ctx.offset)
    if (f === undefined) refuse(ctx.doc, [...path, 'date'], 'profile.unknownOutputDate', { format: String(rule.date), allowed: allowedNames(OUTPUT_DATE_FORMATS) })
    return f
  }
  if (rule.money !== undefined) {
    const f = moneyFormat(rule.money)
    if (f === undefined) refuse(ctx.doc, [...path, 'money'], 'profile.unknownOutputMoney', { unit: String(rule.money), allowed: allowedNames(OUTPUT_MONEY_UNITS) })
    return f
  }
  if (rule.table !== undefined) {
    const table = ctx.tables.get(rule.table)
    if (table === undefined) refuse(ctx.doc, [...path, 'table'], 'profile.unknownTable', { table: String(rule.table), allowed: allowedNames(ctx.tables.keys()) })
    return table.convert
  }
  return undefined
}

interface Producer {
  readonly test: Test | undefined
  readonly from: string
  readonly produce: (source: Record<string, unknown>, at: Where, field: string, short: Shortfall[]) => unknown
}

function compileProducer (ctx: OutboundContext, rule: ProfileValueRule, path: YamlPath): Producer {
  const sources = SOURCES.filter(key => hasOwn(rule, key))
  if (sources.length !== 1) refuse(ctx.doc, path, 'profile.oneSource', { sources: SOURCES, found: sources.length === 0 ? textOf('profile.none') : { and: sources } })
  if (rule.separator !== undefined && rule.concat === undefined) refuse(ctx.doc, [...path, 'separator'], 'profile.separatorWithConcat', {}, 'key')
  for (const name of rule.text ?? []) if (!hasOwn(TEXT_TRANSFORMS, name)) refuse(ctx.doc, [...path, 'text'], 'profile.unknownTextCleanup', { name, allowed: allowedNames(Object.keys(TEXT_TRANSFORMS)) })
  const clean = rule.text === undefined ? undefined : composeText(rule.text)
  const convert = converterOf(ctx, rule, path)
  let read: (source: Record<string, unknown>) => unknown
  let from: string
  if (rule.from !== undefined) {
    read = pointerReader(rule.from)
    from = rule.from
  } else if (rule.concat !== undefined) {
    const parts = rule.concat.map(p => typeof p === 'string' ? { read: pointerReader(p), text: '' } : { read: undefined, text: String(p.const) })
    const separator = rule.separator ?? ''
    read = source => {
      const pieces: string[] = []
      let present = false
      for (const part of parts) {
        if (part.read === undefined) { pieces.push(part.text); continue }
        const v = part.read(source)
        if (isAbsent(v) || typeof v === 'object') continue
        present = true
        pieces.push(String(v))
      }
      return present ? pieces.join(separator) : undefined
    }
    from = rule.concat.filter((p): p is string => typeof p === 'string').join('+')
  } else {
    const make = valueFactory(rule.const)
    read = () => make()
    from = '(const)'
  }
  const produce = (source: Record<string, unknown>, at: Where, field: string, short: Shortfall[]): unknown => {
    let value = read(source)
    if (isAbsent(value)) return ABSENT
    if (clean !== undefined && typeof value === 'string') {
      value = clean(value)
      if (isAbsent(value)) return ABSENT
    }
    if (convert === undefined) return value
    const out = convert(value)
    if (out instanceof FormatFailure) {
      short.push({ field, from: at.from + from, why: `${out.rule}: ${out.message}` })
      return FAILED
    }
    return out
  }
  return { test: compileWhen(ctx, rule.when, [...path, 'when']), from, produce }
}

const isEach = (rule: ProfileRule): rule is ProfileEachRule => 'each' in rule
const isChoose = (rule: ProfileRule): rule is ProfileChooseRule => 'choose' in rule

function settle (pointer: string, makeDefault: (() => unknown) | undefined, required: boolean): (value: unknown, out: Record<string, unknown>, field: string, from: string, short: Shortfall[]) => void {
  const set = compileSetter(pointer)
  return (value, out, field, from, short) => {
    if (value === FAILED) return
    if (value !== ABSENT) set(out, value)
    else if (makeDefault !== undefined) set(out, makeDefault())
    else if (required) short.push({ field, from, why: 'required by the platform, but the case has no value' })
  }
}

function checkRequiredDefault (doc: PositionedYaml, rule: { required?: boolean; default?: unknown }, path: YamlPath): void {
  if (rule.required === true && rule.default !== undefined) refuse(doc, [...path, 'default'], 'profile.requiredDefault', {}, 'key')
}

function compileRule (ctx: OutboundContext, pointer: string, rule: ProfileRule, path: YamlPath): Step {
  if (isEach(rule)) return compileEach(ctx, pointer, rule, path)
  checkRequiredDefault(ctx.doc, rule, path)
  const done = settle(pointer, rule.default === undefined ? undefined : valueFactory(rule.default), rule.required === true)
  if (isChoose(rule)) {
    const alternatives = rule.choose.map((alt, i) => {
      if (alt.when === undefined && i < rule.choose.length - 1) refuse(ctx.doc, [...path, 'choose', i], 'profile.lastAlternative')
      for (const key of ['required', 'default'] as const) if (alt[key] !== undefined) refuse(ctx.doc, [...path, 'choose', i, key], 'profile.belongsOnChoose', { key }, 'key')
      return compileProducer(ctx, alt, [...path, 'choose', i])
    })
    const from = [...new Set(alternatives.map(a => a.from))].join('|')
    return (source, out, at, short) => {
      const field = platformName(at.field, pointer)
      let value: unknown = ABSENT
      let used = from
      for (const alt of alternatives) {
        if (alt.test !== undefined && !alt.test(source)) continue
        value = alt.produce(source, at, field, short)
        used = alt.from
        break
      }
      done(value, out, field, at.from + used, short)
    }
  }
  const producer = compileProducer(ctx, rule, path)
  return (source, out, at, short) => {
    if (producer.test !== undefined && !producer.test(source)) return
    const field = platformName(at.field, pointer)
    done(producer.produce(source, at, field, short), out, field, at.from + producer.from, short)
  }
}

function compileEach (ctx: OutboundContext, pointer: string, rule: ProfileEachRule, path: YamlPath): Step {
  const read = pointerReader(rule.each)
  const test = compileWhen(ctx, rule.when, [...path, 'when'])
  const element = compileFieldSteps(ctx, rule.fields, [...path, 'fields'])
  const set = compileSetter(pointer)
  const required = rule.required === true
  return (source, out, at, short) => {
    if (test !== undefined && !test(source)) return
    const field = platformName(at.field, pointer)
    const list = read(source)
    if (!Array.isArray(list) || list.length === 0) {
      if (required) short.push({ field, from: at.from + rule.each, why: 'required by the platform, but the case has no value' })
      return
    }
    const built: Array<Record<string, unknown>> = []
    list.forEach((item, i) => {
      const inner: Record<string, unknown> = {}
      const where: Where = { field: `${field}[${i}].`, from: `${at.from}${rule.each}/${i}` }
      const record = typeof item === 'object' && item !== null && !Array.isArray(item) ? item as Record<string, unknown> : {}
      for (const step of element) step(record, inner, where, short)
      built.push(inner)
    })
    set(out, built)
  }
}

function compileFieldSteps (ctx: OutboundContext, fields: ProfileFields, path: YamlPath): Step[] {
  const entries = Object.entries(fields).filter((e): e is [string, ProfileRule] => e[1] !== undefined)
  checkPointers(ctx.doc, entries.map(([pointer]) => ({ pointer, path: [...path, pointer] })))
  return entries.map(([pointer, rule]) => compileRule(ctx, pointer, rule, [...path, pointer]))
}

/** What the compiled `record:` section offers. */
export interface Outbound {
  /** The platform record, or what the case lacks. Pure and synchronous. */
  readonly build: (c: Record<string, unknown>) => { record: Record<string, unknown>; short: readonly Shortfall[] }
  /** Top-level platform fields the rules write, in file order. */
  readonly fields: readonly string[]
  /** The top-level platform field written `from: /caseNumber`, if one is. */
  readonly caseNumberField: string | undefined
}

export function compileOutbound (ctx: OutboundContext, fields: ProfileFields, path: YamlPath): Outbound {
  const steps = compileFieldSteps(ctx, fields, path)
  const top = [...new Set(Object.keys(fields).map(p => pointerSegments(p)[0]!))]
  const caseNumberRule = Object.entries(fields).find(([, rule]) => rule !== undefined && !isEach(rule) && !isChoose(rule) && rule.from === '/caseNumber')
  const root: Where = { field: '', from: '' }
  return Object.freeze({
    build: (c: Record<string, unknown>) => {
      const record: Record<string, unknown> = {}
      const short: Shortfall[] = []
      for (const step of steps) step(c, record, root, short)
      return { record, short }
    },
    fields: Object.freeze(top),
    caseNumberField: caseNumberRule === undefined ? undefined : caseNumberRule[0],
  })
}
