/**
 * The escape hatch: `expr:` rules hold a JSONata expression for the rare case the declarative
 * rules cannot express. JSONata is a query language over JSON, not JavaScript: an expression
 * sees only the record it is given and JSONata's own functions — no JS globals, no require,
 * no file or network access — and nothing here ever calls eval or Function.
 *
 * Each expression is parsed once, when the mapping is compiled; a syntax error is a mapping
 * file error at the expression's line and column. Beyond what JSONata itself allows, these
 * are refused when compiling:
 *  - `$now`, `$millis`, `$random`: a mapping must give the same case for the same record, or
 *    the ledger would see a change (and re-send the case) on every pull;
 *  - `$eval`: it would run text built at run time, out of reach of these checks;
 *  - regular expressions (`/…/`): a pathological pattern can backtrack for minutes inside one
 *    call, which no time limit can interrupt.
 * Each evaluation runs under {@link EXPRESSION_LIMITS}: a wall-clock budget, a nesting depth
 * and a list size, checked by JSONata between evaluation steps; and under the guard of
 * expression-guard.ts, which checks sizes inside the built-in calls no step limit can
 * interrupt (`$pad("", 200000000)` is refused before it allocates) and the size of the result.
 * When the mapping is loaded, each expression is evaluated once on an empty record
 * ({@link Expression.probe}): one that breaks a limit even then is a mapping file error.
 *
 * JSONata evaluates asynchronously, so the values of a mapping's expressions are computed for
 * a record before its (synchronous) rules run; see `mapAsync` in compile.ts.
 */
import jsonata from 'jsonata'
import { textOf } from '../i18n/texts.js'
import type { MessageKey } from '../i18n/translate.js'
import { refuse as refuseExpression, type PositionedYaml, type YamlPath } from './compile-context.js'
import { evaluationBindings, GUARD_LIMITS, GUARDED_BINDINGS, guardOperators, jsonLength } from './expression-guard.js'
import { ExpressionLimitError, ExpressionRefusedError, MappingFileError } from '../errors.js'

/** Limits of one evaluation of one expression. */
export const EXPRESSION_LIMITS = Object.freeze({
  /** Wall-clock budget; generous because a busy hub may pause an evaluation between steps. */
  timeoutMs: 1000,
  /** Nesting depth of evaluation steps (recursion included). */
  depth: 300,
  /** Longest list an expression may build. */
  sequence: 10_000,
})

/** Functions an expression may not name, and why. */
const FORBIDDEN_FUNCTIONS: Readonly<Record<string, MessageKey>> = Object.freeze({
  now: 'mapping.expr.why.changes',
  millis: 'mapping.expr.why.changes',
  random: 'mapping.expr.why.changes',
  eval: 'mapping.expr.why.eval',
  shuffle: 'mapping.expr.why.shuffle',
})

/** Why an evaluation produced no value; the message never quotes record data. `limit`: a limit stopped it (time, depth, size). */
export class ExpressionFailure {
  constructor (readonly message: string, readonly limit = false) {}
}

/** A compiled expression: record (or element) in, plain JSON data (or undefined) or a failure out. Never rejects. */
export interface Expression {
  (input: unknown): Promise<unknown>
  /** Evaluate once on an empty record; throws MappingFileError at the expression when a limit stops it even then. */
  probe (): Promise<void>
}

interface JsonataError { code?: string; position?: number; message?: string }

interface AstNode { type?: string; value?: unknown; position?: number; [key: string]: unknown }

/** Every AST node reachable from `node`. */
function * nodes (node: unknown, seen = new Set<object>()): Generator<AstNode> {
  if (typeof node !== 'object' || node === null || node instanceof RegExp || seen.has(node)) return
  seen.add(node)
  if (!Array.isArray(node) && typeof (node as AstNode).type === 'string') yield node as AstNode
  for (const value of Object.values(node)) yield * nodes(value, seen)
}

const noRegex = (): never => { throw new ExpressionRefusedError('regular expressions are not allowed in mapping expressions') }
/**
 * A RegexEngine for JSONata that refuses: the AST check has already ruled regexes out; this
 * is the second net. RegExp's own type with every construction (and call) refused.
 */
const NoRegex: RegExpConstructor = new Proxy(RegExp, { construct: noRegex, apply: noRegex })

const refuse = (name: string) => (): never => { throw new ExpressionRefusedError(`$${name} is not allowed in mapping expressions`) }
/** Bound over JSONata's own functions in every evaluation, the second net behind the AST check. */
const SHADOWS: Readonly<Record<string, unknown>> = Object.freeze(Object.fromEntries(Object.keys(FORBIDDEN_FUNCTIONS).map(name => [name, refuse(name)])))

