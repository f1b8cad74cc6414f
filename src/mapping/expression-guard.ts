/**
 * What keeps a JSONata expression from hurting the process that evaluates it.
 *
 * JSONata's own limits (time, depth, sequence length; see expressions.ts) are checked between
 * evaluation steps. A single built-in call runs to its end inside one step: `$pad("", 2e8)`
 * asks V8 for a 200 MB string and can abort the whole process ("invalid size error") before
 * any step limit is looked at, and no time limit interrupts it. Neither does a worker thread
 * with `resourceLimits`: measured, the whole process died with heap limits from 64 MB to 2 GB.
 * A forked child with its own heap limit would contain it, at the price of a process hop for
 * every record. So the allocation is never made: every JSONata built-in an expression can
 * name is replaced, for mapping expressions, by a guarded version of itself that
 *  - refuses text arguments longer than {@link GUARD_LIMITS.textChars} (nothing that long can
 *    be delivered: the canonical schema's longest text is 20,000 characters);
 *  - checks, before calling the built-in, the size of what it is about to build (`$pad`'s
 *    width, `$join`'s total, `$string` of a large value, `$split`'s pieces, a date picture's
 *    width, a Roman numeral) — the calls that allocate in proportion to an argument;
 *  - charges every text it returns to a budget of one evaluation
 *    ({@link GUARD_LIMITS.allocatedChars}), so a loop of calls cannot add up to gigabytes.
 * The string operator `&` and the range operator `..` are not functions; the expression's
 * syntax tree is rewritten once, when it is compiled, so that `a & b` calls a guarded
 * concatenation (unless it joins only literals and record fields) and every range charges its length to the evaluation's item budget
 * ({@link GUARD_LIMITS.rangeItems}). The result of an evaluation is measured before it is
 * copied out ({@link GUARD_LIMITS.resultChars}).
 *
 * A guard refusal is thrown as an `ExpressionLimitError` (JSONata adds its position on the way
 * out, as it does to its own errors), and becomes
 * an expression failure of the record (or, when the mapping is loaded, a refused mapping).
 *
 * The guarded built-ins and the calls of an expression's own functions are also the points
 * where a long evaluation lets the event loop run (event-loop-turns.ts), so `/healthz` and
 * the other requests are answered while a slow expression is being stopped by its time limit.
 */
import jsonata from 'jsonata'
import { turnIfDue } from './event-loop-turns.js'
import { ExpressionLimitError, InternalError } from '../errors.js'

/** Sizes one evaluation of one expression may reach. */
export const GUARD_LIMITS = Object.freeze({
  /** Longest text a built-in may take or make, and `&` may make. */
  textChars: 100_000,
  /** All text made by built-ins and `&` in one evaluation, added up. */
  allocatedChars: 2_000_000,
  /** All items made by ranges (`[1..n]`) and `$split` in one evaluation, added up. */
  rangeItems: 100_000,
  /** The result, measured as JSON text. */
  resultChars: 100_000,
})

function refuse (message: string): never {
  throw new ExpressionLimitError(message)
}

/** What one evaluation has left to spend; bound under a name no expression can write (it holds a space). */
interface Budget { chars: number; items: number }
const BUDGET = 'cb budget'
const CONCAT = 'cb concat'
const RANGE_END = 'cb range end'
const PAUSE = 'cb pause'

/** The budget of the evaluation a built-in is called in (`this` of a JSONata function is its focus). */
function budgetOf (focus: unknown): Budget {
  const budget = (focus as { environment?: { lookup (name: string): unknown } } | undefined)?.environment?.lookup(BUDGET) as Budget | undefined
  if (budget === undefined) refuse('the expression guard has no budget for this evaluation')
  return budget
}

function charge (budget: Budget, chars: number, what: string): void {
  if (chars > GUARD_LIMITS.textChars) refuse(`${what} would make text of ${chars} characters, more than ${GUARD_LIMITS.textChars}; stopped`)
  budget.chars -= chars
  if (budget.chars < 0) refuse(`the expression made more than ${GUARD_LIMITS.allocatedChars} characters of text in all; stopped at ${what}`)
}

