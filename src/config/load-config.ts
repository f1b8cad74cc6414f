import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { ConfigError, SchemaDefinitionError, UnknownAdapterError, YamlSyntaxError, type ConfigProblem } from '../errors.js'
import { renderText, textOf, type Text } from '../i18n/texts.js'
import { translator } from '../i18n/translate.js'
import { schemaPath } from '../paths.js'
import type { AdapterSection, HubConfig } from '../generated/defaulted/config.js'
import type { AdapterRegistry } from '../contracts/adapter-registry.js'
import { createAjv } from '../schema/ajv.js'
import { describeAjvError, usefulErrors } from './describe-ajv-error.js'
import { MIN_EVERY_MS, scheduleProblem } from './schedule-text.js'
import { resolveEnvRefs, type MissingEnv, type Resolved } from './env-refs.js'
import { formatPath, parseYamlWithPositions, type PositionedYaml } from '../yaml/positions.js'

/** The English wording of problems, for messages, logs and --json. */
const ENGLISH = translator('en')

/** The configuration as ajv leaves it (defaults filled in, the schema's type) with its `{ env }` values resolved. */
type Loaded = Resolved<HubConfig>

/** Shortest webhook secret accepted, in bytes: the length of the HMAC-SHA256 key it must be as strong as. */
export const WEBHOOK_SECRET_MIN_BYTES = 32

/** An agency entry after validation: defaults filled in, mapping path absolute, secrets resolved. */
export type AgencyConfig = Loaded['agencies'][number]

/** The hub configuration as the rest of the hub sees it: checked, defaulted, frozen. */
export interface LoadedConfig {
  readonly file: string
  readonly hub: Loaded['hub']
  readonly redis: Loaded['redis']
  readonly admin: Loaded['admin']
  readonly logging: Loaded['logging']
  readonly push: Loaded['push']
  readonly feedback: Loaded['feedback']
  readonly alarms: Loaded['alarms']
  readonly trace: Loaded['trace']
  readonly targets: Readonly<Record<string, AdapterSection>>
  readonly agencies: readonly AgencyConfig[]
  /** Transfer-risk findings (issue 19); absent: off. `rulesFile` is absolute, `partySecret` resolved (never log it). */
  readonly risk?: Loaded['risk']
}

let hubValidator: ValidateFunction<HubConfig> | undefined
const adapterValidators = new WeakMap<object, ValidateFunction>()

// verbose: the errors carry their schema, which names the allowed keys (describe-ajv-error.ts).
const newAjv = (): ReturnType<typeof createAjv> => createAjv({ useDefaults: true, verbose: true })

async function compiledHubValidator (): Promise<ValidateFunction<HubConfig>> {
  if (hubValidator === undefined) {
    const schema: unknown = JSON.parse(await readFile(schemaPath('config.schema.json'), 'utf8'))
    if (typeof schema !== 'object' || schema === null) throw new SchemaDefinitionError('schemas/config.schema.json is not a JSON Schema object')
    hubValidator = newAjv().compile<HubConfig>(schema)
  }
  return hubValidator
}

function adapterValidator (schema: Readonly<Record<string, unknown>>): ValidateFunction {
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
  return (await load(file, registry, env, false)).config
}

/** A configuration whose shape was checked without its secrets, and the environment variables it names that are not set. */
export interface ShapeCheckedConfig {
  /** As {@link loadConfig} gives it, except that each value of `missingEnv` is empty text: never start a hub with it. */
  readonly config: LoadedConfig
  readonly missingEnv: readonly MissingEnv[]
}

/**
 * The configuration checked as {@link loadConfig} does, except that an `{ env: NAME }` whose
 * variable is not set is listed instead of refused, and the checks of such values (a webhook
 * secret's length) are left out: for checking a config where its secrets are not
 * (`casebridge check-config --no-env`, a review, a CI job).
 */
export async function loadConfigShape (file: string, registry: AdapterRegistry, env: NodeJS.ProcessEnv = process.env): Promise<ShapeCheckedConfig> {
  return await load(file, registry, env, true)
}

