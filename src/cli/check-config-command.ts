import { resolve } from 'node:path'
import { loadConfig, type LoadedConfig } from '../config/load-config.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { CaseBridgeError, ConfigError, UsageError } from '../errors.js'
import type { CompiledMapping } from '../mapping/types.js'
import { builtInRegistry } from '../../adapters/index.js'
import { TokenTable } from '../admin/auth/tokens.js'
import { askedLocale, cliTranslator } from './cli-locale.js'
import { checkSources, type SourceChecks } from './check-sources.js'
import { parseOptions } from './command-line.js'

/** What `--json` prints. The problems are the loader's own (English, `line:column path: expected`). */
export type CheckConfigReport =
  | { readonly file: string; readonly valid: true; readonly agencies: readonly { id: string; enabled: boolean; mapping: { file: string; version: string } }[]; readonly targets: readonly string[]; readonly unchecked: SourceChecks['unchecked'] }
  | { readonly file: string; readonly valid: false; readonly error: { readonly code: string; readonly problems: readonly string[] } }

/**
 * `casebridge check-config <file>`: the config and every mapping it names, checked without
 * starting anything, and each enabled source against its system where the source can check
 * itself (a SQL source's query, once with LIMIT 0 in its read-only session). Texts in the language asked for (`--lang`, CASEBRIDGE_LOCALE), else the
 * config's `hub.locale`, else zh-CN; the problems themselves stay as the loader words them.
 */
export async function checkConfigCommand (args: string[]): Promise<number> {
  const parsed = parseOptions(args, { json: { type: 'boolean' }, lang: { type: 'string' } })
  const asked = askedLocale(parsed.values.lang)
  const [file, ...extra] = parsed.positionals
  if (file === undefined || extra.length > 0) throw new UsageError(cliTranslator(asked)('cli.usage.checkConfigFile'))
  const json = parsed.values.json === true
  let config: LoadedConfig | undefined
  let mappings: CompiledMapping[]
  let sources: SourceChecks
  const registry = builtInRegistry()
  try {
    config = await loadConfig(file, registry)
    // Admin tokens must be hashes (a token pasted in clear is refused here, not at start).
    new TokenTable(config.admin.tokens)
    mappings = []
    for (const agency of config.agencies) mappings.push(await loadMapping(agency.mapping, { agency: agency.id }))
    sources = await checkSources(config, mappings, registry)
    if (sources.refused.length > 0) throw new ConfigError(`Invalid configuration in ${config.file}:\n${sources.refused.map(p => `  ${p}`).join('\n')}`, sources.refused)
  } catch (err) {
    if (!(err instanceof CaseBridgeError) || err.family !== 'config') throw err
    const where = config?.file ?? resolve(file)
    const problems = err instanceof ConfigError && err.problems.length > 0 ? err.problems : [err.message]
    const report: CheckConfigReport = { file: where, valid: false, error: { code: err.code, problems } }
    if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
    else process.stderr.write(`casebridge check-config: ${cliTranslator(asked, config?.hub.locale)('cli.checkConfig.invalid', { file: where })}\n${problems.map(p => `  ${p}`).join('\n')}\n`)
    return 2
  }
  const agencies = config.agencies.map((a, i) => ({ id: a.id, enabled: a.enabled, mapping: { file: mappings[i]!.file, version: mappings[i]!.version } }))
  const targets = Object.keys(config.targets)
  if (json) {
    const report: CheckConfigReport = { file: config.file, valid: true, agencies, targets, unchecked: sources.unchecked }
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
    return 0
  }
  const t = cliTranslator(asked, config.hub.locale)
  const lines = [t('cli.checkConfig.valid', { file: config.file, agencies: agencies.length, targets: targets.length })]
  for (const a of agencies) lines.push(t('cli.checkConfig.agency', { agency: a.id, version: a.mapping.version, mapping: a.mapping.file, disabled: a.enabled ? '' : t('cli.checkConfig.disabled') }))
  process.stdout.write(lines.join('\n') + '\n')
  for (const u of sources.unchecked) process.stderr.write(t('cli.checkConfig.unchecked', { agency: u.agency, reason: u.reason }) + '\n')
  return 0
}
