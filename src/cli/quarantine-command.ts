/**
 * `casebridge quarantine retry --agency X [--config file] [--json]`: re-process an agency's
 * quarantine now with the mapping file as it is on disk — what a running hub does by itself
 * when an edited mapping loads. Works beside a running hub (it waits for the agency's pull
 * to finish, via the same lock) or without one (the push jobs wait in Redis for the hub).
 */
import { join } from 'node:path'
import { loadConfig } from '../config/load-config.js'
import { createLogger } from '../logging/logger.js'
import { projectRoot } from '../paths.js'
import { assembleHub } from '../hub.js'
import { builtInRegistry } from '../../adapters/index.js'
import { askedLocale, cliTranslator } from './cli-locale.js'
import { listOf } from '../i18n/translate.js'
import { UsageError } from '../errors.js'
import { parseOptions } from './command-line.js'

/**
 * Run `quarantine retry`; `args` are what follows `casebridge quarantine`. Texts in the
 * language asked for (`--lang`, CASEBRIDGE_LOCALE), else the config's `hub.locale`.
 */
export async function quarantineRetryCommand (args: string[]): Promise<number> {
  const parsed = parseOptions(args, { agency: { type: 'string' }, config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, lang: { type: 'string' } })
  const asked = askedLocale(parsed.values.lang)
  const usageText = cliTranslator(asked)
  const [sub, ...extra] = parsed.positionals
  if (sub !== 'retry' || extra.length > 0) throw new UsageError(usageText('cli.usage.quarantineRetry'))
  const agencyId = parsed.values.agency
  if (agencyId === undefined) throw new UsageError(usageText('cli.usage.needsAgency', { command: 'quarantine retry' }))
  const file = parsed.values.config ?? process.env.CASEBRIDGE_CONFIG ?? join(projectRoot, 'config', 'demo.yaml')

  const config = await loadConfig(file, builtInRegistry())
  const t = cliTranslator(asked, config.hub.locale)
  const agency = config.agencies.find(a => a.id === agencyId)
  if (agency === undefined) throw new UsageError(t('cli.usage.unknownAgency', { agency: agencyId, file: config.file, agencies: listOf(t, config.agencies.map(a => a.id)) }))
  // Logs go to stderr so that stdout is the result alone.
  const logger = createLogger({ level: 'warn', name: 'casebridge-quarantine' }, process.stderr)
  // Enqueue only: a running hub's push workers deliver; its mapping state and webhooks stay its own.
  const hub = await assembleHub({ config, registry: builtInRegistry(), logger, agencies: [agency.id], work: false, schedule: false, admin: false, deliverAlarms: false, watchMappings: false })
  try {
    const summary = await hub.reprocessQuarantine(agency.id)
    if (parsed.values.json === true) process.stdout.write(JSON.stringify({ agency: agency.id, ...summary }, null, 2) + '\n')
    else {
      process.stdout.write(t('cli.quarantineRetry.done', { agency: agency.id, version: summary.mappingVersion, examined: summary.examined, released: summary.released, enqueued: summary.enqueued, stillInvalid: summary.stillInvalid, skipped: summary.skipped }) +
        (summary.unmappable > 0 ? t('cli.quarantineRetry.unmappable', { count: summary.unmappable }) : '') + '\n')
    }
    return 0
  } finally {
    await hub.close()
  }
}