function chargeItems (budget: Budget, items: number, what: string): void {
  budget.items -= items
  if (budget.items < 0) refuse(`the expression made more than ${GUARD_LIMITS.rangeItems} list items in all; stopped at ${what}`)
}

/**
 * The length of `value` as JSON text, counted without building it, stopping as soon as it
 * passes `limit` (so a huge or endlessly shared structure costs at most `limit` steps).
 * `indent` adds what pretty-printing would.
 */
export function jsonLength (value: unknown, limit: number, indent = 0): number {
  let total = 0
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }]
  while (stack.length > 0 && total <= limit) {
    const { v, depth } = stack.pop()!
    total += indent * depth + 1
    if (typeof v === 'string') total += v.length + 1
    else if (typeof v === 'number') total += 24
    else if (Array.isArray(v)) for (const item of v) stack.push({ v: item, depth: depth + 1 })
    else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        total += key.length + 3
        stack.push({ v: item, depth: depth + 1 })
      }
    } else total += 5
  }
  return total
}

function checkTextArgs (name: string, args: readonly unknown[]): void {
  for (const arg of args) {
    if (typeof arg === 'string' && arg.length > GUARD_LIMITS.textChars) refuse(`$${name} was given text of ${arg.length} characters, more than ${GUARD_LIMITS.textChars}; stopped`)
  }
}

/** Occurrences of `pattern` in `text`, counting no further than `max`. */
function occurrences (text: string, pattern: string, max: number): number {
  let n = 0
  for (let at = text.indexOf(pattern); at !== -1 && n <= max; at = text.indexOf(pattern, at + Math.max(1, pattern.length))) n++
  return n
}

/** A width modifier in a date picture ("[Y,100000]") of four digits or more: padding to it allocates that much. */
const WIDE_PICTURE = /,[^\]]*\d{4,}/
/** Roman numerals grow with the number ("M" per thousand): $formatInteger(1e15, "I") never ends. */
const MAX_ROMAN = 100_000

/** Checks of what a built-in is about to build, made before it is called. */
const BEFORE: Readonly<Record<string, (args: readonly unknown[], budget: Budget) => void>> = Object.freeze({
  pad: ([str, width], budget) => {
    if (typeof width !== 'number') return // JSONata's own signature check answers for a missing or wrong width
    const wanted = Math.abs(Math.trunc(width))
    if (!(wanted <= GUARD_LIMITS.textChars)) refuse(`$pad to a width of ${String(width)} would make text longer than ${GUARD_LIMITS.textChars} characters; stopped`)
    charge(budget, Math.max(0, wanted - (typeof str === 'string' ? str.length : 0)), '$pad')
  },
  join: ([strs, separator]) => {
    if (!Array.isArray(strs)) return
    const sep = typeof separator === 'string' ? separator.length : 0
    let total = 0
    for (const s of strs) total += (typeof s === 'string' ? s.length : 0) + sep
    if (total > GUARD_LIMITS.textChars) refuse(`$join would make text of ${total} characters, more than ${GUARD_LIMITS.textChars}; stopped`)
  },
  string: ([arg, prettify]) => {
    if (typeof arg === 'string') return
    const size = jsonLength(arg, GUARD_LIMITS.textChars, prettify === true ? 2 : 0)
    if (size > GUARD_LIMITS.textChars) refuse(`$string of a value larger than ${GUARD_LIMITS.textChars} characters as text; stopped`)
  },
  clone: ([arg]) => {
    if (jsonLength(arg, GUARD_LIMITS.resultChars) > GUARD_LIMITS.resultChars) refuse(`$clone of a value larger than ${GUARD_LIMITS.resultChars} characters as text; stopped`)
  },
  split: ([str, separator, limit], budget) => {
    if (typeof str !== 'string') return
    const cap = typeof limit === 'number' ? limit : Infinity
    const pieces = typeof separator === 'string' ? (separator === '' ? str.length : occurrences(str, separator, GUARD_LIMITS.rangeItems) + 1) : 0
    chargeItems(budget, Math.min(cap, pieces), '$split')
  },
  replace: ([str, pattern, replacement, limit]) => {
    if (typeof str !== 'string' || typeof pattern !== 'string' || typeof replacement !== 'string' || pattern === '') return
    const cap = typeof limit === 'number' ? limit : Infinity
    // "$0" in a replacement stands for the match: count it at the pattern's length.
    const each = replacement.length * Math.max(1, pattern.length)
    const total = str.length + Math.min(cap, occurrences(str, pattern, GUARD_LIMITS.textChars)) * each
    if (total > GUARD_LIMITS.textChars) refuse(`$replace could make text of ${total} characters, more than ${GUARD_LIMITS.textChars}; stopped`)
  },
  distinct: ([arr]) => { if (Array.isArray(arr) && arr.length > GUARD_LIMITS.rangeItems / 10) refuse(`$distinct of ${arr.length} items compares every pair; at most ${GUARD_LIMITS.rangeItems / 10}`) },
  sort: ([arr]) => { if (Array.isArray(arr) && arr.length > GUARD_LIMITS.rangeItems) refuse(`$sort of ${arr.length} items; at most ${GUARD_LIMITS.rangeItems}`) },
  formatInteger: ([value, picture]) => {
    if (typeof picture === 'string' && /[Ii]/.test(picture) && Math.abs(Number(value)) > MAX_ROMAN) refuse(`$formatInteger as a Roman numeral of a number above ${MAX_ROMAN}; stopped`)
  },
  fromMillis: ([, picture]) => { if (typeof picture === 'string' && WIDE_PICTURE.test(picture)) refuse('$fromMillis with a width of 1000 or more in its picture; stopped') },
})

