/**
 * A value rule → a compiled {@link ValueProducer}. Everything the rule says is decided here,
 * once per file: which source (from, const, concat, expr), which clean-ups, which converter,
 * how to wrap. Per record the producer reads, converts, and returns the value — or
 * {@link ABSENT}, or {@link FAILED} after adding problems. Standalone rules and the
 * alternatives of `choose` both use it.
 */
import type { ValueRule } from '../generated/mapping.js'
import { allowedNames, hasOwn, refuse, valueFactory, type FieldsScope, type RuleContext, type Scope, type YamlPath } from './compile-context.js'
import { compileConditionEntry } from './condition-entry.js'
import type { Test } from './conditions.js'
import { compileExpression, ExpressionFailure } from './expressions.js'
import { compileSetter, pointerProblem, type Setter } from './pointer.js'
import { isPersonalPointer, problem } from './problems.js'
import { compileReader, type Reader } from './source-path.js'
import { tableConverter } from './tables.js'
import { Failure, type Convert } from './transforms/convert.js'
import { DATE_FORMAT_NAMES, dateConverterFor } from './transforms/dates.js'
import { MONEY_UNITS } from './transforms/money.js'
import { PARSERS } from './transforms/parsers.js'
import { composeText, TEXT_TRANSFORMS } from './transforms/text.js'
import type { MappingProblem } from './types.js'

/** The source had no value (missing, null, blank): the rule's default or `required` decide. */
export const ABSENT: unique symbol = Symbol('absent')
/** The value could not be made; problems were added. */
export const FAILED: unique symbol = Symbol('failed')
export type Produced = unknown

export interface ValueProducer {
  /** The rule's `when:`, undefined when it always applies. */
  readonly test: Test | undefined
  readonly produce: (record: Record<string, unknown>, scope: Scope, problems: MappingProblem[]) => Produced
  /** Where the value comes from, for reports ("AJBH", "XM+MC", "(expression)"); undefined for const. */
  readonly source: string | undefined
  /**
   * For a `from` rule without `split`: what the generated mapper (codegen.ts) needs to do
   * `produce`'s work inline for a text value. Any other value, and every other rule, is
   * left to `produce` itself.
   */
  readonly inline?: InlinePlan
}

/** The parts of a `from` rule the generated mapper runs inline (see {@link ValueProducer.inline}). */
export interface InlinePlan {
  readonly from: string
  readonly clean: ((s: string) => string) | undefined
  readonly convert: Convert | undefined
  readonly wrapAt: Setter | undefined
  /** The canonical pointer a conversion problem names, relative to the rule's scope: the rule's pointer and its `as`. */
  readonly problemPointer: string
  readonly personal: boolean
}

const CONVERTERS = ['date', 'money', 'table', 'parse'] as const
const SOURCES = ['from', 'const', 'concat', 'expr'] as const
export const EXPRESSION_SOURCE = '(expression)'

/** The converter a value rule names, checked against the tables in code and in the file. */
function converterOf (ctx: RuleContext, rule: ValueRule, path: YamlPath): Convert | undefined {
  const named = CONVERTERS.filter(key => rule[key] !== undefined)
  if (named.length > 1) refuse(ctx.doc, [...path, named[1]!], 'mapping.rule.oneConverter', { converters: [...CONVERTERS], named: { and: named } }, 'key')
  const { doc } = ctx
  if (rule.date !== undefined) {
    const convert = dateConverterFor(rule.date, ctx.offset)
    if (convert === undefined) refuse(doc, [...path, 'date'], 'mapping.rule.unknownDateFormat', { name: rule.date, allowed: allowedNames(DATE_FORMAT_NAMES) })
    return convert
  }
  if (rule.money !== undefined) {
    if (!hasOwn(MONEY_UNITS, rule.money)) refuse(doc, [...path, 'money'], 'mapping.rule.unknownMoneyUnit', { name: rule.money, allowed: allowedNames(Object.keys(MONEY_UNITS)) })
    return MONEY_UNITS[rule.money]!()
  }
  if (rule.table !== undefined) {
    const table = ctx.tables.get(rule.table)
    if (table === undefined) refuse(doc, [...path, 'table'], 'mapping.rule.unknownTable', { name: rule.table, allowed: allowedNames(ctx.tables.keys()) })
    return tableConverter(table)
  }
  if (rule.parse !== undefined) {
    if (!hasOwn(PARSERS, rule.parse)) refuse(doc, [...path, 'parse'], 'mapping.rule.unknownParser', { name: rule.parse, allowed: allowedNames(Object.keys(PARSERS)) })
    return PARSERS[rule.parse]!()
  }
  return undefined
}

