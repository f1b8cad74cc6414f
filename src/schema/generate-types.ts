/**
 * Writes the TypeScript types of every boundary schema into `src/generated/` — the
 * canonical case, the hub config, each adapter's config — so types are never written
 * twice and cannot drift from the schemas.
 *
 *   npm run gen:types             regenerate the file
 *   npm run gen:types -- --check  exit 1 if the checked-in file differs from the schema
 *
 * json-schema-to-typescript sees a copy of the schema reduced to its shape:
 *  - the cross-field rules (`if`/`then` inside `allOf`, `dependentRequired`,
 *    `dependentSchemas`) constrain values, which TypeScript cannot express, and would
 *    otherwise turn into `{ [k: string]: unknown }` intersections;
 *  - every `$ref` to a titled `$defs` entry becomes a reference to that title (`tsType`),
 *    so a property that documents its own meaning next to the `$ref` keeps its comment
 *    without spawning numbered copies (`Money1`, `DateTime4`, …) of the shared type;
 *  - `minItems`/`maxItems` are ignored, so arrays stay plain arrays (mappings build them
 *    with `.map()`) instead of tuples; the validator still enforces the bounds.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile } from 'json-schema-to-typescript'
import { projectRoot, schemaPath } from '../paths.js'
import { SchemaDefinitionError } from '../errors.js'

/**
 * One schema and the file its types are written to. `defaulted: true` types the value
 * after ajv's `useDefaults`: every property with a schema `default` is required (the
 * loader fills it in), so code reads it without a fallback of its own.
 */
export interface GeneratedTypes { readonly schema: string; readonly output: string; readonly rootType: string; readonly defaulted?: boolean }

export const GENERATED_TYPES: readonly GeneratedTypes[] = [
  { schema: 'case.schema.json', output: 'case.ts', rootType: 'CanonicalCase' },
  { schema: 'config.schema.json', output: 'config.ts', rootType: 'HubConfig' },
  { schema: 'adapters/http-pull.schema.json', output: 'adapters/http-pull.ts', rootType: 'HttpPullSourceConfig' },
  { schema: 'adapters/http-batch.schema.json', output: 'adapters/http-batch.ts', rootType: 'HttpBatchTargetConfig' },
  { schema: 'adapters/sftp-source.schema.json', output: 'adapters/sftp-source.ts', rootType: 'SftpSourceConfig' },
  { schema: 'adapters/dir-drop-source.schema.json', output: 'adapters/dir-drop-source.ts', rootType: 'DirDropSourceConfig' },
  { schema: 'adapters/sql-source.schema.json', output: 'adapters/sql-source.ts', rootType: 'SqlSourceConfig' },
  { schema: 'adapters/sftp-target.schema.json', output: 'adapters/sftp-target.ts', rootType: 'SftpTargetConfig' },
  { schema: 'adapters/http-profile.schema.json', output: 'adapters/http-profile.ts', rootType: 'HttpProfileTargetConfig' },
  { schema: 'adapters/sql-table.schema.json', output: 'adapters/sql-table.ts', rootType: 'SqlTableTargetConfig' },
  { schema: 'adapters/feedback-http.schema.json', output: 'adapters/feedback-http.ts', rootType: 'FeedbackHttpWriterConfig' },
  { schema: 'adapters/feedback-table.schema.json', output: 'adapters/feedback-table.ts', rootType: 'FeedbackTableWriterConfig' },
  { schema: 'adapters/feedback-file.schema.json', output: 'adapters/feedback-file.ts', rootType: 'FeedbackFileWriterConfig' },
  { schema: 'mapping.schema.json', output: 'mapping.ts', rootType: 'AgencyMapping' },
  { schema: 'profile.schema.json', output: 'profile.ts', rootType: 'TargetProfile' },
  { schema: 'risk-rules.schema.json', output: 'defaulted/risk-rules.ts', rootType: 'RiskRules', defaulted: true },
  // The same configs as the adapters and the loader receive them: defaults filled in.
  { schema: 'config.schema.json', output: 'defaulted/config.ts', rootType: 'HubConfig', defaulted: true },
  { schema: 'adapters/http-pull.schema.json', output: 'defaulted/adapters/http-pull.ts', rootType: 'HttpPullSourceConfig', defaulted: true },
  { schema: 'adapters/http-batch.schema.json', output: 'defaulted/adapters/http-batch.ts', rootType: 'HttpBatchTargetConfig', defaulted: true },
  { schema: 'adapters/sftp-source.schema.json', output: 'defaulted/adapters/sftp-source.ts', rootType: 'SftpSourceConfig', defaulted: true },
  { schema: 'adapters/dir-drop-source.schema.json', output: 'defaulted/adapters/dir-drop-source.ts', rootType: 'DirDropSourceConfig', defaulted: true },
  { schema: 'adapters/sql-source.schema.json', output: 'defaulted/adapters/sql-source.ts', rootType: 'SqlSourceConfig', defaulted: true },
  { schema: 'adapters/sftp-target.schema.json', output: 'defaulted/adapters/sftp-target.ts', rootType: 'SftpTargetConfig', defaulted: true },
  { schema: 'adapters/sql-table.schema.json', output: 'defaulted/adapters/sql-table.ts', rootType: 'SqlTableTargetConfig', defaulted: true },
  { schema: 'adapters/http-profile.schema.json', output: 'defaulted/adapters/http-profile.ts', rootType: 'HttpProfileTargetConfig', defaulted: true },
  { schema: 'adapters/feedback-http.schema.json', output: 'defaulted/adapters/feedback-http.ts', rootType: 'FeedbackHttpWriterConfig', defaulted: true },
  { schema: 'adapters/feedback-table.schema.json', output: 'defaulted/adapters/feedback-table.ts', rootType: 'FeedbackTableWriterConfig', defaulted: true },
  { schema: 'adapters/feedback-file.schema.json', output: 'defaulted/adapters/feedback-file.ts', rootType: 'FeedbackFileWriterConfig', defaulted: true },
]

