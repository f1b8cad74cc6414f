/**
 * The compiled mapping plan turned into one JavaScript function per mapping, the way ajv
 * compiles a schema. The interpreted plan (a list of step closures, compile-rules.ts) runs
 * every rule through the same few closures, whose call sites V8 sees with every kind of
 * converter and so cannot inline; the generated function gives each rule its own code: the
 * field read, the text check, the conversion call and the nested write, in the order the
 * steps run.
 *
 * Safety: nothing from the mapping file ever becomes code. Field names, pointers and words
 * enter the source only as string literals ({@link literal}: JSON, with U+2028/U+2029
 * escaped as well); every function the plan holds (converters, conditions, clean-ups, the
 * interpreted steps for what is not inlined) is passed in as a value (`K[n]`) and only
 * called. A pointer segment the mapping may not write (`__proto__` …; refused when the file
 * is compiled anyway) is written through the interpreted setter, never as code.
 *
 * What is inlined: `from` rules without `split` when the source holds text, and `each`
 * lists. Anything else — a number or a date from a database driver, a list where a value
 * was expected, constants, `concat`, `choose`, `expr`, `split` — calls the interpreted
 * rule, so both paths give the same outcome by construction; a property test
 * (test/mapping/codegen-equivalence.test.ts) compares them on randomised records.
 */
import type { Scope, Step } from './compile-context.js'
import { MESSAGES, type StepPlan } from './compile-rules.js'
import { compileSetter, FORBIDDEN_SEGMENTS, pointerSegments } from './pointer.js'
import { problem } from './problems.js'
import { compileReader, pathSteps } from './source-path.js'
import { Failure } from './transforms/convert.js'

