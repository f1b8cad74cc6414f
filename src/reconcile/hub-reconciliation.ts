import type { Queue } from 'bullmq'
import type { RedisClient } from '../redis/redis-client.js'
import type { Logger } from 'pino'
import type { AgencyConfig, LoadedConfig } from '../config/load-config.js'
import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { Ledger } from '../ledger/ledger.js'
import type { PushJobData } from '../delivery/push-job.js'
import type { AlarmSink } from './alarm-sink.js'
import type { ReconcileResult } from './findings.js'
import type { ReconcileDeps, ReconcileOptions } from './reconcile-agency.js'
import { reconcileConfig } from './reconcile-config.js'
import { ReconcileScheduler } from './reconcile-scheduler.js'
import { repairCases, REPLAY } from './repair.js'
import { UnknownAgencyError } from '../errors.js'

/** One agency as reconciliation needs it: its adapters, its current mapping, its target's push queue. */
export interface ReconcilableAgency {
  readonly agency: AgencyConfig
  readonly source: SourceAdapter
  readonly target: TargetAdapter
  readonly mapping: () => CompiledMapping
  readonly queue: Queue<PushJobData>
}

export interface Reconciliation {
  /** Reconcile one agency now; `repair` re-sends what is repairable. */
  reconcileNow (agencyId: string, opts?: Pick<ReconcileOptions, 'repair' | 'fullListing' | 'listThreshold' | 'onProgress'>): Promise<ReconcileResult>
  /**
   * An operator's replay of one case: its canonical version read again from the source
   * (the ledger keeps no content) and re-sent through the push queue under a fresh
   * idempotency key, like a repair; recorded as a "replayed" trace event. 0 when the
   * source no longer has it as a valid case (or has no full listing).
   */
  replayCase (agencyId: string, caseNumber: string): Promise<{ enqueued: number; notes: readonly string[] }>
  close (): Promise<void>
}

/**
 * Reconciliation of every agency of a hub, on its schedule (`schedule`) and on demand. What
 * it finds goes to `alarms` — the hub's alarm service; reconciliation knows no more of alarms.
 */
export function startReconciliation (opts: {
  config: LoadedConfig
  redis: RedisClient
  ledger: Ledger
  logger: Logger
  agencies: readonly ReconcilableAgency[]
  alarms: AlarmSink
  schedule: boolean
  /** The runs' clock (src/reconcile/reconcile-agency.ts). @defaultValue Date.now */
  now?: () => number
  /** After each run that ended, scheduled or on demand (the hub recomputes the transfer-risk findings). */
  onReconciled?: (agencyId: string) => Promise<void>
}): Reconciliation {
  const { config, redis, ledger, logger, alarms } = opts
  const deps = new Map<string, ReconcileDeps>(opts.agencies.map(a => [a.agency.id, {
    agencyId: a.agency.id, config: reconcileConfig(a.agency), source: a.source, target: a.target, targetId: a.agency.target, mapping: a.mapping,
    ledger, redis, keyPrefix: config.redis.keyPrefix, queue: a.queue, batchSize: config.push.batchSize, alarms, logger,
    ...(opts.now === undefined ? {} : { now: opts.now }),
  }]))
  const scheduler = new ReconcileScheduler(deps, logger, opts.onReconciled)
  if (opts.schedule) scheduler.start()
  return {
    reconcileNow: async (agencyId, options = {}) => await scheduler.reconcileNow(agencyId, options),
    replayCase: async (agencyId, caseNumber) => {
      const d = deps.get(agencyId) ?? (() => { throw new UnknownAgencyError(agencyId, [...deps.keys()]) })()
      // The kind only labels the summary's counts (a replay audits no finding).
      const summary = await repairCases({ ...d, projection: d.target.projection }, new Map([[caseNumber, 'missing_in_target']]), `replay-${Date.now().toString(36)}`, new AbortController().signal, () => {}, REPLAY)
      return { enqueued: summary.enqueued, notes: summary.notes }
    },
    close: async () => { await scheduler.stop() },
  }
}
