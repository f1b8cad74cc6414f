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
import { limitText } from '../config/describe-ajv-error.js'
import type { AgencyMapping, SharedTableFile } from '../generated/mapping.js'
import type { PositionedYaml, YamlPath } from '../yaml/positions.js'
import { textOf, type Text, type TextParam, type TextParams } from '../i18n/texts.js'
import type { MessageKey } from '../i18n/translate.js'

interface Validators {
  readonly mapping: ValidateFunction<AgencyMapping>
  readonly tableFile: ValidateFunction<SharedTableFile>
}

let validators: Validators | undefined

function mappingValidators (): Validators {
  if (validators === undefined) {
    const schema = JSON.parse(readFileSync(schemaPath('mapping.schema.json'), 'utf8')) as { $id: string }
    rememberWords(schema)
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

const TYPE_WORDS: Readonly<Record<string, MessageKey>> = {
  string: 'mapping.schema.type.string', number: 'mapping.schema.type.number', integer: 'mapping.schema.type.integer', boolean: 'mapping.schema.type.boolean',
  object: 'mapping.schema.type.object', array: 'mapping.schema.type.array', null: 'mapping.schema.type.null',
}

/**
 * The schema's words (`description`, `x-allowed-keys`) in the catalogues, by the pointer of the
 * schema node that holds them, so a reader of another language gets them too (the catalogue test checks
 * the English texts are the schema's own). A node missing here is shown with its English words.
 */
const SCHEMA_WORDS: Readonly<Record<string, MessageKey>> = {
  '#/properties/agency': 'mapping.schema.about.agency',
  '#/properties/timezone': 'mapping.schema.about.timezone',
  '#/properties/skip': 'mapping.schema.about.skipNames',
  '#/properties/constants': 'mapping.schema.about.pointers',
  '#/properties/absent': 'mapping.schema.about.expectedPointers',
  '#/properties/tables': 'mapping.schema.about.tableNames',
  '#/$defs/sourcePath': 'mapping.schema.about.sourcePath',
  '#/$defs/pointer': 'mapping.schema.about.pointer',
  '#/$defs/fields': 'mapping.schema.about.fieldPointers',
  '#/$defs/concatPart': 'mapping.schema.about.concatPart',
  '#/$defs/eachRule/properties/each': 'mapping.schema.about.each',
  '#/$defs/codes': 'mapping.schema.about.codes',
  '#/$defs/sharedTableReference/properties/file': 'mapping.schema.about.sharedFile',
}

/** Exported for the catalogue test: the schema nodes whose words are translated. */
export const TRANSLATED_SCHEMA_WORDS = SCHEMA_WORDS

/** The schema nodes (objects of the compiled schema) whose words the catalogues have. */
const wordsByNode = new WeakMap<object, MessageKey>()

function rememberWords (schema: object): void {
  for (const [pointer, key] of Object.entries(SCHEMA_WORDS)) {
    const node = pointer.slice(2).split('/').reduce<unknown>((n, segment) => (n as Record<string, unknown> | undefined)?.[segment], schema)
    if (typeof node === 'object' && node !== null) wordsByNode.set(node, key)
  }
}

/** The words of the schema node an error comes from (ajv's parentSchema is that node; its schemaPath is relative to a $ref). */
function schemaWords (error: ErrorObject, english: string): TextParam {
  const node = error.parentSchema
  const key = typeof node === 'object' && node !== null ? wordsByNode.get(node) : undefined
  return key === undefined ? english : textOf(key)
}

function typeOf (value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

const typeWord = (type: string): TextParam => TYPE_WORDS[type] === undefined ? type : textOf(TYPE_WORDS[type])

function pathOf (pointer: string, root: unknown): Array<string | number> {
  if (pointer === '') return []
  // A segment of digits is an item number only inside a list: in a map it is a key ("01" of a code table).
  let node = root
  return pointer.slice(1).split('/').map(s => {
    const segment = s.replace(/~1/g, '/').replace(/~0/g, '~')
    const step = Array.isArray(node) && /^\d+$/.test(segment) ? Number(segment) : segment
    node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[step] : undefined
    return step
  })
}

interface Described { path: YamlPath; at: 'value' | 'key'; text: Text }

/** What one ajv error means, in the file's terms. */
function describe (error: ErrorObject, root: unknown): Described {
  const path = pathOf(error.instancePath, root)
  const last = path[path.length - 1]
  const parent = path[path.length - 2]
  const name = last === undefined
    ? textOf('mapping.schema.theFile')
    : typeof last === 'number' && parent !== undefined ? textOf('mapping.schema.item', { n: last + 1, list: String(parent) }) : textOf('mapping.schema.key', { key: String(last) })
  const params = error.params as Record<string, unknown>
  const schema = (error.parentSchema ?? {}) as { properties?: object; 'x-allowed-keys'?: string; description?: string }
  const at = (key: MessageKey, more: TextParams = {}): Described => ({ path, at: 'value', text: textOf(key, { name, ...more }) })
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const allowed = schema.properties !== undefined ? Object.keys(schema.properties) : schemaWords(error, schema['x-allowed-keys'] ?? '')
      return { path: [...path, key], at: 'key', text: textOf('mapping.schema.unknownKey', { key, allowed }) }
    }
    case 'required':
      return { path, at: 'value', text: textOf('mapping.schema.missingKey', { key: String(params.missingProperty) }) }
    case 'type': {
      const wanted = String(params.type).split(',').map(typeWord).reduce((a, b) => textOf('mapping.schema.either', { a, b }))
      const hint = params.type === 'string' && typeof error.data === 'number' ? textOf('mapping.schema.quoteHint') : ''
      return at('mapping.schema.wrongType', { wanted, found: typeWord(typeOf(error.data)), hint })
    }
    case 'enum':
      return at('mapping.schema.unknownValue', { allowed: (params.allowedValues as unknown[]).map(String) })
    case 'minProperties': case 'minItems':
      if (params.limit === 1) return at('mapping.schema.empty')
      return at('mapping.schema.tooFew', { detail: limitText(error) ?? textOf('schema.problem.other', { detail: error.message ?? 'is too short' }) })
    case 'anyOf':
      return at('mapping.schema.notValidHere', { why: schema.description === undefined ? textOf('mapping.schema.noForm') : schemaWords(error, schema.description) })
    case 'pattern':
      return at('mapping.schema.notValidHere', { why: schema.description === undefined ? textOf('mapping.schema.notMatching', { pattern: String(params.pattern) }) : schemaWords(error, schema.description) })
    default:
      return at('mapping.schema.breaks', { detail: limitText(error) ?? textOf('schema.problem.other', { detail: error.message ?? `breaks the rule ${error.keyword}` }) })
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
 * file order as `file:line:col: what is wrong`: a MappingFileError, or what `raise` makes of
 * its English message when given. Target profiles (src/profile) check their files with it too.
 */
export function checkStructure<T> (doc: PositionedYaml, validate: ValidateFunction<T>, raise?: (message: string) => Error): T {
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
    const described = describe(error, value)
    const at = doc.locate(described.path, described.at)
    const r = rank(error)
    if (best === undefined || r < best.rank || (r === best.rank && (at.line < best.at.line || (at.line === best.at.line && at.col < best.at.col)))) {
      best = { rank: r, at, described }
    }
  }
  const error = best === undefined
    ? new MappingFileError(doc.where([]), textOf('mapping.schema.noMatch'))
    : new MappingFileError(doc.where(best.described.path, best.described.at), best.described.text)
  throw raise === undefined ? error : raise(error.message)
}