/** A JavaScript string literal of `text`: JSON, with the two line separators JSON leaves bare escaped too. */
export function literal (text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

/** The variables that hold the current record, the object being built and the scope. */
interface Place { readonly rec: string; readonly out: string; readonly sc: string }

/** Collects the values the generated code refers to and hands out fresh variable names. */
class Emitter {
  readonly refs: unknown[] = []
  private count = 0
  ref (value: unknown): string {
    this.refs.push(value)
    return `K[${this.refs.length - 1}]`
  }

  name (base: string): string { return `${base}${this.count++}` }
}

/** Statements writing `value` (an expression without side effects) at `pointer` in `target`, creating objects on the way, as compileSetter does. */
function setCode (e: Emitter, target: string, pointer: string, value: string): string {
  const segments = pointerSegments(pointer)
  if (segments.length === 0 || segments.some(s => FORBIDDEN_SEGMENTS.has(s))) return `${e.ref(compileSetter(pointer))}(${target}, ${value});`
  const last = literal(segments[segments.length - 1]!)
  if (segments.length === 1) return `${target}[${last}] = ${value};`
  const node = e.name('n')
  const next = e.name('m')
  const walk = segments.slice(0, -1).map(s => {
    const key = literal(s)
    return `${next} = ${node}[${key}]; if (typeof ${next} !== "object" || ${next} === null) { ${next} = {}; ${node}[${key}] = ${next}; } ${node} = ${next};`
  }).join(' ')
  return `{ let ${node} = ${target}, ${next}; ${walk} ${node}[${last}] = ${value}; }`
}

/** An expression reading source path `path` of `rec`: inline for one plain field name (own properties only), else the compiled reader. */
function readCode (e: Emitter, rec: string, path: string, reader: (record: Record<string, unknown>) => unknown): string {
  const steps = pathSteps(path)
  if (steps.length === 1 && typeof steps[0] === 'string') {
    const key = literal(steps[0])
    return `(H.call(${rec}, ${key}) ? ${rec}[${key}] : undefined)`
  }
  return `${e.ref(reader)}(${rec})`
}

/** A problem pushed onto `pr`: canonical field and source field as expressions, the rest literals or expressions. */
const pushProblem = (canon: string, source: string, rule: string, message: string, rest = ''): string => `pr.push(mk(${canon}, ${source}, ${rule}, ${message}${rest}));`

/** What a rule does when its source has no value: its default, a `required` problem, or nothing. */
function missingCode (e: Emitter, at: Place, pointer: string, makeDefault: (() => unknown) | undefined, required: boolean, source: string, message: string): string {
  if (makeDefault !== undefined) return setCode(e, at.out, pointer, `${e.ref(makeDefault)}()`)
  if (!required) return ''
  return pushProblem(`${at.sc}.canon + ${literal(pointer)}`, `${at.sc}.source + ${literal(source)}`, '"required"', literal(message))
}

function valueCode (e: Emitter, at: Place, plan: Extract<StepPlan, { kind: 'value' }>): string {
  const { producer } = plan
  const interpreted = `${e.ref(plan.settle)}(${e.ref(producer.produce)}(${at.rec}, ${at.sc}, pr), ${at.out}, ${at.sc}, pr);`
  const inline = producer.inline
  let body = interpreted
  if (inline !== undefined) {
    const text = e.name('v')
    const absent = missingCode(e, at, plan.pointer, plan.makeDefault, plan.required, inline.from, MESSAGES.required)
    const store = (value: string): string => {
      if (inline.wrapAt === undefined) return setCode(e, at.out, plan.pointer, value)
      const wrapped = e.name('w')
      return `{ const ${wrapped} = {}; ${e.ref(inline.wrapAt)}(${wrapped}, ${value}); ${setCode(e, at.out, plan.pointer, wrapped)} }`
    }
    let convertAndStore = store(text)
    if (inline.convert !== undefined) {
      const converted = e.name('c')
      const failed = pushProblem(`${at.sc}.canon + ${literal(inline.problemPointer)}`, `${at.sc}.source + ${literal(inline.from)}`, `${converted}.rule`, `${converted}.message`, `, ${text}, ${inline.personal ? 'true' : 'false'}`)
      convertAndStore = `const ${converted} = ${e.ref(inline.convert)}(${text}); if (${converted} instanceof Fl) { ${failed} } else { ${store(converted)} }`
    }
    const clean = inline.clean === undefined ? '' : `${text} = ${e.ref(inline.clean)}(${text}); `
    body = `let ${text} = ${readCode(e, at.rec, inline.from, compileReader(inline.from))};
  if (typeof ${text} === "string") { ${clean}if (${text}.trim() === "") { ${absent} } else { ${convertAndStore} } }
  else if (${text} === undefined || ${text} === null) { ${absent} }
  else { ${interpreted} }`
  }
  return producer.test === undefined ? `{ ${body} }` : `if (${e.ref(producer.test)}(${at.rec})) { ${body} }`
}

function eachCode (e: Emitter, at: Place, plan: Extract<StepPlan, { kind: 'each' }>): string {
  const [raw, items, list, i, item, built, scope] = ['raw', 'items', 'list', 'i', 'item', 'built', 'sc'].map(b => e.name(b)) as [string, string, string, string, string, string, string]
  const pointer = literal(plan.pointer)
  const each = literal(plan.each)
  const read = plan.self ? at.rec : readCode(e, at.rec, plan.each, plan.read)
  const missing = missingCode(e, at, plan.pointer, plan.makeDefault, plan.required, plan.each, MESSAGES.listRequired)
  const inner: Place = { rec: item, out: built, sc: scope }
  const elements = plan.elements.map(p => stepCode(e, inner, p)).join('\n')
  const innerSource = plan.self ? `${at.sc}.source` : `${at.sc}.source + ${each} + "[" + ${i} + "]."`
  const body = `const ${raw} = ${read}; let ${items};
  if (Array.isArray(${raw})) ${items} = ${raw}.length > 0 ? ${raw} : undefined;
  else if (typeof ${raw} === "object" && ${raw} !== null) ${items} = [${raw}];
  else if (${raw} !== undefined && ${raw} !== null && !(typeof ${raw} === "string" && ${raw}.trim() === "")) { ${pushProblem(`${at.sc}.canon + ${pointer}`, `${at.sc}.source + ${each}`, '"each"', literal(MESSAGES.notAList))} ${items} = null; }
  if (${items} === undefined) { ${missing} }
  else if (${items} !== null) {
    const ${list} = [];
    for (let ${i} = 0; ${i} < ${items}.length; ${i}++) {
      const ${item} = ${items}[${i}];
      const ${built} = {};
      ${list}.push(${built});
      if (typeof ${item} !== "object" || ${item} === null || Array.isArray(${item})) { ${pushProblem(`${at.sc}.canon + ${pointer} + "/" + ${i}`, `${at.sc}.source + ${each} + "[" + ${i} + "]"`, '"each"', literal(MESSAGES.notARecord))} continue; }
      const ${scope} = { canon: ${at.sc}.canon + ${pointer} + "/" + ${i}, source: ${innerSource}, computed: ${at.sc}.computed };
${elements}
    }
    ${setCode(e, at.out, plan.pointer, list)}
  }`
  return plan.test === undefined ? `{ ${body} }` : `if (${e.ref(plan.test)}(${at.rec})) { ${body} }`
}

function stepCode (e: Emitter, at: Place, plan: StepPlan): string {
  if (plan.kind === 'value') return valueCode(e, at, plan)
  if (plan.kind === 'each') return eachCode(e, at, plan)
  return `${e.ref(plan.step)}(${at.rec}, ${at.out}, ${at.sc}, pr);`
}

/** The generated mapper: its source (for tests and reading) and the function, which runs the plans in order like the interpreted steps. */
export interface GeneratedSteps { readonly source: string; readonly run: Step }

/** Generate the function that runs `plans` in order on one record; same outcome as running the interpreted steps. */
export function generateSteps (plans: readonly StepPlan[]): GeneratedSteps {
  const e = new Emitter()
  const top: Place = { rec: 'rec', out: 'out', sc: 'sc' }
  const source = `"use strict";\nreturn function mapRecord (rec, out, sc, pr) {\n${plans.map(p => stepCode(e, top, p)).join('\n')}\n};`
  // eslint-disable-next-line no-new-func -- the generated source holds no text of the mapping but as literals (see the file comment)
  const factory = new Function('K', 'H', 'Fl', 'mk', source) as (K: unknown[], H: typeof Object.prototype.hasOwnProperty, Fl: typeof Failure, mk: typeof problem) => (rec: Record<string, unknown>, out: Record<string, unknown>, sc: Scope, pr: unknown[]) => void
  return { source, run: factory(Object.freeze([...e.refs]) as unknown[], Object.prototype.hasOwnProperty, Failure, problem) }
}