interface JsonataFunction { _jsonata_function: true; implementation: (...args: unknown[]) => unknown; signature?: unknown }

/** The guarded version of a built-in: same signature (so JSONata checks and fills arguments the same way), guarded implementation. */
function guarded (name: string, original: JsonataFunction): JsonataFunction {
  const before = BEFORE[name]
  const inner = original.implementation
  const what = `$${name}`
  const settle = (budget: Budget, result: unknown): unknown => {
    if (typeof result === 'string') charge(budget, result.length, what)
    const turn = turnIfDue()
    return turn === undefined ? result : turn.then(() => result)
  }
  const implementation = function (this: unknown, ...args: unknown[]): unknown {
    checkTextArgs(name, args)
    const budget = budgetOf(this)
    if (before !== undefined) before(args, budget)
    const result = inner.apply(this, args)
    return result instanceof Promise ? result.then(value => settle(budget, value)) : settle(budget, result)
  }
  return { ...original, implementation }
}

/** `a & b` as JSONata defines it (each side as text, nothing for a missing side), guarded. */
function concat (this: unknown, left: unknown, right: unknown): string {
  const budget = budgetOf(this)
  const text = (v: unknown): string => {
    if (v === undefined || typeof v === 'function') return ''
    if (typeof v === 'string') return v
    if (typeof v === 'number' && !Number.isFinite(v)) throw { code: 'D3001', value: v }
    if (jsonLength(v, GUARD_LIMITS.textChars) > GUARD_LIMITS.textChars) refuse(`"&" of a value larger than ${GUARD_LIMITS.textChars} characters as text; stopped`)
    return STRING.implementation.call(this, v) as string
  }
  const l = text(left)
  const r = text(right)
  charge(budget, l.length + r.length, '"&"')
  return l + r
}

/** The end of a range `a..b`, after charging the range's length to the evaluation's item budget. */
function rangeEnd (this: unknown, start: unknown, end: unknown): unknown {
  if (typeof start === 'number' && typeof end === 'number' && end >= start) chargeItems(budgetOf(this), end - start + 1, `the range [${start}..${end}]`)
  return end
}

/** A call of the expression's own function, passed through: a point where the evaluation may wait for the event loop. */
function pausePoint (value: unknown): unknown {
  const turn = turnIfDue()
  return turn === undefined ? value : turn.then(() => value)
}

