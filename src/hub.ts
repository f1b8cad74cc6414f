import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import type { LoadedConfig } from './config/load-config.js'
import type { AdapterRegistry } from './contracts/adapter-registry.js'
import type { SourceAdapter } from './contracts/source-adapter.js'
import type { TargetAdapter } from './contracts/target-adapter.js'
import { unknownKind } from './config/load-config.js'
import { connectRedis, checkRedisPolicy } from './redis/connect.js'
import { Ledger, type PullRun } from './ledger/ledger.js'
import { redisAdapterState } from './ledger/adapter-state.js'
import { startPushService, type PushService } from './delivery/push-service.js'
import type { PushItem } from './delivery/push-job.js'
import type { MappingRefusedEvent, MappingWatcher } from './mapping/mapping-watcher.js'
import { openAgencyMapping } from './sync/agency-mapping.js'
import { DEFAULT_INPUT } from './formats/input-options.js'
import { pullAgency, type PageSummary, type PullSummary } from './sync/pull-agency.js'
import { PullScheduler } from './sync/scheduler.js'
import { DeliveryWindow } from './sync/delivery-window.js'
import { buildAdminServer } from './admin/admin-server.js'
import { checkReadiness, configReadiness } from './admin/readiness.js'
import { TargetProbes } from './admin/target-probes.js'
import { HUB_VERSION } from './admin/version.js'
import { TargetHealth, observeTarget } from './metrics/target-health.js'
import { createHubMetrics, type HubMetrics } from './metrics/hub-metrics.js'
import { startReconciliation, type ReconcilableAgency, type Reconciliation } from './reconcile/hub-reconciliation.js'
import type { ReconcileResult } from './reconcile/findings.js'
import type { AlarmService } from './alarms/alarm-service.js'

export interface Hub {
  readonly config: LoadedConfig
  readonly redis: Redis
  readonly ledger: Ledger
  /** Where the admin/health API listens, e.g. http://127.0.0.1:4000. */
  readonly adminUrl: string
  /** The hub's Prometheus metrics (served at /metrics). */
  readonly metrics: HubMetrics
  /** Each agency's mapping in use, watched for edits (hot reload); alarms hook `onRefused` here. */
  readonly mappings: ReadonlyMap<string, MappingWatcher>
  /** Pull one agency now (undefined when it is already being pulled). */
  pullNow (agencyId: string): Promise<PullSummary | undefined>
  /** Reconcile one agency now (source ⇄ ledger ⇄ platform); `repair` re-sends the repairable cases. ReconcileBusyError while another run of it goes on. */
  reconcileNow (agencyId: string, opts?: { repair?: boolean; fullListing?: boolean }): Promise<ReconcileResult>
  /** Desync and watchdog alarms: list, acknowledge. */
  readonly alarms: AlarmService
  /** Graceful stop: no new pulls, running pulls finish their page, active pushes finish. */
  close (): Promise<void>
}

export interface StartHubOptions {
  readonly config: LoadedConfig
  readonly registry: AdapterRegistry
  readonly logger: Logger
  /** Run the cron schedules (default true; tests may drive pulls with `pullNow`). */
  readonly schedule?: boolean
  readonly onPage?: (summary: PageSummary) => void
  readonly onAcknowledged?: (agencyId: string, items: readonly PushItem[], ackedAtMs: number) => void
  /** An edit of a mapping file was refused (the previous version stays in use). */
  readonly onMappingRefused?: (event: MappingRefusedEvent) => Promise<void> | void
  /** How often mapping files are checked for edits. @defaultValue 1000 */
  readonly mappingPollMs?: number
}

