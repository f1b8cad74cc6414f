/**
 * Checks the structure of a mapping file — or of a shared code table file — against
 * schemas/mapping.schema.json (compiled once, on first use) and turns the first problem, in
 * file order, into a `file:line:col:` message an administrator can act on. Names the schema
 * cannot know (tables, date formats, text transforms…) are checked by the compiler.
 */
import { readFileSync } from 'node:fs'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import { MappingFileError, SchemaDefinitionError } from '../errors.js'
import { schemaPath } from '../paths.js'
import { createAjv } from '../schema/ajv.js'
import type { AgencyMapping, SharedTableFile } from '../generated/mapping.js'
import type { PositionedYaml, YamlPath } from '../yaml/positions.js'

interface Validators {
  readonly mapping: ValidateFunction<AgencyMapping>
  readonly tableFile: ValidateFunction<SharedTableFile>
}

let validators: Validators | undefined

function mappingValidators (): Validators {
  if (validators === undefined) {
    const schema = JSON.parse(readFileSync(schemaPath('mapping.schema.json'), 'utf8')) as { $id: string }
    // verbose: errors carry their schema, which names the allowed keys and values.
    // x-allowed-keys says in words which keys a map of names takes; tsType guides the type generator.
    const ajv = createAjv({ allowUnionTypes: true, verbose: true, useDefaults: true, keywords: ['x-allowed-keys', 'tsType'] })
    const mapping = ajv.compile<AgencyMapping>(schema)
    const tableFile = ajv.getSchema<SharedTableFile>(`${schema.$id}#/$defs/tableFile`)
    if (tableFile === undefined) throw new SchemaDefinitionError('schemas/mapping.schema.json has no $defs/tableFile')
    validators = { mapping, tableFile }
  }
  return validators
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false',
  object: 'a map of keys and values', array: 'a list', null: 'nothing',
}

function typeOf (value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function pathOf (pointer: string): Array<string | number> {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map(s => {
    const segment = s.replace(/~1/g, '/').replace(/~0/g, '~')
    return /^\d+$/.test(segment) ? Number(segment) : segment
  })
}

interface Described { path: YamlPath; at: 'value' | 'key'; text: string }

/** What one ajv error means, in the file's terms. */
function describe (error: ErrorObject): Described {
  const path = pathOf(error.instancePath)
  const last = path[path.length - 1]
  const parent = path[path.length - 2]
  const name = last === undefined
    ? 'the file'
    : typeof last === 'number' && parent !== undefined ? `item ${last + 1} of "${String(parent)}"` : `"${String(last)}"`
  const params = error.params as Record<string, unknown>
  const schema = (error.parentSchema ?? {}) as { properties?: object; 'x-allowed-keys'?: string; description?: string }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const allowed = schema.properties !== undefined ? Object.keys(schema.properties).join(', ') : (schema['x-allowed-keys'] ?? '')
      return { path: [...path, key], at: 'key', text: `unknown key "${key}" (allowed: ${allowed})` }
    }
    case 'required':
      return { path, at: 'value', text: `missing required key "${String(params.missingProperty)}"` }
    case 'type': {
      const wanted = String(params.type).split(',').map(t => TYPE_WORDS[t] ?? t).join(' or ')
      const found = TYPE_WORDS[typeOf(error.data)] ?? typeOf(error.data)
      const hint = params.type === 'string' && typeof error.data === 'number' ? '; put it in quotes' : ''
      return { path, at: 'value', text: `${name} must be ${wanted}, found ${found}${hint}` }
    }
    case 'enum':
      return { path, at: 'value', text: `${name} has an unknown value (allowed: ${(params.allowedValues as unknown[]).map(String).join(', ')})` }
    case 'minProperties': case 'minItems':
      if (params.limit === 1) return { path, at: 'value', text: `${name} must not be empty` }
      return { path, at: 'value', text: `${name} ${error.message ?? 'is too short'}` }
    case 'anyOf':
      return { path, at: 'value', text: `${name} is not valid here: ${schema.description ?? 'it matches none of the allowed forms'}` }
    case 'pattern':
      return { path, at: 'value', text: `${name} is not valid here: ${schema.description ?? `expected text matching ${String(params.pattern)}`}` }
    default:
      return { path, at: 'value', text: `${name} ${error.message ?? `breaks the rule ${error.keyword}`}` }
  }
}

/**
 * The mapping file's content, defaults filled in (the value is modified in place). Throws
 * {@link MappingFileError} at the first structural problem in file order.
 */
export function checkMappingStructure (doc: PositionedYaml): AgencyMapping {
  return checkStructure(doc, mappingValidators().mapping)
}

/** A shared code table file's content; throws {@link MappingFileError} like {@link checkMappingStructure}. */
export function checkTableFileStructure (doc: PositionedYaml): SharedTableFile {
  return checkStructure(doc, mappingValidators().tableFile)
}

/**
 * The value of `doc` when `validate` accepts it (defaults filled in), else the first problem in
 * file order as `file:line:col: what is wrong`, thrown by `raise` (a MappingFileError unless
 * given). Target profiles (src/profile) check their files with it too.
 */
export function checkStructure<T> (doc: PositionedYaml, validate: ValidateFunction<T>, raise: (message: string) => Error = message => new MappingFileError(message)): T {
  const value = doc.value
  if (validate(value)) return value
  // `if` only says that a `then`/`else` branch failed; the branch's own errors say how. An
  // `anyOf` is the other way round: its branches' errors contradict each other ("must be
  // text", "must be a map"), so the anyOf itself, with its description, says it best.
  const all = validate.errors ?? []
  const anyOfs = all.filter(e => e.keyword === 'anyOf')
  const insideAnyOf = (e: ErrorObject): boolean => e.keyword !== 'anyOf' && anyOfs.some(a => e.instancePath === a.instancePath || e.instancePath.startsWith(a.instancePath + '/'))
  const errors = all.filter(e => e.keyword !== 'if' && !insideAnyOf(e))
  // A missing key is reported at the start of its map, ahead of everything inside; but a
  // misspelt key is usually the reason one is missing, so other problems come first.
  const rank = (e: ErrorObject): number => e.keyword === 'required' ? 1 : 0
  let best: { rank: number; at: { line: number; col: number }; described: Described } | undefined
  for (const error of errors) {
    const described = describe(error)
    const at = doc.locate(described.path, described.at)
    const r = rank(error)
    if (best === undefined || r < best.rank || (r === best.rank && (at.line < best.at.line || (at.line === best.at.line && at.col < best.at.col)))) {
      best = { rank: r, at, described }
    }
  }
  if (best === undefined) throw raise(`${doc.where([])}: does not match the file's schema`)
  throw raise(`${doc.where(best.described.path, best.described.at)}: ${best.described.text}`)
}