/** The built-in functions as JSONata defines them, read once from JSONata itself. */
async function builtins (names: readonly string[]): Promise<Map<string, JsonataFunction>> {
  const found = new Map<string, JsonataFunction>()
  for (const name of names) {
    const fn = await jsonata(`$${name}`).evaluate({}) as JsonataFunction | undefined
    if (fn?._jsonata_function !== true) throw new InternalError(`JSONata has no built-in $${name}; the expression guard must be updated for this JSONata version`)
    found.set(name, fn)
  }
  return found
}

/** Every built-in of JSONata 2.x an expression can call. */
const BUILTIN_NAMES = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase', 'uppercase', 'length', 'trim', 'pad',
  'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs',
  'sqrt', 'power', 'boolean', 'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse',
  'each', 'error', 'assert', 'type', 'sort', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent',
  'decodeUrl', 'toMillis', 'fromMillis', 'clone',
] as const

const ORIGINALS = await builtins(BUILTIN_NAMES)
const STRING = ORIGINALS.get('string')!

/** What every guarded expression has bound over JSONata's built-ins (assigned once per expression). */
export const GUARDED_BINDINGS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ...[...ORIGINALS].map(([name, fn]) => [name, guarded(name, fn)] as const),
  [CONCAT, { _jsonata_function: true, implementation: concat }],
  [RANGE_END, { _jsonata_function: true, implementation: rangeEnd }],
  [PAUSE, { _jsonata_function: true, implementation: pausePoint }],
])

/** The bindings of one evaluation: a fresh budget (the guarded functions are assigned to the expression once). */
export function evaluationBindings (): Record<string, unknown> {
  const budget: Budget = { chars: GUARD_LIMITS.allocatedChars, items: GUARD_LIMITS.rangeItems }
  return { [BUDGET]: budget }
}

interface AstNode { type?: string; value?: unknown; position?: number; lhs?: AstNode; rhs?: AstNode; [key: string]: unknown }

const call = (name: string, position: number | undefined, args: AstNode[]): AstNode => ({ type: 'function', value: '(', position, procedure: { type: 'variable', value: name, position }, arguments: args })

/**
 * Whether a `&` can only join literals and record fields (`AY & '：' & AQZY`): its size is then
 * fixed by the expression's text and the record, nothing can feed it back into itself, so it
 * needs no guard — and the most common expressions keep JSONata's own, cheaper operator.
 */
function fixedSize (node: AstNode): boolean {
  switch (node.type) {
    case 'string': case 'number': return true
    case 'path': return Array.isArray(node.steps) && (node.steps as AstNode[]).every(step => step.type === 'name' && step.stages === undefined && step.predicate === undefined && step.group === undefined)
    case 'binary': return node.value === '&' && node.lhs !== undefined && node.rhs !== undefined && fixedSize(node.lhs) && fixedSize(node.rhs)
    default: return false
  }
}

/**
 * Rewrite, in place, the operators the guard must see: `a & b` becomes a call of the guarded
 * concatenation, and `a..b` charges its length before JSONata builds it. JSONata evaluates the
 * tree it returned from `ast()`, so the rewrite takes effect for every later evaluation.
 */
export function guardOperators (nodes: Iterable<AstNode>): void {
  const builtins = new Set<string>(BUILTIN_NAMES)
  for (const node of [...nodes]) {
    // A call of a function the expression defines (recursion runs through these) becomes a pause point.
    const procedure = node.procedure as AstNode | undefined
    if (node.type === 'function' && procedure?.type === 'variable' && typeof procedure.value === 'string' && !builtins.has(procedure.value) && !procedure.value.startsWith('cb ')) {
      const original = { ...node }
      for (const key of Object.keys(node)) Reflect.deleteProperty(node, key)
      Object.assign(node, call(PAUSE, original.position, [original]))
      continue
    }
    if (node.type !== 'binary') continue
    if (node.value === '&' && node.lhs !== undefined && node.rhs !== undefined && !fixedSize(node)) {
      const replacement = call(CONCAT, node.position, [node.lhs, node.rhs])
      for (const key of Object.keys(node)) Reflect.deleteProperty(node, key)
      Object.assign(node, replacement)
    } else if (node.value === '..' && node.lhs !== undefined && node.rhs !== undefined) {
      node.rhs = call(RANGE_END, node.position, [node.lhs, node.rhs])
    }
  }
}
