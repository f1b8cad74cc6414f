import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { AgencyConfig, LoadedConfig } from '../config/load-config.js'
import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { Ledger } from '../ledger/ledger.js'
import type { PushJobData } from '../delivery/push-job.js'
import { AlarmService } from '../alarms/alarm-service.js'
import { checkAgencyHealth } from '../alarms/health-watch.js'
import type { ReconcileResult } from './findings.js'
import type { ReconcileDeps, ReconcileOptions } from './reconcile-agency.js'
import { alarmsConfig, reconcileConfig } from './reconcile-config.js'
import { ReconcileScheduler } from './reconcile-scheduler.js'

/** One agency as reconciliation needs it: its adapters, its current mapping, its target's push queue. */
export interface ReconcilableAgency {
  readonly agency: AgencyConfig
  readonly source: SourceAdapter
  readonly target: TargetAdapter
  readonly mapping: () => CompiledMapping
  readonly queue: Queue<PushJobData>
}

export interface Reconciliation {
  readonly alarms: AlarmService
  /** Reconcile one agency now; `repair` re-sends what is repairable. */
  reconcileNow (agencyId: string, opts?: Pick<ReconcileOptions, 'repair' | 'fullListing' | 'listThreshold' | 'onProgress'>): Promise<ReconcileResult>
  /** After every pull attempt: run the agency watchdogs. Never throws. */
  afterPull (agencyId: string): Promise<void>
  /** Alarm when an edit of an agency's mapping is refused; resolve when a good one loads. */
  watchMapping (agencyId: string, watcher: { onRefused: (l: (e: { message: string; file: string }) => Promise<void>) => void; onLoaded: (l: () => Promise<void>) => void }): void
  close (): Promise<void>
}

/**
 * Reconciliation, alarms and watchdogs for every agency of a hub (or of a one-off CLI run:
 * `schedule: false`, `deliver: false` — the running hub's webhook worker delivers what the
 * CLI run raised).
 */
export function startReconciliation (opts: {
  config: LoadedConfig
  redis: Redis
  ledger: Ledger
  logger: Logger
  agencies: readonly ReconcilableAgency[]
  schedule: boolean
  deliver: boolean
}): Reconciliation {
  const { config, redis, ledger, logger } = opts
  const alarms = new AlarmService({
    redis, keyPrefix: config.redis.keyPrefix, config: alarmsConfig(config), hub: { name: config.hub.name, locale: config.hub.locale }, logger, deliver: opts.deliver,
  })
  const deps = new Map<string, ReconcileDeps>(opts.agencies.map(a => [a.agency.id, {
    agencyId: a.agency.id, config: reconcileConfig(a.agency), source: a.source, target: a.target, targetId: a.agency.target, mapping: a.mapping,
    ledger, redis, keyPrefix: config.redis.keyPrefix, queue: a.queue, batchSize: config.push.batchSize, alarms, logger,
  }]))
  // A delivering alarm service drains the outbox itself (on start and every few seconds).
  const scheduler = new ReconcileScheduler(deps, logger)
  if (opts.schedule) scheduler.start()
  return {
    alarms,
    reconcileNow: async (agencyId, options = {}) => await scheduler.reconcileNow(agencyId, options),
    async afterPull (agencyId) {
      const agency = deps.get(agencyId)
      if (agency === undefined) return
      try {
        await checkAgencyHealth(alarms, ledger, agencyId, agency.config)
      } catch (err) {
        logger.warn({ err, agency: agencyId }, 'agency watchdog check failed; the next pull checks again')
      }
    },
    watchMapping (agencyId, watcher) {
      watcher.onRefused(async e => { await alarms.report(agencyId, 'mapping_invalid', { count: 1, samples: [], detail: { file: e.file, message: e.message } }).catch((err: unknown) => logger.warn({ err }, 'could not raise the mapping alarm')) })
      watcher.onLoaded(async () => { await alarms.resolve(agencyId, 'mapping_invalid').catch((err: unknown) => logger.warn({ err }, 'could not resolve the mapping alarm')) })
    },
    async close () {
      await scheduler.stop()
      await alarms.close()
    },
  }
}
