import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import cron from 'node-cron'
import { ConfigError, UnknownAdapterError } from '../errors.js'
import { schemaPath } from '../paths.js'
import type { HubConfig } from '../generated/config.js'
import type { AdapterRegistry } from '../contracts/adapter-registry.js'
import { describeAjvError, usefulErrors } from './describe-ajv-error.js'
import { resolveEnvRefs, type Resolved } from './env-refs.js'
import { formatPath, parseYamlWithPositions, YamlSyntaxError, type PositionedYaml } from '../yaml/positions.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

type Defaulted<T> = Required<NonNullable<T>>
type RawAgency = HubConfig['agencies'][number]

/** An agency entry after validation: defaults filled in, mapping path absolute, secrets resolved. */
export interface AgencyConfig extends Resolved<Omit<RawAgency, 'enabled' | 'schedule' | 'source'>> {
  readonly enabled: boolean
  readonly schedule: string
  readonly source: Record<string, unknown> & { kind: string }
}

/** The hub configuration as the rest of the hub sees it: checked, defaulted, frozen. */
export interface LoadedConfig {
  readonly file: string
  readonly hub: Defaulted<HubConfig['hub']>
  readonly redis: Resolved<Defaulted<HubConfig['redis']>>
  readonly admin: Defaulted<HubConfig['admin']>
  readonly logging: Defaulted<HubConfig['logging']>
  readonly push: Defaulted<HubConfig['push']> & { backoff: Defaulted<NonNullable<HubConfig['push']>['backoff']> }
  readonly targets: Readonly<Record<string, Record<string, unknown> & { kind: string }>>
  readonly agencies: readonly AgencyConfig[]
}

let hubValidator: ValidateFunction | undefined
const adapterValidators = new WeakMap<object, ValidateFunction>()

function newAjv (): Ajv2020 {
  return addFormats(new Ajv2020({ allErrors: true, strict: true, useDefaults: true, verbose: true }))
}

async function compiledHubValidator (): Promise<ValidateFunction> {
  if (hubValidator === undefined) {
    const schema = JSON.parse(await readFile(schemaPath('config.schema.json'), 'utf8')) as object
    hubValidator = newAjv().compile(schema)
  }
  return hubValidator
}

function adapterValidator (schema: Record<string, unknown>): ValidateFunction {
  let validate = adapterValidators.get(schema)
  if (validate === undefined) {
    validate = newAjv().compile(schema)
    adapterValidators.set(schema, validate)
  }
  return validate
}

/**
 * Read, check and freeze the hub configuration. Every problem is reported at once, each as
 * `line:column path: what was expected`, in one `ConfigError` naming the file: a hub that
 * starts has a configuration that makes sense, and one that does not start says why.
 */
export async function loadConfig (file: string, registry: AdapterRegistry, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const absolute = resolve(file)
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch (err) {
    throw new ConfigError(`${absolute}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, [], { cause: err })
  }
  let doc: PositionedYaml
  try {
    doc = parseYamlWithPositions(text, absolute)
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new ConfigError(`Invalid configuration in ${absolute}:\n  ${err.line}:${err.column} ${err.detail}`, [err.message], { cause: err })
    throw err
  }

  const problems: string[] = []
  const report = (path: (string | number)[], expected: string): void => {
    problems.push(`${doc.positionOf(path)} ${formatPath(path)}: ${expected}`)
  }
  const reportAjv = (errors: readonly ErrorObject[] | null | undefined, prefix: (string | number)[]): void => {
    // Several errors on one path (the branches of a oneOf) read best as one line.
    const byPath = new Map<string, { path: (string | number)[]; expected: string[] }>()
    for (const error of usefulErrors(errors ?? [])) {
      const { path, expected } = describeAjvError(error)
      const full = [...prefix, ...path]
      const key = JSON.stringify(full)
      const entry = byPath.get(key) ?? { path: full, expected: [] }
      entry.expected.push(expected)
      byPath.set(key, entry)
    }
    for (const { path, expected } of byPath.values()) report(path, expected.join(', or '))
  }

  const value = structuredClone(doc.value ?? {}) as Record<string, unknown>
  const validate = await compiledHubValidator()
  if (!validate(value)) {
    reportAjv(validate.errors, [])
    throw configError(absolute, problems)
  }
  const config = value as unknown as HubConfig

  // Adapter sections: the kind must be registered, and the adapter's own schema decides the rest.
  const checkSection = (section: Record<string, unknown>, path: (string | number)[], table: ReadonlyMap<string, { configSchema: Record<string, unknown> }>, role: string): void => {
    const kind = String(section.kind)
    const def = table.get(kind)
    if (def === undefined) {
      report([...path, 'kind'], `unknown ${role} adapter kind "${kind}"; known kinds: ${[...table.keys()].join(', ') || '(none)'}`)
      return
    }
    const validateSection = adapterValidator(def.configSchema)
    if (!validateSection(section)) reportAjv(validateSection.errors, path)
  }
  for (const [name, section] of Object.entries(config.targets)) checkSection(section as Record<string, unknown>, ['targets', name], registry.targets, 'target')
  config.agencies.forEach((agency, i) => {
    checkSection(agency.source as Record<string, unknown>, ['agencies', i, 'source'], registry.sources, 'source')
    if (!(agency.target in config.targets)) report(['agencies', i, 'target'], `unknown target "${agency.target}"; defined targets: ${Object.keys(config.targets).join(', ')}`)
  })
  config.agencies.forEach((agency, i) => {
    if (agency.schedule !== undefined && !cron.validate(agency.schedule)) report(['agencies', i, 'schedule'], `not a valid cron expression: "${agency.schedule}" (six fields with seconds, e.g. "0 */5 * * * *" for every five minutes)`)
  })
  const ids = new Set<string>()
  config.agencies.forEach((agency, i) => {
    if (ids.has(agency.id)) report(['agencies', i, 'id'], `agency id "${agency.id}" is used twice; ids must be unique`)
    ids.add(agency.id)
  })

  const resolved = resolveEnvRefs(config, env)
  for (const { path, name } of resolved.missing) report(path, `environment variable ${name} is not set (this value must come from the environment)`)
  if (problems.length > 0) throw configError(absolute, problems)

  const out = resolved.value as LoadedConfig & { agencies: AgencyConfig[] }
  const base = dirname(absolute)
  const agencies = out.agencies.map(agency => ({ ...agency, mapping: resolve(base, agency.mapping) }))
  return deepFreeze({ ...out, file: absolute, agencies })
}

/** Use when a kind is needed at run time outside config loading (kept beside the loader: same message). */
export function unknownKind (role: string, kind: string, known: Iterable<string>): UnknownAdapterError {
  return new UnknownAdapterError(`unknown ${role} adapter kind "${kind}"; known kinds: ${[...known].join(', ')}`)
}

function configError (file: string, problems: string[]): ConfigError {
  return new ConfigError(`Invalid configuration in ${file}:\n${problems.map(p => `  ${p}`).join('\n')}`, problems)
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}
