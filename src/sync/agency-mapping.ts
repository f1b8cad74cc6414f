/**
 * An agency's mapping as the running hub holds it: loaded and watched (src/mapping/
 * mapping-watcher.ts), its state kept in Redis for operators (src/mapping/mapping-state.ts),
 * and, whenever an edit loads, the agency's quarantine re-processed with the new version so
 * records the fix makes valid are delivered without anyone asking. A refused edit is logged
 * at error level by the watcher, recorded in Redis (visible with the agency's status) and
 * handed to `onRefused` — the hook alarms attach to.
 */
import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { PushJobData } from '../delivery/push-job.js'
import type { Ledger } from '../ledger/ledger.js'
import { recordMappingLoaded, recordMappingRefused } from '../mapping/mapping-state.js'
import { MappingWatcher, type MappingRefusedEvent } from '../mapping/mapping-watcher.js'
import { reprocessQuarantine } from './reprocess-quarantine.js'

export interface AgencyMappingOptions {
  readonly agencyId: string
  /** The mapping file as configured. */
  readonly file: string
  readonly targetId: string
  readonly redis: Redis
  readonly ledger: Ledger
  readonly queue: Queue<PushJobData>
  readonly batchSize: number
  readonly logger: Logger
  /** @defaultValue 1000 (src/mapping/mapping-watcher.ts) */
  readonly pollMs?: number
  readonly onRefused?: (event: MappingRefusedEvent) => Promise<void> | void
}

/** Load the agency's mapping (throws MappingFileError if it does not compile) and wire its reloads; call `start()` to watch. */
export async function openAgencyMapping (opts: AgencyMappingOptions): Promise<MappingWatcher> {
  const { agencyId, redis, ledger, logger } = opts
  const log = logger.child({ agency: agencyId })
  const watcher = await MappingWatcher.open({ agencyId, file: opts.file, logger: log, ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }) })
  const stateKey = ledger.keys(agencyId).mapping
  await recordMappingLoaded(redis, stateKey, watcher.current())

  watcher.onRefused(async event => {
    await recordMappingRefused(redis, stateKey, event.message, event.at)
    await opts.onRefused?.(event)
  })
  watcher.onLoaded(async ({ mapping }) => {
    await recordMappingLoaded(redis, stateKey, mapping)
    const summary = await reprocessQuarantine({ agencyId, targetId: opts.targetId, redis, ledger, queue: opts.queue, batchSize: opts.batchSize, mapping })
    if (summary.examined > 0) log.info({ ...summary }, `quarantine re-processed with mapping ${mapping.version}: ${summary.released} released, ${summary.stillInvalid} still invalid, ${summary.skipped} skipped`)
  })
  return watcher
}