/** Reads a concatenation: parts present are joined; absent when no field part is present. */
function concatReader (rule: ValueRule): { read: Reader; source: string } {
  const parts = rule.concat!.map(part => typeof part === 'string' ? { read: compileReader(part), text: undefined } : { read: undefined, text: String(part.const) })
  const separator = rule.separator ?? ''
  const read: Reader = record => {
    const pieces: string[] = []
    let present = false
    for (const part of parts) {
      if (part.read === undefined) { pieces.push(part.text!); continue }
      const v = part.read(record)
      if (v === undefined || v === null) continue
      if (typeof v === 'object') return v // a list or object: reported as not a single value
      const text = String(v)
      if (text.trim() === '') continue
      present = true
      pieces.push(text)
    }
    return present ? pieces.join(separator) : undefined
  }
  return { read, source: rule.concat!.filter((p): p is string => typeof p === 'string').join('+') }
}

/**
 * Compile the value rule `rule` at `path`, writing to `pointer` (relative to `base`, the
 * canonical pointer of the enclosing list element with "/0" for any index, '' at the top).
 */
export function compileValueProducer (ctx: RuleContext, fields: FieldsScope, rule: ValueRule, pointer: string, path: YamlPath, base: string, extraPersonal = false): ValueProducer {
  const { doc } = ctx
  const sources = SOURCES.filter(key => hasOwn(rule, key) && (key === 'const' || rule[key] !== undefined))
  if (sources.length !== 1) refuse(doc, path, 'mapping.rule.oneSource', { pointer })
  const kind = sources[0]!
  if (rule.separator !== undefined && kind !== 'concat') refuse(doc, [...path, 'separator'], 'mapping.rule.separatorWithoutConcat', {}, 'key')
  const test = rule.when === undefined ? undefined : compileConditionEntry(doc, rule.when, [...path, 'when'], fields.codeUses)

  if (kind === 'const') {
    const extra = (['text', 'split', ...CONVERTERS, 'as', 'required', 'default'] as const).find(key => rule[key] !== undefined)
    if (extra !== undefined) refuse(doc, [...path, extra], 'mapping.rule.notWithConst', { key: extra }, 'key')
    const make = valueFactory(rule.const)
    return { test, produce: () => make(), source: undefined }
  }

  if (rule.split !== undefined && rule.parse !== undefined) refuse(doc, [...path, 'split'], 'mapping.rule.splitWithParse', {}, 'key')
  const names = rule.text ?? []
  names.forEach((name, i) => {
    if (!hasOwn(TEXT_TRANSFORMS, name)) refuse(doc, [...path, 'text', i], 'mapping.rule.unknownTextTransform', { name, allowed: allowedNames(Object.keys(TEXT_TRANSFORMS)) })
  })
  const clean = names.length === 0 ? undefined : composeText(names)
  const convert = converterOf(ctx, rule, path)
  if (rule.as !== undefined) {
    const bad = pointerProblem(rule.as)
    if (bad !== undefined) refuse(doc, [...path, 'as'], 'mapping.pointer.bad', { pointer: rule.as, reason: bad })
  }
  const wrapAt: Setter | undefined = rule.as === undefined ? undefined : compileSetter(rule.as)
  const asPointer = rule.as ?? ''
  const separator = rule.split
  const reshapes = clean !== undefined || convert !== undefined || separator !== undefined
  // Party names and ID numbers are masked whatever the file says; `personal` can only add fields.
  const personal = rule.personal === true || extraPersonal || isPersonalPointer(base + pointer)

  let readScoped: (record: Record<string, unknown>, scope: Scope) => unknown
  let source: string
  if (kind === 'from') {
    readScoped = compileReader(rule.from!) // a Reader ignores the scope
    source = rule.from!
  } else if (kind === 'concat') {
    const concat = concatReader(rule)
    readScoped = concat.read
    source = concat.source
  } else {
    if (!fields.topLevel) refuse(doc, [...path, 'expr'], 'mapping.rule.exprInsideEach', {}, 'key')
    // Expressions are evaluated before the rules run (they are asynchronous); the rule reads its slot.
    const slot = ctx.expressions.length
    ctx.expressions.push(compileExpression(doc, [...path, 'expr'], rule.expr!, ctx.guardExpressions))
    readScoped = (_record, scope) => scope.computed[slot]
    source = EXPRESSION_SOURCE
  }
  if (rule.table !== undefined) ctx.tableTargets.push({ pointer: base + pointer + (separator === undefined ? '' : '/0') + asPointer, table: ctx.tables.get(rule.table)!, path: [...path, 'table'] })
  const producer = finishProducer({ test, source, reshapes, clean, convert, separator, wrapAt, asPointer, pointer, personal, readScoped, expression: kind === 'expr' })
  if (kind !== 'from' || separator !== undefined) return producer
  return { ...producer, inline: { from: rule.from!, clean, convert, wrapAt, problemPointer: pointer + asPointer, personal } }
}