/** Assemble and start a hub from a loaded config. The adapters come from `registry`. */
export async function startHub (opts: StartHubOptions): Promise<Hub> {
  const { config, registry, logger } = opts
  const redis = connectRedis(config.redis.url, logger)
  const closers: (() => Promise<unknown>)[] = [async () => await redis.quit().catch(() => redis.disconnect())]
  const closeAll = async (): Promise<void> => { for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => logger.error({ err }, 'error while closing')) }
  try {
    await redis.ping()
    await checkRedisPolicy(redis, { requirePersistence: config.redis.requirePersistence, logger })
    const ledger = new Ledger(redis, config.redis.keyPrefix)

    const targets = new Map<string, TargetAdapter>()
    const targetHealth = new TargetHealth(Object.keys(config.targets))
    for (const [id, section] of Object.entries(config.targets)) {
      const def = registry.targets.get(section.kind) ?? (() => { throw unknownKind('target', section.kind, registry.targets.keys()) })()
      const target = observeTarget(id, def.create(section as never, { logger: logger.child({ target: id }), name: id, input: () => DEFAULT_INPUT }), targetHealth)
      targets.set(id, target)
      closers.push(async () => await target.close())
    }
    // Metrics need the queues, which need this hook: the hook finds them once they exist.
    const late: { metrics?: HubMetrics } = {}
    const window = new DeliveryWindow(ledger, config.push.agencyWindow * config.push.batchSize, logger)
    const onAcknowledged = (agencyId: string, items: readonly PushItem[], ackedAtMs: number): void => {
      window.release(agencyId)
      late.metrics?.observeAcknowledged(agencyId, items, ackedAtMs)
      opts.onAcknowledged?.(agencyId, items, ackedAtMs)
    }
    const push: PushService = startPushService({ config, redis, ledger, targets, logger, onAcknowledged })
    closers.push(async () => await push.close())

    const agencies = []
    const reconcilable: ReconcilableAgency[] = []
    // Set once reconciliation has started (after the agencies it needs are built).
    const reconciliation: { current?: Reconciliation } = {}
    const mappings = new Map<string, MappingWatcher>()
    for (const agency of config.agencies.filter(a => a.enabled)) {
      const queue = push.queues.get(agency.target)
      if (queue === undefined) throw new Error(`agency ${agency.id}: target "${agency.target}" has no queue`)
      const mapping = await openAgencyMapping({
        agencyId: agency.id, file: agency.mapping, targetId: agency.target, redis, ledger, queue, batchSize: config.push.batchSize, logger,
        ...(opts.mappingPollMs === undefined ? {} : { pollMs: opts.mappingPollMs }),
        ...(opts.onMappingRefused === undefined ? {} : { onRefused: opts.onMappingRefused }),
      })
      mappings.set(agency.id, mapping)
      closers.push(async () => await mapping.stop())
      const def = registry.sources.get(agency.source.kind) ?? (() => { throw unknownKind('source', agency.source.kind, registry.sources.keys()) })()
      const source: SourceAdapter = def.create(agency.source as never, { logger: logger.child({ agency: agency.id }), name: agency.id, input: () => mapping.current().input, state: redisAdapterState(redis, ledger.keys(agency.id).adapterState) })
      closers.push(async () => await source.close())
      agencies.push({
        id: agency.id,
        name: agency.name ?? agency.id,
        target: agency.target,
        schedule: agency.schedule,
        lockKey: ledger.keys(agency.id).pullLock,
        tickKey: ledger.keys(agency.id).pullTick,
        paused: async () => await ledger.pausedSince(agency.id) !== undefined,
        pull: async (signal: AbortSignal) => await pullAgency({
          agencyId: agency.id, targetId: agency.target, source, mapping: () => mapping.current(), ledger, queue, batchSize: config.push.batchSize, logger, window,
          ...(opts.onPage === undefined ? {} : { onPage: opts.onPage }),
        }, signal).then(async summary => { await ledger.markActivity(agency.id, summary.changed); return summary }),
        recordOutcome: async (ok: boolean, run: PullRun) => { await ledger.markPull(agency.id, ok, run); await reconciliation.current?.afterPull(agency.id) },
      })
      reconcilable.push({ agency, source, target: targets.get(agency.target) as TargetAdapter, mapping: () => mapping.current(), queue })
    }

    const scheduler = new PullScheduler(redis, agencies, logger)
    // Stopping pulls comes before stopping pushes: closers run in reverse order.
    closers.push(async () => await scheduler.stop())
    const reconciler = startReconciliation({ config, redis, ledger, logger, agencies: reconcilable, schedule: opts.schedule !== false, deliver: true })
    reconciliation.current = reconciler
    closers.push(async () => await reconciler.close())
    for (const [id, mapping] of mappings) reconciler.watchMapping(id, mapping)

    const readiness = { redis, keyPrefix: config.redis.keyPrefix, targets: targetHealth, probes: new TargetProbes(targets, targetHealth, config.admin.readiness), configChecks: configReadiness(config, mappings) }
    const hubInfo = { name: config.hub.name, locale: config.hub.locale, version: HUB_VERSION, startedAt: new Date().toISOString() }
    const openAlarms = async (): Promise<{ agency: string; kind: string; count: number }[]> => await reconciler.alarms.openAlarmCounts()
    const metrics = late.metrics = createHubMetrics({ ledger, agencies, queues: push.queues, targets: targetHealth, hub: hubInfo, ready: async () => (await checkReadiness(readiness)).ready, openAlarms })
    const admin: FastifyInstance = await buildAdminServer({
      ...readiness, ledger, hub: hubInfo, admin: config.admin, agencies, queues: push.queues, batchSize: config.push.batchSize, metrics, logger,
      triggerPull: async id => await scheduler.trigger(id),
      openAlarms,
      alarms: reconciler.alarms,
      reconcileNow: async (id, options) => await reconciler.reconcileNow(id, options),
      mappings,
    })
    await admin.listen({ host: config.admin.host, port: config.admin.port })
    closers.push(async () => await admin.close())
    const address = admin.server.address()
    const adminUrl = typeof address === 'object' && address !== null ? `http://${config.admin.host}:${address.port}` : `http://${config.admin.host}:${config.admin.port}`

    if (opts.schedule !== false) scheduler.start()
    for (const mapping of mappings.values()) mapping.start()
    logger.info({ agencies: agencies.map(a => a.id), targets: [...targets.keys()], admin: adminUrl }, 'hub started')
    return {
      config, redis, ledger, adminUrl, metrics, mappings,
      pullNow: async id => await scheduler.trigger(id),
      reconcileNow: async (id, options) => await reconciler.reconcileNow(id, options),
      alarms: reconciler.alarms,
      close: closeAll,
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}
