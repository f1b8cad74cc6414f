/**
 * Turns ajv errors into {@link FieldProblem}s a person fixing a mapping or a source record
 * can act on: one line per offending field, pointing at the field itself (for a missing
 * property, at where it should be), saying in English what was expected, and never
 * quoting the offending value — values may be personal data (names, ID numbers).
 */
import type { ErrorObject } from 'ajv/dist/2020.js'

/** One thing wrong with a record, as a human-readable, value-free finding. */
export interface FieldProblem {
  /** JSON pointer of the offending field, e.g. "/parties/0/idNumber"; for a missing property, the pointer of that property, e.g. "/transfer/receivingUnit". */
  path: string
  /** The failing ajv keyword ("required", "pattern", …), or "format:<name>" for a format, e.g. "format:cn-resident-id". */
  rule: string
  /** English, names what was expected; never contains the offending value. */
  message: string
}

/** What each format expects, as a noun phrase. */
export const FORMAT_WORDS: Readonly<Record<string, string>> = {
  'cn-resident-id': 'an 18-character resident ID number with a valid ISO 7064 check digit (uppercase X) and a real birth date',
  'cn-uscc': 'an 18-character unified social credit code (GB 32100-2015) with a valid check character',
  'date-time': 'an RFC 3339 date-time, e.g. 2024-01-31T09:30:00+08:00',
  uri: 'an absolute URI, e.g. https://files.example/decision.pdf',
}

/** What each pattern of schemas/case.schema.json expects, as a noun phrase, keyed by the pattern source. */
export const PATTERN_WORDS: Readonly<Record<string, string>> = {
  '^(0|[1-9][0-9]{0,13})\\.[0-9]{2}$': 'an amount in yuan with exactly two decimals and no sign or separators, e.g. "1500.00"',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$':
    'a date-time with an explicit UTC offset (Z or ±hh:mm), e.g. 2024-01-31T09:30:00+08:00',
  '^[1-9][0-9]{5}$': 'a 6-digit administrative division code (行政区划代码) not starting with 0',
  '^[^\\u0000-\\u001f\\u007f]+$': 'text without control characters',
  '^[a-f0-9]{64}$': 'a SHA-256 digest as 64 lowercase hexadecimal characters',
  '^(/[A-Za-z]+)+$': 'a canonical field as a JSON pointer of property names, e.g. /regionCode',
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean (true or false)',
  object: 'an object', array: 'an array', null: 'null',
}

/** Ajv errors that only say "a subschema failed"; the subschema's own errors say what. */
const WRAPPER_KEYWORDS = new Set(['if', 'oneOf', 'anyOf'])

type Node = Record<string, unknown>
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

const escapeSegment = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')
const splitPointer = (p: string): string[] => p === '' ? [] : p.slice(1).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))

