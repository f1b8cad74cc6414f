import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load-config.js'
import { createLogger } from '../logging/logger.js'
import { connectRedis } from '../redis/connect.js'
import { Ledger } from '../ledger/ledger.js'
import { redisAdapterState } from '../ledger/adapter-state.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { startPushService } from '../delivery/push-service.js'
import { DEFAULT_INPUT } from '../formats/input-options.js'
import { ConfigError } from '../errors.js'
import { unknownKind } from '../config/load-config.js'
import { startReconciliation } from '../reconcile/hub-reconciliation.js'
import { isLocale, translator } from '../i18n/translate.js'
import { ReconcileProgressLine, reconcileReport } from './reconcile-progress.js'
import { builtInRegistry } from '../../adapters/index.js'

export const RECONCILE_DIRECT_USAGE = `  casebridge reconcile --config <file> --agency X [--repair] [--full-listing] [--json] [--lang zh-CN|en]
                                           reconcile straight from the config file (no running hub needed);
                                           alarms are raised in Redis, a running hub delivers their webhooks`

/**
 * `casebridge reconcile --config <file> --agency X`: the same reconciliation the hub runs
 * (src/reconcile/reconcile-agency.ts), from this process, against the Redis, source and
 * platform of the config file — for a box where the hub is stopped, or a cron job. Repairs
 * go to the hub's push queue (a running hub delivers them). Exit 0 when it ran, whatever
 * it found; the findings are on stdout (a table in the hub's language or `--lang`, or
 * `--json` the full result), with the run's progress (phase, records, rate) on a terminal.
 */
export async function reconcileCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, agency: { type: 'string' }, repair: { type: 'boolean' }, 'full-listing': { type: 'boolean' }, json: { type: 'boolean' }, lang: { type: 'string' } } })
  if (values.config === undefined) throw new ConfigError('reconcile needs --config <file> (or use the running hub: casebridge reconcile --agency X)')
  const config = await loadConfig(values.config, builtInRegistry())
  const agency = config.agencies.find(a => a.id === values.agency)
  if (agency === undefined) throw new ConfigError(`reconcile needs --agency with one of: ${config.agencies.map(a => a.id).join(', ')}`)
  const lang = values.lang ?? process.env.CASEBRIDGE_LOCALE ?? config.hub.locale
  if (!isLocale(lang)) throw new ConfigError(`unknown language "${lang}"; known: zh-CN, en`)
  const t = translator(lang)
  const registry = builtInRegistry()
  // Logs go to stderr so that stdout is the result alone.
  const logger = createLogger({ level: config.logging.level, name: `${config.hub.name}-reconcile` }, process.stderr)
  const redis = connectRedis(config.redis.url, logger)
  const ledger = new Ledger(redis, config.redis.keyPrefix)
  const closers: (() => Promise<unknown>)[] = [async () => await redis.quit()]
  try {
    const mapping = await loadMapping(agency.mapping, { agency: agency.id })
    const sourceDef = registry.sources.get(agency.source.kind) ?? (() => { throw unknownKind('source', agency.source.kind, registry.sources.keys()) })()
    const source = sourceDef.create(agency.source as never, { logger, name: agency.id, input: () => mapping.input, state: redisAdapterState(redis, ledger.keys(agency.id).adapterState) })
    closers.push(async () => await source.close())
    const section = config.targets[agency.target] as Record<string, unknown> & { kind: string }
    const targetDef = registry.targets.get(section.kind) ?? (() => { throw unknownKind('target', section.kind, registry.targets.keys()) })()
    const target = targetDef.create(section as never, { logger, name: agency.target, input: () => DEFAULT_INPUT })
    closers.push(async () => await target.close())
    // Queues only (no worker): repairs wait in Redis for the hub's push workers.
    const push = startPushService({ config, redis, ledger, targets: new Map([[agency.target, target]]), logger, work: false })
    closers.push(async () => await push.close())
    const queue = push.queues.get(agency.target)
    if (queue === undefined) throw new ConfigError(`agency ${agency.id}: target "${agency.target}" has no queue`)
    const reconciliation = startReconciliation({ config, redis, ledger, logger, agencies: [{ agency, source, target, mapping: () => mapping, queue }], schedule: false, deliver: false })
    closers.push(async () => await reconciliation.close())

    const line = process.stdout.isTTY === true && values.json !== true ? new ReconcileProgressLine(process.stdout, agency.id, t) : undefined
    const result = await reconciliation.reconcileNow(agency.id, {
      repair: values.repair === true, fullListing: values['full-listing'] === true, ...(line === undefined ? {} : { onProgress: p => line.show(p) }),
    }).finally(() => line?.clear())
    if (values.json === true) process.stdout.write(JSON.stringify(result, null, 2) + '\n')
    else for (const text of reconcileReport(t, agency.id, result)) process.stdout.write(text + '\n')
    return 0
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }
}