interface ProducerParts {
  readonly test: Test | undefined
  readonly source: string
  readonly reshapes: boolean
  readonly clean: ((s: string) => string) | undefined
  readonly convert: Convert | undefined
  readonly separator: string | undefined
  readonly wrapAt: Setter | undefined
  readonly asPointer: string
  readonly pointer: string
  readonly personal: boolean
  readonly readScoped: (record: Record<string, unknown>, scope: Scope) => unknown
  /** Expression results may be any JSON value and are kept as they are when the rule does not reshape them. */
  readonly expression: boolean
}

function finishProducer (p: ProducerParts): ValueProducer {
  const { clean, convert, separator, wrapAt, asPointer, pointer, personal, readScoped, source, reshapes, expression } = p
  const wrap = (value: unknown): unknown => {
    if (wrapAt === undefined) return value
    const wrapped: Record<string, unknown> = {}
    wrapAt(wrapped, value)
    return wrapped
  }
  /**
   * One converted value, wrapped if asked; FAILED after a problem when conversion fails.
   * `index` is the piece's place in a split list (-1 if not split); pointers are only built for problems.
   */
  const finish = (text: string, scope: Scope, index: number, problems: MappingProblem[]): unknown => {
    const value = convert === undefined ? text : convert(text)
    if (value instanceof Failure) {
      const canon = scope.canon + pointer + (index < 0 ? '' : '/' + index) + asPointer
      problems.push(problem(canon, scope.source + source, value.rule, value.message, text, personal))
      return FAILED
    }
    return wrap(value)
  }

  const produce = (record: Record<string, unknown>, scope: Scope, problems: MappingProblem[]): Produced => {
    const raw = readScoped(record, scope)
    if (raw instanceof ExpressionFailure) {
      problems.push(problem(scope.canon + pointer, EXPRESSION_SOURCE, 'expr', raw.message))
      return FAILED
    }
    if (raw === undefined || raw === null) return ABSENT
    let text: string
    if (typeof raw === 'string') text = raw
    // A database driver's own date value (a JavaScript Date) is its instant, read like text: `date: timestamp` maps it exactly.
    else if (raw instanceof Date && !Number.isNaN(raw.getTime())) text = raw.toISOString()
    else if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') {
      if (expression && !reshapes) return wrap(raw)
      text = String(raw)
    } else if (expression && !reshapes) {
      return wrap(raw)
    } else {
      problems.push(problem(scope.canon + pointer, scope.source + source, 'single-value', 'expected a single value (text or a number), found a list or an object'))
      return FAILED
    }
    if (clean !== undefined) text = clean(text)
    if (text.trim() === '') return ABSENT
    if (separator === undefined) return finish(text, scope, -1, problems)
    const list: unknown[] = []
    let failed = false
    for (const piece of text.split(separator)) {
      const trimmed = piece.trim()
      if (trimmed === '') continue
      const value = finish(trimmed, scope, list.length, problems)
      if (value === FAILED) failed = true
      list.push(value)
    }
    if (failed) return FAILED
    return list.length > 0 ? list : ABSENT
  }
  return { test: p.test, produce, source }
}