async function load (file: string, registry: AdapterRegistry, env: NodeJS.ProcessEnv, listMissingEnv: boolean): Promise<ShapeCheckedConfig> {
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
    if (err instanceof YamlSyntaxError) throw new ConfigError(`Invalid configuration in ${absolute}:\n  ${err.line}:${err.column} ${err.detail}`, [err.message], { cause: err, file: absolute, texts: [{ at: `${err.line}:${err.column}`, texts: [textOf('config.problem.yaml', { detail: err.detail })] }] })
    throw err
  }

  const problems: string[] = []
  const texts: ConfigProblem[] = []
  // Each problem twice: in English (messages, logs, --json) and as texts an operator's language words (check-config).
  const report = (path: (string | number)[], ...what: Text[]): void => {
    const at = `${doc.positionOf(path)} ${formatPath(path)}`
    problems.push(`${at}: ${what.map(x => renderText(ENGLISH, x)).join(ENGLISH('text.or'))}`)
    texts.push({ at, texts: what })
  }
  const reportAjv = (errors: readonly ErrorObject[] | null | undefined, prefix: (string | number)[]): void => {
    // Several errors on one path (the branches of a oneOf) read best as one line.
    const byPath = new Map<string, { path: (string | number)[]; expected: Text[] }>()
    for (const error of usefulErrors(errors ?? [])) {
      const { path, key: textKey, params } = describeAjvError(error)
      const full = [...prefix, ...path]
      const key = JSON.stringify(full)
      const entry = byPath.get(key) ?? { path: full, expected: [] }
      entry.expected.push(textOf(textKey, params))
      byPath.set(key, entry)
    }
    for (const { path, expected } of byPath.values()) report(path, ...expected)
  }

  const config: unknown = structuredClone(doc.value ?? {})
  const validate = await compiledHubValidator()
  if (!validate(config)) {
    reportAjv(validate.errors, [])
    throw configError(absolute, problems, texts)
  }

  // Adapter sections: the kind must be registered, and the adapter's own schema decides the rest.
  const checkSection = (section: AdapterSection | undefined, path: (string | number)[], table: ReadonlyMap<string, { configSchema: Readonly<Record<string, unknown>> }>, role: string): void => {
    if (section === undefined) return
    const kind = String(section.kind)
    const def = table.get(kind)
    if (def === undefined) {
      const known = [...table.keys()]
      report([...path, 'kind'], textOf('config.problem.unknownAdapterKind', { role: textOf(role === 'source' ? 'config.role.source' : role === 'writer' ? 'config.role.writer' : 'config.role.target'), kind, known: known.length > 0 ? known : textOf('config.none') }))
      return
    }
    const validateSection = adapterValidator(def.configSchema)
    if (!validateSection(section)) reportAjv(validateSection.errors, path)
  }
  for (const [name, section] of Object.entries(config.targets)) checkSection(section, ['targets', name], registry.targets, 'target')
  config.agencies.forEach((agency, i) => {
    checkSection(agency.source, ['agencies', i, 'source'], registry.sources, 'source')
    checkSection(agency.feedback?.writer, ['agencies', i, 'feedback', 'writer'], registry.writers, 'writer')
    if (!(agency.target in config.targets)) report(['agencies', i, 'target'], textOf('config.problem.unknownTarget', { target: agency.target, defined: Object.keys(config.targets) }))
  })
  config.agencies.forEach((agency, i) => {
    const scheduleIssue = agency.schedule === undefined ? undefined : scheduleProblem(agency.schedule)
    if (scheduleIssue !== undefined) report(['agencies', i, 'schedule'], textOf(`config.problem.${scheduleIssue}`, { schedule: agency.schedule, min: MIN_EVERY_MS }))
  })
  const feedbackScheduleIssue = scheduleProblem(config.feedback.schedule)
  if (feedbackScheduleIssue !== undefined) report(['feedback', 'schedule'], textOf(`config.problem.${feedbackScheduleIssue}`, { schedule: config.feedback.schedule, min: MIN_EVERY_MS }))
  const ids = new Set<string>()
  config.agencies.forEach((agency, i) => {
    if (ids.has(agency.id)) report(['agencies', i, 'id'], textOf('config.problem.duplicateId', { id: agency.id }))
    ids.add(agency.id)
  })

  const resolved = resolveEnvRefs(config, env)
  // Listed instead of refused: only a variable that is not set at all (a NAME_FILE that cannot be read, or both set, is still wrong).
  const unset = listMissingEnv ? resolved.missing.filter(m => m.unset) : []
  for (const { path, text } of resolved.missing.filter(m => !unset.includes(m))) report(path, text)
  const missingPaths = new Set(resolved.missing.map(m => JSON.stringify(m.path)))
  if (problems.length > 0) throw configError(absolute, problems, texts)

  const out = resolved.value
  // A short webhook secret can be guessed and then any notification forged; checked on the resolved value.
  out.alarms.webhooks.forEach((hook, i) => {
    if (missingPaths.has(JSON.stringify(['alarms', 'webhooks', i, 'secret']))) return
    const bytes = Buffer.byteLength(String(hook.secret), 'utf8')
    if (bytes < WEBHOOK_SECRET_MIN_BYTES) report(['alarms', 'webhooks', i, 'secret'], textOf('config.problem.webhookSecretShort', { bytes, min: WEBHOOK_SECRET_MIN_BYTES }))
  })
  // The party secret keys the repeat-party hashes: a short one makes them guessable from a list of ID numbers.
  if (out.risk !== undefined && !missingPaths.has(JSON.stringify(['risk', 'partySecret']))) {
    const bytes = Buffer.byteLength(String(out.risk.partySecret), 'utf8')
    if (bytes < WEBHOOK_SECRET_MIN_BYTES) report(['risk', 'partySecret'], textOf('config.problem.partySecretShort', { bytes, min: WEBHOOK_SECRET_MIN_BYTES }))
  }
  if (problems.length > 0) throw configError(absolute, problems, texts)
  const base = dirname(absolute)
  const agencies = out.agencies.map(agency => ({ ...agency, mapping: resolve(base, agency.mapping) }))
  const tls = out.admin.tls
  const admin = tls === undefined ? out.admin : { ...out.admin, tls: { keyFile: resolve(base, tls.keyFile), certFile: resolve(base, tls.certFile), ...(tls.clientCaFile === undefined ? {} : { clientCaFile: resolve(base, tls.clientCaFile) }) } }
  const redisTls = out.redis.tls
  const redis = redisTls?.caFile === undefined ? out.redis : { ...out.redis, tls: { ...redisTls, caFile: resolve(base, redisTls.caFile) } }
  // A target profile file (target adapters with a `profile:`) is named relative to the config file, like a mapping.
  const targets: Record<string, AdapterSection> = {}
  for (const [name, section] of Object.entries(out.targets)) {
    if (section === undefined) continue
    targets[name] = typeof section.profile === 'string' ? { ...section, profile: resolve(base, section.profile) } : section
  }
  const risk = out.risk === undefined ? {} : { risk: { ...out.risk, rulesFile: resolve(base, out.risk.rulesFile) } }
  return { config: deepFreeze({ ...out, file: absolute, redis, agencies, admin, targets, ...risk }), missingEnv: unset }
}

/**
 * One adapter's config section checked against the adapter's schema alone, its defaults
 * filled in — what the loader hands `create` (secrets aside: `{ env }` values stay as they
 * are). For code that builds one adapter without a hub configuration: tests, tools.
 */
export function adapterConfigOf<T> (def: { readonly checkConfig: (section: unknown) => T }, section: Record<string, unknown>): T {
  return def.checkConfig(section)
}

/** Use when a kind is needed at run time outside config loading (kept beside the loader: same message). */
export function unknownKind (role: string, kind: string, known: Iterable<string>): UnknownAdapterError {
  return new UnknownAdapterError(`unknown ${role} adapter kind "${kind}"; known kinds: ${[...known].join(', ')}`)
}

function configError (file: string, problems: string[], texts: ConfigProblem[]): ConfigError {
  return new ConfigError(`Invalid configuration in ${file}:\n${problems.map(p => `  ${p}`).join('\n')}`, problems, { texts, file })
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}
