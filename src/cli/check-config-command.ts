import { resolve } from 'node:path'
import { loadConfig, loadConfigShape, type LoadedConfig } from '../config/load-config.js'
import type { MissingEnv } from '../config/env-refs.js'
import { configWarnings } from '../config/config-warnings.js'
import { formatPath } from '../yaml/positions.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { loadRiskRules } from '../risk/risk-rules.js'
import { CaseBridgeError, ConfigError, UsageError } from '../errors.js'
import type { Translate } from '../i18n/translate.js'
import { wordedProblems } from './worded-error.js'
import type { CompiledMapping } from '../mapping/types.js'
import { builtInRegistry } from '../../adapters/index.js'
import { TokenTable } from '../admin/auth/tokens.js'
import { askedLocale, cliTranslator } from './cli-locale.js'
import { checkSources, type SourceChecks } from './check-sources.js'
import { parseOptions } from './command-line.js'

/** What `--json` prints. The problems are the loader's own (English, `line:column path: expected`). */
export type CheckConfigReport =
  | {
    readonly file: string; readonly valid: true; readonly agencies: readonly { id: string; enabled: boolean; mapping: { file: string; version: string } }[]; readonly targets: readonly string[]; readonly unchecked: SourceChecks['unchecked']
    /** Environment variables the config names that are not set (only with --no-env: otherwise they make it invalid). */
    readonly missingEnv: readonly { name: string; path: string }[]
    /** What a valid config may still get wrong (src/config/config-warnings.ts). */
    readonly warnings: readonly { code: string; message: string }[]
  }
  | { readonly file: string; readonly valid: false; readonly error: { readonly code: string; readonly problems: readonly string[] } }

/**
 * `casebridge check-config <file>`: the config and every mapping it names, checked without
 * starting anything, and each enabled source against its system where the source can check
 * itself (a SQL source's query, once with LIMIT 0 in its read-only session). Texts in the language asked for (`--lang`, CASEBRIDGE_LOCALE), else the
 * config's `hub.locale`, else zh-CN, the loader's problems included (`--json` gives them in English).
 * With `--no-env` the secrets need not be there: the shape is checked, each unset variable
 * is named as a warning, and a source that needs one is left unchecked.
 */
export async function checkConfigCommand (args: string[]): Promise<number> {
  const parsed = parseOptions(args, { json: { type: 'boolean' }, lang: { type: 'string' }, 'no-env': { type: 'boolean' } })
  const asked = askedLocale(parsed.values.lang)
  const [file, ...extra] = parsed.positionals
  if (file === undefined || extra.length > 0) throw new UsageError(cliTranslator(asked)('cli.usage.checkConfigFile'))
  const json = parsed.values.json === true
  const withoutEnv = parsed.values['no-env'] === true
  let config: LoadedConfig | undefined
  let missingEnv: readonly MissingEnv[] = []
  let mappings: CompiledMapping[]
  let sources: SourceChecks
  const registry = builtInRegistry()
  try {
    if (withoutEnv) ({ config, missingEnv } = await loadConfigShape(file, registry))
    else config = await loadConfig(file, registry)
    const loaded = config
    const unset = (...prefix: (string | number)[]): MissingEnv[] => missingEnv.filter(m => prefix.every((p, i) => m.path[i] === p))
    // Admin tokens must be hashes (a token pasted in clear is refused here, not at start); one from an unset variable cannot be judged.
    new TokenTable(config.admin.tokens.filter((_token, i) => unset('admin', 'tokens', i).length === 0))
    mappings = []
    for (const agency of config.agencies) mappings.push(await loadMapping(agency.mapping, { agency: agency.id }))
    if (config.risk !== undefined) await loadRiskRules(config.risk.rulesFile)
    const t = cliTranslator(asked, config.hub.locale)
    const needEnv = new Map(config.agencies.flatMap((a, i) => {
      const names = unset('agencies', i, 'source').map(m => m.name)
      return names.length === 0 ? [] : [[a.id, t('cli.checkConfig.needsEnv', { names: [...new Set(names)].join(', ') })] as const]
    }))
    sources = await checkSources(loaded, mappings, registry, needEnv)
    if (sources.refused.length > 0) throw new ConfigError(`Invalid configuration in ${config.file}:\n${sources.refused.map(p => `  ${p}`).join('\n')}`, sources.refused)
  } catch (err) {
    if (!(err instanceof CaseBridgeError) || err.family !== 'config') throw err
    const where = config?.file ?? resolve(file)
    const problems = err instanceof ConfigError && err.problems.length > 0 ? err.problems : [err.message]
    const report: CheckConfigReport = { file: where, valid: false, error: { code: err.code, problems } }
    if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
    else {
      const t = cliTranslator(asked, config?.hub.locale)
      process.stderr.write(`casebridge check-config: ${t('cli.checkConfig.invalid', { file: where })}\n${worded(err, problems, t).map(p => `  ${p}`).join('\n')}\n`)
    }
    return 2
  }
  const agencies = config.agencies.map((a, i) => ({ id: a.id, enabled: a.enabled, mapping: { file: mappings[i]!.file, version: mappings[i]!.version } }))
  const targets = Object.keys(config.targets)
  const t = cliTranslator(asked, config.hub.locale)
  const missing = missingEnv.map(m => ({ name: m.name, path: formatPath(m.path) }))
  const warnings = [
    ...missing.map(m => ({ code: 'env_not_set', message: t('cli.checkConfig.missingEnv', m) })),
    ...configWarnings(config).map(w => ({ code: w.code, message: t(w.key, w.params) })),
  ]
  if (json) {
    const report: CheckConfigReport = { file: config.file, valid: true, agencies, targets, unchecked: sources.unchecked, missingEnv: missing, warnings }
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
    return 0
  }
  const summary = withoutEnv
    ? t('cli.checkConfig.shapeValid', { file: config.file, missing: new Set(missing.map(m => m.name)).size })
    : t('cli.checkConfig.valid', { file: config.file, agencies: agencies.length, targets: targets.length })
  const lines = [summary]
  for (const a of agencies) lines.push(t('cli.checkConfig.agency', { agency: a.id, version: a.mapping.version, mapping: a.mapping.file, disabled: a.enabled ? '' : t('cli.checkConfig.disabled') }))
  process.stdout.write(lines.join('\n') + '\n')
  for (const u of sources.unchecked) process.stderr.write(t('cli.checkConfig.unchecked', { agency: u.agency, reason: u.reason }) + '\n')
  for (const w of warnings) process.stderr.write(w.message + '\n')
  return 0
}

/** The problems in the operator's language where the loader gave them as texts (--json keeps the English). */
function worded (err: CaseBridgeError, english: readonly string[], t: Translate): readonly string[] {
  return t.locale === 'en' ? english : wordedProblems(err, t) ?? english
}