/** Segments of an ajv schemaPath ("#/$defs/transfer/dependentRequired"), unescaped. */
function schemaSegments (schemaPath: string): string[] {
  return splitPointer(decodeURIComponent(schemaPath.replace(/^[^#]*#/, '')))
}

/** The schema node at `segments` under `root`, following a local `$ref` at the end. */
function resolveSchema (root: Node, segments: readonly string[]): Node | undefined {
  let node: unknown = root
  for (const seg of segments) {
    if (Array.isArray(node)) node = node[Number(seg)]
    else if (isNode(node)) node = node[seg]
    else return undefined
  }
  return followRef(root, node)
}

function followRef (root: Node, node: unknown): Node | undefined {
  if (isNode(node) && typeof node.$ref === 'string' && node.$ref.startsWith('#')) {
    return resolveSchema(root, splitPointer(decodeURIComponent(node.$ref.slice(1))))
  }
  return isNode(node) ? node : undefined
}

const locationsByRoot = new WeakMap<Node, Map<object, string[]>>()

/** Where every object of `root` sits in it, as pointer segments (computed once per root). */
function locations (root: Node): Map<object, string[]> {
  let found = locationsByRoot.get(root)
  if (found === undefined) {
    const map = new Map<object, string[]>()
    const walk = (node: unknown, at: string[]): void => {
      if (typeof node !== 'object' || node === null || map.has(node)) return
      map.set(node, at)
      for (const [k, v] of Object.entries(node)) walk(v, [...at, k])
    }
    walk(root, [])
    locationsByRoot.set(root, found = map)
  }
  return found
}

/**
 * Where in `root` the failing keyword sits. Ajv's `schemaPath` is relative to the `$ref`
 * target it was reached through whenever that target is compiled as its own function
 * ("#/discriminator" for `$defs/party`), so with `verbose` errors the keyword's own schema
 * object (`parentSchema`, the very object of `root`) is located instead; without it, the
 * schemaPath is taken as absolute, which holds for errors outside `$ref`s.
 */
function keywordLocation (err: ErrorObject, root: Node): string[] {
  const at = err.parentSchema === undefined ? undefined : locations(root).get(err.parentSchema)
  return at === undefined ? schemaSegments(err.schemaPath) : [...at, err.keyword]
}

/**
 * Why a conditional requirement applies: the `description` of the innermost `then` or
 * `dependentSchemas/<name>` subschema the error came from, if any.
 */
function conditionOf (root: Node, segments: readonly string[]): string | undefined {
  for (let i = segments.length - 1; i >= 0; i--) {
    // A keyword position, not a property that happens to be called "then".
    if (segments[i - 1] === 'properties') continue
    const conditional = segments[i] === 'then' || (segments[i - 1] === 'dependentSchemas' && segments[i - 2] !== 'properties')
    if (!conditional) continue
    const description = resolveSchema(root, segments.slice(0, i + 1))?.description
    return typeof description === 'string' ? description : undefined
  }
  return undefined
}

/** The noun phrase for what a string-typed schema expects, from its format or pattern. */
function stringWords (schema: Node | undefined): string | undefined {
  if (typeof schema?.format === 'string' && FORMAT_WORDS[schema.format] !== undefined) return FORMAT_WORDS[schema.format]
  if (typeof schema?.pattern === 'string') return PATTERN_WORDS[schema.pattern]
  return undefined
}

/** The tag values a discriminated `oneOf` accepts, e.g. ["person", "organisation"]. */
function discriminatorValues (root: Node, schema: Node | undefined, tag: string): string[] {
  const members = Array.isArray(schema?.oneOf) ? schema.oneOf : []
  return members.flatMap((member: unknown) => {
    const props = followRef(root, member)?.properties
    const tagSchema = isNode(props) ? props[tag] : undefined
    return isNode(tagSchema) && typeof tagSchema.const === 'string' ? [tagSchema.const] : []
  })
}

const quoteList = (values: readonly unknown[]): string => values.map(v => JSON.stringify(v)).join(', ')
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/** One ajv error as a problem. */
function toProblem (err: ErrorObject, root: Node): FieldProblem {
  const segments = keywordLocation(err, root)
  const parent = err.parentSchema ?? resolveSchema(root, segments.slice(0, -1))
  const params = err.params as Record<string, unknown>
  let path = err.instancePath
  let rule = err.keyword
  let message: string
  switch (err.keyword) {
    case 'required':
      path += '/' + escapeSegment(String(params.missingProperty))
      message = 'is required'
      break
    case 'dependentRequired':
      path += '/' + escapeSegment(String(params.missingProperty))
      message = `is required when ${String(params.property)} is present`
      break
    case 'additionalProperties':
      path += '/' + escapeSegment(String(params.additionalProperty))
      message = 'is not a known property here; unknown properties are refused (a misspelt or extra field in the mapping?)'
      break
    case 'format': {
      const format = String(params.format)
      rule = 'format:' + format
      message = `must be ${FORMAT_WORDS[format] ?? `a valid ${format}`}`
      break
    }
    case 'pattern':
      message = `must be ${PATTERN_WORDS[String(params.pattern)] ?? 'in the expected form'}`
      break
    case 'type': {
      const type = String(params.type)
      const words = type === 'string' ? stringWords(parent) : undefined
      message = `must be ${TYPE_WORDS[type] ?? type}${words === undefined ? '' : ': ' + words}`
      break
    }
    case 'enum':
      message = `must be one of: ${quoteList(params.allowedValues as unknown[])}`
      break
    case 'const':
      message = `must be ${JSON.stringify(params.allowedValue)}`
      break
    case 'minLength':
      message = params.limit === 1 ? 'must not be empty' : `must be at least ${plural(Number(params.limit), 'character', 'characters')} long`
      break
    case 'maxLength':
      message = `must be at most ${plural(Number(params.limit), 'character', 'characters')} long`
      break
    case 'minimum':
      message = params.limit === 0 ? 'must not be negative' : `must be at least ${String(params.limit)}`
      break
    case 'minItems':
      message = `must have at least ${plural(Number(params.limit), 'item', 'items')}`
      break
    case 'maxItems':
      message = `must have at most ${plural(Number(params.limit), 'item', 'items')}`
      break
    case 'discriminator': {
      const tag = String(params.tag)
      path += '/' + escapeSegment(tag)
      message = `must be one of: ${quoteList(discriminatorValues(root, parent, tag))}`
      break
    }
    default:
      // ajv's own messages name the schema's expectation, never the data.
      message = err.message ?? `breaks the "${err.keyword}" rule`
  }
  const condition = conditionOf(root, segments)
  if (condition !== undefined) message += ` (${condition})`
  return { path, rule, message }
}

/** Compare JSON pointers segment by segment, array indexes numerically. */
function comparePaths (a: string, b: string): number {
  const as = splitPointer(a)
  const bs = splitPointer(b)
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!
    const y = bs[i]!
    if (x === y) continue
    const numeric = /^[0-9]+$/.test(x) && /^[0-9]+$/.test(y)
    return numeric ? Number(x) - Number(y) : x < y ? -1 : 1
  }
  return as.length - bs.length
}

/**
 * The problems behind a failed validation: wrapper errors dropped (`if` always; `oneOf` /
 * `anyOf` when a more specific error explains them), one problem per path and rule,
 * ordered by path (ajv's order within a path).
 * @param errors from a validator compiled from `root`, preferably with ajv's `verbose`
 *   option (see {@link keywordLocation}); their `data` is never read
 * @param root the schema the errors came from, to word messages from its parts
 */
export function toFieldProblems (errors: readonly ErrorObject[], root: Record<string, unknown>): FieldProblem[] {
  const specific = errors.filter(e => !WRAPPER_KEYWORDS.has(e.keyword))
  const kept = errors.filter(e => {
    if (e.keyword === 'if') return false
    if (!WRAPPER_KEYWORDS.has(e.keyword)) return true
    return !specific.some(s => s.instancePath === e.instancePath || s.instancePath.startsWith(e.instancePath + '/'))
  })
  const seen = new Set<string>()
  const problems: FieldProblem[] = []
  for (const err of kept) {
    const problem = toProblem(err, root)
    const key = problem.path + '\u0000' + problem.rule
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
  }
  return problems.sort((a, b) => comparePaths(a.path, b.path))
}
