/**
 * `casebridge quarantine retry --agency X [--config file] [--json]`: re-process an agency's
 * quarantine now with the mapping file as it is on disk — what a running hub does by itself
 * when an edited mapping loads. Works beside a running hub (it waits for the agency's pull
 * to finish, via the same lock) or without one (the push jobs wait in Redis for the hub).
 */
import type { TargetAdapter } from '../contracts/target-adapter.js'
import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { loadConfig } from '../config/load-config.js'
import { startPushService } from '../delivery/push-service.js'
import { Ledger } from '../ledger/ledger.js'
import { createLogger } from '../logging/logger.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { projectRoot } from '../paths.js'
import { connectRedis } from '../redis/connect.js'
import { reprocessQuarantine } from '../sync/reprocess-quarantine.js'
import { builtInRegistry } from '../../adapters/index.js'
import { MappingUsageError } from './mapping-command.js'

export const QUARANTINE_RETRY_USAGE = `  casebridge quarantine retry --agency X [--config <file>] [--json]
                                           re-map an agency's quarantined records with its mapping file now
                                           (config: --config, else CASEBRIDGE_CONFIG, else config/demo.yaml)`

/** Run `quarantine retry`; `args` are what follows `casebridge quarantine`. */
export async function quarantineRetryCommand (args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { agency: { type: 'string' }, config: { type: 'string', short: 'c' }, json: { type: 'boolean' } } })
  } catch (err) {
    throw new MappingUsageError((err as Error).message)
  }
  const [sub, ...extra] = parsed.positionals
  if (sub !== 'retry' || extra.length > 0) throw new MappingUsageError('usage: casebridge quarantine retry --agency X [--config <file>]')
  const agencyId = parsed.values.agency
  if (agencyId === undefined) throw new MappingUsageError('quarantine retry needs --agency <id>')
  const file = parsed.values.config ?? process.env.CASEBRIDGE_CONFIG ?? join(projectRoot, 'config', 'demo.yaml')

  const config = await loadConfig(file, builtInRegistry())
  const agency = config.agencies.find(a => a.id === agencyId)
  if (agency === undefined) throw new MappingUsageError(`no agency "${agencyId}" in ${config.file}; configured: ${config.agencies.map(a => a.id).join(', ')}`)
  const mapping = await loadMapping(agency.mapping, { agency: agency.id })
  const logger = createLogger({ level: 'warn', name: 'casebridge-quarantine' })
  const redis = connectRedis(config.redis.url, logger)
  // Enqueue only: no worker runs here, so the targets themselves are never used, only their names.
  const targets = new Map(Object.keys(config.targets).map(id => [id, undefined as unknown as TargetAdapter]))
  const ledger = new Ledger(redis, config.redis.keyPrefix)
  const push = startPushService({ config, redis, ledger, targets, logger, work: false })
  try {
    const queue = push.queues.get(agency.target)
    if (queue === undefined) throw new MappingUsageError(`agency ${agency.id}: target "${agency.target}" is not configured`)
    const summary = await reprocessQuarantine({ agencyId: agency.id, targetId: agency.target, redis, ledger, queue, batchSize: config.push.batchSize, mapping })
    if (parsed.values.json === true) process.stdout.write(JSON.stringify({ agency: agency.id, ...summary }, null, 2) + '\n')
    else {
      process.stdout.write(`${agency.id}: ${summary.examined} quarantined records re-processed with mapping ${summary.mappingVersion}: ` +
        `${summary.released} released (${summary.enqueued} queued for delivery), ${summary.stillInvalid} still invalid, ${summary.skipped} skipped` +
        (summary.unmappable > 0 ? `; ${summary.unmappable} unreadable rows left as they are` : '') + '\n')
    }
    return 0
  } finally {
    await push.close()
    await redis.quit().catch(() => redis.disconnect())
  }
}
