/**
 * An agency's mapping as the running hub holds it: loaded and watched (src/mapping/
 * mapping-watcher.ts), its state kept in Redis for operators (src/ledger/mapping-state.ts),
 * and, whenever an edit loads, the agency's quarantine re-processed with the new version so
 * records the fix makes valid are delivered without anyone asking. A refused edit is logged
 * at error level by the watcher, recorded in Redis (visible with the agency's status) and
 * handed to `onRefused` — the hook alarms attach to.
 */
import type { Queue } from 'bullmq'
import type { Logger } from 'pino'
import type { PushJobData } from '../delivery/push-job.js'
import type { Ledger } from '../ledger/ledger.js'
import { MappingWatcher, type MappingRefusedEvent } from '../mapping/mapping-watcher.js'
import type { TargetProjection } from '../contracts/projection.js'
import { reprocessQuarantine } from './reprocess-quarantine.js'

export interface AgencyMappingOptions {
  readonly agencyId: string
  /** The mapping file as configured. */
  readonly file: string
  readonly targetId: string
  readonly ledger: Ledger
  readonly queue: Queue<PushJobData>
  readonly batchSize: number
  readonly logger: Logger
  /** @defaultValue 1000 (src/mapping/mapping-watcher.ts) */
  readonly pollMs?: number
  readonly onRefused?: (event: MappingRefusedEvent) => Promise<void> | void
  /**
   * Record the mapping's state for operators and re-process the quarantine when an edit
   * loads (the running hub); false for a one-off CLI run beside it, which must not speak
   * for the hub's mapping. @defaultValue true
   */
  readonly publish?: boolean
  /** The agency's target's profile, when it has one: re-processed cases are projected as in a pull. */
  readonly projection?: (() => TargetProjection) | undefined
}

/** Load the agency's mapping (throws MappingFileError if it does not compile) and wire its reloads; call `start()` to watch. */
export async function openAgencyMapping (opts: AgencyMappingOptions): Promise<MappingWatcher> {
  const { agencyId, ledger, logger } = opts
  const log = logger.child({ agency: agencyId })
  const watcher = await MappingWatcher.open({ agencyId, file: opts.file, logger: log, ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }) })
  if (opts.publish === false) return watcher
  await ledger.recordMappingLoaded(agencyId, watcher.current())

  watcher.onRefused(async event => {
    await ledger.recordMappingRefused(agencyId, event.message, event.at)
    await opts.onRefused?.(event)
  })
  watcher.onLoaded(async ({ mapping }) => {
    await ledger.recordMappingLoaded(agencyId, mapping)
    const summary = await reprocessQuarantine({ agencyId, targetId: opts.targetId, ledger, queue: opts.queue, batchSize: opts.batchSize, mapping, projection: opts.projection?.() })
    if (summary.examined > 0) log.info({ ...summary }, `quarantine re-processed with mapping ${mapping.version}: ${summary.released} released, ${summary.stillInvalid} still invalid, ${summary.skipped} skipped`)
  })
  return watcher
}