export const generatedPath = (target: GeneratedTypes): string => join(projectRoot, 'src', 'generated', target.output)

const header = (target: GeneratedTypes): string => `// generated from schemas/${target.schema} by src/schema/generate-types.ts — do not edit; run \`npm run gen:types\``
// The generator's own schema type, named without depending on @types/json-schema directly.
type GeneratorSchema = Parameters<typeof compile>[0]
const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/

type SchemaNode = Record<string, unknown>
const isNode = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v)

/** An `allOf` member that only states a conditional rule, not a shape. */
function isConditionalRule (member: unknown): boolean {
  return isNode(member) && 'if' in member && Object.keys(member).every(k => ['if', 'then', 'else', 'description', '$comment'].includes(k))
}

/** Reduce one schema node (and its subschemas) to what the type generator should see. */
function shapeOf (node: unknown, titles: ReadonlyMap<string, string>): unknown {
  if (!isNode(node)) return node
  const out: SchemaNode = {}
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case 'dependentRequired': case 'dependentSchemas': case 'discriminator': case '$comment': case 'x-completeness':
      case 'if': case 'then': case 'else':
        break
      case '$ref': {
        const title = titles.get(String(value))
        if (title === undefined) throw new SchemaDefinitionError(`generate-types: $ref ${String(value)} does not name a titled $defs entry`)
        out.tsType = title
        break
      }
      case 'allOf': {
        const kept = (value as unknown[]).filter(m => !isConditionalRule(m)).map(m => shapeOf(m, titles))
        if (kept.length > 0) out.allOf = kept
        break
      }
      case 'oneOf': case 'anyOf': case 'prefixItems':
        out[key] = (value as unknown[]).map(m => shapeOf(m, titles))
        break
      case 'properties': case '$defs': case 'patternProperties':
        out[key] = Object.fromEntries(Object.entries(value as SchemaNode).map(([k, v]) => [k, shapeOf(v, titles)]))
        break
      case 'items': case 'additionalProperties': case 'contains': case 'not':
        out[key] = shapeOf(value, titles)
        break
      default:
        out[key] = value
    }
  }
  return out
}

/**
 * The schema with every property that has a `default` listed in its object's `required`:
 * the shape of a value ajv has filled the defaults into.
 */
function defaultsRequired (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(defaultsRequired)
  if (!isNode(node)) return node
  const out: SchemaNode = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'default' || k === 'const' || k === 'enum' || k === 'examples' ? v : defaultsRequired(v)]))
  if (isNode(node.properties)) {
    const defaulted = Object.entries(node.properties).filter(([, v]) => isNode(v) && 'default' in v).map(([k]) => k)
    const required = Array.isArray(node.required) ? node.required.map(String) : []
    if (defaulted.length > 0) out.required = [...required, ...defaulted.filter(k => !required.includes(k))]
  }
  return out
}

/** The generated TypeScript source for the current version of one schema. */
export async function renderTypes (target: GeneratedTypes): Promise<string> {
  const read = JSON.parse(await readFile(schemaPath(target.schema), 'utf8')) as SchemaNode
  const schema = target.defaulted === true ? defaultsRequired(read) as SchemaNode : read
  const titles = new Map<string, string>()
  for (const [name, def] of Object.entries(isNode(schema.$defs) ? schema.$defs : {})) {
    const title = isNode(def) ? def.title : undefined
    if (typeof title !== 'string' || !TYPE_NAME.test(title)) throw new SchemaDefinitionError(`generate-types: $defs/${name} needs a PascalCase title to name its type`)
    titles.set(`#/$defs/${name}`, title)
  }
  const ts = await compile(shapeOf(schema, titles) as GeneratorSchema, target.rootType, {
    bannerComment: header(target),
    additionalProperties: false,
    unreachableDefinitions: true,
    ignoreMinAndMaxItems: true,
    unknownAny: true,
    strictIndexSignatures: true,
    format: true,
    style: { semi: false, singleQuote: true, printWidth: 120, trailingComma: 'all' },
  })
  return ts
}

/** CLI entry: regenerate, or with `--check` report whether the checked-in file is current. */
export async function main (argv: readonly string[]): Promise<number> {
  let stale = 0
  for (const target of GENERATED_TYPES) {
    const file = generatedPath(target)
    const wanted = await renderTypes(target)
    const current = await readFile(file, 'utf8').catch(() => undefined)
    if (argv.includes('--check')) {
      if (current !== wanted) {
        stale++
        process.stderr.write(`${file} is out of date with schemas/${target.schema}; run \`npm run gen:types\`\n`)
      }
      continue
    }
    if (current !== wanted) {
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, wanted)
    }
    process.stdout.write(`${current === wanted ? 'unchanged' : 'wrote'} ${file}\n`)
  }
  return stale === 0 ? 0 : 1
}

/** Whether this module is the script node was started with (not imported by a test). */
function invokedDirectly (): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (invokedDirectly()) process.exitCode = await main(process.argv.slice(2))
