/**
 * How an adapter module declares itself: its kind, its config schema (read from
 * schemas/adapters/ by one helper) and a factory that receives the config typed as the
 * schema says. The definition the hub sees is erased to `create(section: unknown, …)`:
 * `create` checks the section against the schema first (ajv, defaults filled in), so the
 * factory's type is earned by validation, not claimed by a cast — and code that builds a
 * config by hand (tests, tools) gets the same defaults as a loaded config.
 */
import { readFileSync } from 'node:fs'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import type { AdapterContext, SourceAdapterDefinition, TargetAdapterDefinition, WriterAdapterDefinition } from '../src/contracts/adapter-registry.js'
import type { FeedbackWriter } from '../src/contracts/feedback.js'
import type { SourceAdapter } from '../src/contracts/source-adapter.js'
import type { TargetAdapter } from '../src/contracts/target-adapter.js'
import { describeAjvError, usefulErrors } from '../src/config/describe-ajv-error.js'
import { ConfigError, SchemaDefinitionError } from '../src/errors.js'
import { schemaPath } from '../src/paths.js'
import { createAjv } from '../src/schema/ajv.js'
import { formatPath } from '../src/yaml/positions.js'

type Schema = Readonly<Record<string, unknown>>

/** One adapter schema, `schemas/adapters/<file>`, parsed. */
export function adapterSchema (file: string): Schema {
  const parsed: unknown = JSON.parse(readFileSync(schemaPath(`adapters/${file}`), 'utf8'))
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SchemaDefinitionError(`schemas/adapters/${file} is not a JSON Schema object`)
  return { ...parsed }
}

/**
 * The schema of a section whose `{ env: NAME }` values have been resolved to the text they
 * name (the loader does that before `create`): `$defs.envRef` becomes text.
 */
function resolvedSchema (schema: Schema): Schema {
  const defs = schema.$defs
  if (typeof defs !== 'object' || defs === null || !('envRef' in defs)) return schema
  return { ...schema, $defs: { ...defs, envRef: { type: 'string', title: 'EnvRef' } } }
}

interface AdapterSpec<TConfig, TAdapter> {
  readonly kind: string
  readonly description: string
  /** The file in schemas/adapters/ that describes the config section. */
  readonly schemaFile: string
  readonly create: (config: TConfig, context: AdapterContext) => TAdapter
}

/** The checker of one schema: the section with its defaults filled in, or a ConfigError naming every problem. */
function configChecker<TConfig> (kind: string, schema: Schema): (section: unknown, name?: string) => TConfig {
  let validate: ValidateFunction<TConfig> | undefined
  return (section, name) => {
    validate ??= createAjv({ useDefaults: true }).compile<TConfig>(resolvedSchema(schema))
    // A copy: the loaded config is frozen, and a caller's object is not the adapter's to fill in.
    const value: unknown = structuredClone(section)
    if (validate(value)) return value
    const problems = usefulErrors(validate.errors ?? []).map(error => { const { path, expected } = describeAjvError(error); return `${formatPath(path)}: ${expected}` })
    throw new ConfigError(`Invalid ${kind} config${name === undefined ? '' : ` for ${name}`}:\n${problems.map(p => `  ${p}`).join('\n')}`, problems)
  }
}

export function defineSourceAdapter<TConfig> (spec: AdapterSpec<TConfig, SourceAdapter>): SourceAdapterDefinition<TConfig> {
  const configSchema = adapterSchema(spec.schemaFile)
  const checkConfig = configChecker<TConfig>(spec.kind, configSchema)
  return {
    role: 'source',
    kind: spec.kind,
    description: spec.description,
    configSchema,
    checkConfig,
    create: (section, context) => spec.create(checkConfig(section, context.name), context),
  }
}

export function defineTargetAdapter<TConfig> (spec: AdapterSpec<TConfig, TargetAdapter>): TargetAdapterDefinition<TConfig> {
  const configSchema = adapterSchema(spec.schemaFile)
  const checkConfig = configChecker<TConfig>(spec.kind, configSchema)
  return {
    role: 'target',
    kind: spec.kind,
    description: spec.description,
    configSchema,
    checkConfig,
    create: (section, context) => spec.create(checkConfig(section, context.name), context),
  }
}

export function defineWriterAdapter<TConfig> (spec: AdapterSpec<TConfig, FeedbackWriter>): WriterAdapterDefinition<TConfig> {
  const configSchema = adapterSchema(spec.schemaFile)
  const checkConfig = configChecker<TConfig>(spec.kind, configSchema)
  return {
    role: 'writer',
    kind: spec.kind,
    description: spec.description,
    configSchema,
    checkConfig,
    create: (section, context) => spec.create(checkConfig(section, context.name), context),
  }
}
