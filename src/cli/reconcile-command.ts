import { loadConfig } from '../config/load-config.js'
import { createLogger } from '../logging/logger.js'
import { ConfigError, UsageError } from '../errors.js'
import { assembleHub } from '../hub.js'
import { listOf } from '../i18n/translate.js'
import { askedLocale, cliTranslator } from './cli-locale.js'
import { ReconcileProgressLine, reconcileReport } from './reconcile-progress.js'
import { builtInRegistry } from '../../adapters/index.js'
import { parseOptions } from './command-line.js'

/**
 * `casebridge reconcile --config <file> --agency X`: the same reconciliation the hub runs
 * (src/reconcile/reconcile-agency.ts), from this process, against the Redis, source and
 * platform of the config file — for a box where the hub is stopped, or a cron job. Repairs
 * go to the hub's push queue (a running hub delivers them). Exit 0 when it ran, whatever
 * it found; the findings are on stdout (a table in the hub's language or `--lang`, or
 * `--json` the full result), with the run's progress (phase, records, rate) on a terminal.
 */
export async function reconcileCommand (args: string[]): Promise<number> {
  const { values } = parseOptions(args, { config: { type: 'string', short: 'c' }, agency: { type: 'string' }, repair: { type: 'boolean' }, 'full-listing': { type: 'boolean' }, json: { type: 'boolean' }, lang: { type: 'string' } }, false)
  if (values.config === undefined) throw new ConfigError('reconcile needs --config <file> (or use the running hub: casebridge reconcile --agency X)')
  const config = await loadConfig(values.config, builtInRegistry())
  // The language asked for (`--lang` anywhere, CASEBRIDGE_LOCALE), else the config's.
  const t = cliTranslator(askedLocale(values.lang), config.hub.locale)
  const agencyId = values.agency
  if (agencyId === undefined) throw new UsageError(t('cli.usage.needsAgency', { command: 'reconcile --config' }))
  if (!config.agencies.some(a => a.id === agencyId)) throw new UsageError(t('cli.usage.unknownAgency', { agency: agencyId, file: config.file, agencies: listOf(t, config.agencies.map(a => a.id)) }))
  // Logs go to stderr so that stdout is the result alone.
  const logger = createLogger({ level: config.logging.level, name: `${config.hub.name}-reconcile` }, process.stderr)
  // Beside a running hub (or none): repairs wait in Redis for the hub's push workers, alarms for its webhook delivery.
  const hub = await assembleHub({ config, registry: builtInRegistry(), logger, agencies: [agencyId], work: false, schedule: false, admin: false, deliverAlarms: false, watchMappings: false })
  try {
    const line = process.stdout.isTTY === true && values.json !== true ? new ReconcileProgressLine(process.stdout, agencyId, t) : undefined
    const result = await hub.reconcileNow(agencyId, {
      repair: values.repair === true, fullListing: values['full-listing'] === true, ...(line === undefined ? {} : { onProgress: p => line.show(p) }),
    }).finally(() => line?.clear())
    if (values.json === true) process.stdout.write(JSON.stringify(result, null, 2) + '\n')
    else for (const text of reconcileReport(t, agencyId, result)) process.stdout.write(text + '\n')
    return 0
  } finally {
    await hub.close()
  }
}
