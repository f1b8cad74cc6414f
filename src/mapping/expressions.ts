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
 * and a list size, checked by JSONata between evaluation steps. The limits catch mistakes
 * (endless recursion, a list exploding); they do not make a hostile author harmless — a
 * single built-in call such as `$pad("", 100000000)` still runs to its end. Mapping files are
 * written by the hub's administrators, not by agencies.
 *
 * JSONata evaluates asynchronously, so the values of a mapping's expressions are computed for
 * a record before its (synchronous) rules run; see `mapAsync` in compile.ts.
 */
import jsonata from 'jsonata'
import { fail, type PositionedYaml, type YamlPath } from './compile-context.js'

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
const FORBIDDEN_FUNCTIONS: Readonly<Record<string, string>> = Object.freeze({
  now: 'it changes on every run, so the same record would give a different case each time',
  millis: 'it changes on every run, so the same record would give a different case each time',
  random: 'it changes on every run, so the same record would give a different case each time',
  eval: 'it runs text built at run time, which cannot be checked when the mapping is loaded',
})

/** Why an evaluation produced no value; the message never quotes record data. */
export class ExpressionFailure {
  constructor (readonly message: string) {}
}

/** A compiled expression: record (or element) in, plain JSON data (or undefined) or a failure out. Never rejects. */
export type Expression = (input: unknown) => Promise<unknown>

interface JsonataError { code?: string; position?: number; message?: string }

interface AstNode { type?: string; value?: unknown; position?: number; [key: string]: unknown }

/** Every AST node reachable from `node`. */
function * nodes (node: unknown, seen = new Set<object>()): Generator<AstNode> {
  if (typeof node !== 'object' || node === null || node instanceof RegExp || seen.has(node)) return
  seen.add(node)
  if (!Array.isArray(node) && typeof (node as AstNode).type === 'string') yield node as AstNode
  for (const value of Object.values(node)) yield * nodes(value, seen)
}

/** A RegexEngine for JSONata that refuses: the AST check has already ruled regexes out; this is the second net. */
class NoRegex {
  constructor () { throw Object.assign(new Error('regular expressions are not allowed in mapping expressions'), { code: 'CB_NO_REGEX' }) }
}

const refuse = (name: string) => (): never => { throw Object.assign(new Error(`$${name} is not allowed in mapping expressions`), { code: 'CB_FORBIDDEN' }) }
/** Bound over JSONata's own functions in every evaluation, the second net behind the AST check. */
const SHADOWS: Readonly<Record<string, unknown>> = Object.freeze(Object.fromEntries(Object.keys(FORBIDDEN_FUNCTIONS).map(name => [name, refuse(name)])))

function failureOf (err: unknown): ExpressionFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as JsonataError
  switch (e.code) {
    case 'D1012': return new ExpressionFailure(`the expression ran longer than ${EXPRESSION_LIMITS.timeoutMs} ms and was stopped`)
    case 'D1011': return new ExpressionFailure(`the expression nested deeper than ${EXPRESSION_LIMITS.depth} steps (endless recursion?) and was stopped`)
    case 'D2015': return new ExpressionFailure(`the expression built a list longer than ${EXPRESSION_LIMITS.sequence} items and was stopped`)
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
  const json = JSON.stringify(value, (_key, v: unknown) => typeof v === 'function' ? undefined : v)
  return json === undefined ? undefined : JSON.parse(json) as unknown
}

/** Parse and check the expression at `path`; a problem is a mapping file error at its position. */
export function compileExpression (doc: PositionedYaml, path: YamlPath, text: string): Expression {
  let expression: jsonata.Expression
  try {
    expression = jsonata(text, { RegexEngine: NoRegex as unknown as RegExpConstructor, timeout: EXPRESSION_LIMITS.timeoutMs, stack: EXPRESSION_LIMITS.depth, sequence: EXPRESSION_LIMITS.sequence })
  } catch (err) {
    const e = err as JsonataError
    fail(doc, path, `the expression is not valid JSONata: ${e.message ?? String(err)}${typeof e.position === 'number' ? ` (at character ${e.position})` : ''}`)
  }
  for (const node of nodes(expression.ast())) {
    if (node.type === 'regex') fail(doc, path, `regular expressions are not allowed in mapping expressions (character ${node.position ?? 0}): a bad pattern can hang the hub; use $contains, $substringBefore, $split with plain text`)
    if (node.type === 'variable' && typeof node.value === 'string' && Object.prototype.hasOwnProperty.call(FORBIDDEN_FUNCTIONS, node.value)) {
      fail(doc, path, `$${node.value} is not allowed in mapping expressions (character ${node.position ?? 0}): ${FORBIDDEN_FUNCTIONS[node.value]!}`)
    }
  }
  return async (input: unknown) => {
    try {
      return plain(await expression.evaluate(input, SHADOWS))
    } catch (err) {
      return failureOf(err)
    }
  }
}