function failureOf (err: unknown): ExpressionFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as JsonataError
  if (err instanceof ExpressionLimitError) return new ExpressionFailure(err.message, true)
  // V8's own refusal ("Invalid string length", "Invalid array length"): the guard's limits are far below it, this is the last net.
  if (err instanceof RangeError) return new ExpressionFailure('the expression built a value too large for the hub and was stopped', true)
  // The second net caught a forbidden call: the message names the function, never record data.
  if (err instanceof ExpressionRefusedError) return new ExpressionFailure(`the expression failed: ${err.message}${typeof e.position === 'number' ? ` (near character ${e.position})` : ''}`)
  switch (e.code) {
    case 'D1012': return new ExpressionFailure(`the expression ran longer than ${EXPRESSION_LIMITS.timeoutMs} ms and was stopped`, true)
    case 'D1011': return new ExpressionFailure(`the expression nested deeper than ${EXPRESSION_LIMITS.depth} steps (endless recursion?) and was stopped`, true)
    case 'D2014':
    case 'D2015': return new ExpressionFailure(`the expression built a list longer than ${EXPRESSION_LIMITS.sequence} items and was stopped`, true)
    default: {
      // JSONata's messages may quote the record's values (personal data): keep the code only.
      const where = typeof e.position === 'number' ? ` near character ${e.position}` : ''
      return new ExpressionFailure(`the expression failed (JSONata error ${e.code ?? 'unknown'}${where})`)
    }
  }
}

/** The result as plain JSON data: JSONata sequences become arrays, functions are refused. */
function plain (value: unknown): unknown {
  if (value === undefined) return undefined
  if (typeof value === 'function') return new ExpressionFailure('the expression gave a function, not a value')
  if (jsonLength(value, GUARD_LIMITS.resultChars) > GUARD_LIMITS.resultChars) return new ExpressionFailure(`the expression's result is larger than ${GUARD_LIMITS.resultChars} characters as JSON and was refused`, true)
  const json = JSON.stringify(value, (_key, v: unknown) => typeof v === 'function' ? undefined : v)
  return json === undefined ? undefined : JSON.parse(json) as unknown
}

/** Parse and check the expression at `path`; a problem is a mapping file error at its position. `guard: false` only to measure what the guard costs (test/bench/mapping.ts). */
export function compileExpression (doc: PositionedYaml, path: YamlPath, text: string, guard = true): Expression {
  let expression: jsonata.Expression
  try {
    expression = jsonata(text, { RegexEngine: NoRegex, timeout: EXPRESSION_LIMITS.timeoutMs, stack: EXPRESSION_LIMITS.depth, sequence: EXPRESSION_LIMITS.sequence })
  } catch (err) {
    const e = err as JsonataError
    refuseExpression(doc, path, 'mapping.expr.invalid', { detail: e.message ?? String(err), position: typeof e.position === 'number' ? textOf('mapping.expr.atCharacter', { position: e.position }) : '' })
  }
  for (const node of nodes(expression.ast())) {
    if (node.type === 'regex') refuseExpression(doc, path, 'mapping.expr.regex', { position: node.position ?? 0 })
    if (node.type === 'variable' && typeof node.value === 'string' && Object.prototype.hasOwnProperty.call(FORBIDDEN_FUNCTIONS, node.value)) {
      refuseExpression(doc, path, 'mapping.expr.forbiddenFunction', { name: node.value, position: node.position ?? 0, reason: textOf(FORBIDDEN_FUNCTIONS[node.value]!) })
    }
  }
  if (guard) {
    guardOperators(nodes(expression.ast()))
    for (const [name, fn] of GUARDED_BINDINGS) expression.assign(name, fn)
    // The refusing shadows, once: binding them per evaluation costs every evaluation.
    for (const [name, fn] of Object.entries(SHADOWS)) expression.assign(name, fn)
  }
  const evaluate = async (input: unknown): Promise<unknown> => {
    try {
      return plain(await expression.evaluate(input, guard ? evaluationBindings() : SHADOWS))
    } catch (err) {
      return failureOf(err)
    }
  }
  const where = doc.where(path)
  return Object.assign(evaluate, {
    probe: async (): Promise<void> => {
      const outcome = await evaluate({})
      if (outcome instanceof ExpressionFailure && outcome.limit) throw new MappingFileError(where, textOf('mapping.expr.limitOnEmpty', { detail: outcome.message }))
    },
  })
}
