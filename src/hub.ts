import type { Queue } from 'bullmq'
import type { RedisClient } from './redis/redis-client.js'
import type { Logger } from 'pino'
import type { AgencyConfig, LoadedConfig } from './config/load-config.js'
import type { AdapterRegistry } from './contracts/adapter-registry.js'
import type { SourceAdapter } from './contracts/source-adapter.js'
import type { TargetAdapter } from './contracts/target-adapter.js'
import { unknownKind } from './config/load-config.js'
import { configWarnings } from './config/config-warnings.js'
import { translator, type Locale } from './i18n/translate.js'
import { describeMappingFileError } from './mapping/describe-mapping-error.js'
import { BacklogReader, type UnpulledBacklog } from './lag/unpulled-backlog.js'
import { InternalError, MappingFileError, UnknownAgencyError } from './errors.js'
import { connectRedis, checkRedisPolicy } from './redis/connect.js'
import { Ledger, type PullLease, type PullRun } from './ledger/ledger.js'
import { startPushService } from './delivery/push-service.js'
import type { PushItem, PushJobData } from './delivery/push-job.js'
import type { MappingRefusedEvent, MappingWatcher } from './mapping/mapping-watcher.js'
import { openAgencyMapping } from './sync/agency-mapping.js'
import { DEFAULT_INPUT } from './formats/input-options.js'
import { pullAgency, type PageSummary, type PullSummary } from './sync/pull-agency.js'
import { PullScheduler, type ScheduledAgency } from './sync/scheduler.js'
import { DeliveryWindow } from './sync/delivery-window.js'
import { rejudgeHeld, reprocessQuarantine, type ReprocessSummary } from './sync/reprocess-quarantine.js'
import { buildAdminServer } from './admin/admin-server.js'
import type { AdminAgency } from './admin/admin-deps.js'
import { checkReadiness, configReadiness } from './admin/readiness.js'
import { TargetProbes } from './admin/target-probes.js'
import { HUB_VERSION } from './admin/version.js'
import { TargetHealth, observeTarget } from './metrics/target-health.js'
import { createHubMetrics, type HubMetrics, type OpenAlarmCount } from './metrics/hub-metrics.js'
import { startReconciliation } from './reconcile/hub-reconciliation.js'
import { alarmsConfig, reconcileConfig } from './reconcile/reconcile-config.js'
import type { ReconcileResult } from './reconcile/findings.js'
import type { ReconcileOptions } from './reconcile/reconcile-agency.js'
import { AlarmService } from './alarms/alarm-service.js'
import { checkAgencyHealth } from './alarms/health-watch.js'
import { agencyCompleteness } from './admin/agency-completeness.js'
import { checkCompleteness } from './alarms/completeness-watch.js'
import { Supervision, type SupervisedAgency } from './admin/supervision.js'
import { caseFactsWith, startRisk, type HubRisk } from './risk/hub-risk.js'
import { startFeedbackPath, type FeedbackPath } from './feedback/feedback-path.js'
import { registerFeedbackMetrics, type FeedbackMetrics } from './metrics/feedback-metrics.js'
import { TraceStore } from './trace/trace-store.js'
import { TracePruner } from './trace/trace-pruner.js'
import { appendAudit } from './audit/audit-stream.js'

/** One agency as the hub assembled it: its config, adapters, mapping (watched) and its target's push queue. */
export interface AssembledAgency {
  readonly config: AgencyConfig
  readonly source: SourceAdapter
  readonly target: TargetAdapter
  readonly mapping: MappingWatcher
  readonly queue: Queue<PushJobData>
}

/** What {@link assembleHub} builds; `startHub` is the same with every part running. */
export interface AssembledHub {
  readonly config: LoadedConfig
  readonly redis: RedisClient
  readonly ledger: Ledger
  readonly agencies: ReadonlyMap<string, AssembledAgency>
  /** Each agency's mapping in use, watched for edits (hot reload) when the hub watches them. */
  readonly mappings: ReadonlyMap<string, MappingWatcher>
  /** Desync and watchdog alarms: list, acknowledge. */
  readonly alarms: AlarmService
  /** Where the admin/health API listens, e.g. http://127.0.0.1:4000 (with `admin`). */
  readonly adminUrl: string | undefined
  /** The hub's Prometheus metrics, served at /metrics (with `admin`). */
  readonly metrics: HubMetrics | undefined
  /** Transfer-risk and time-limit findings (config `risk:`); absent when the feature is off. */
  readonly risk: HubRisk | undefined
  /** Feedback (platform decisions → agencies): read now, reconcile now, counts, `feedbackPending(agencyId)`. */
  readonly feedback: FeedbackPath
  /** One assembled agency; UnknownAgencyError (naming the known ones) for another id. */
  agency (agencyId: string): AssembledAgency
  /** Pull one agency now (undefined when it is already being pulled). */
  pullNow (agencyId: string): Promise<PullSummary | undefined>
  /** Reconcile one agency now (source ⇄ ledger ⇄ platform); `repair` re-sends the repairable cases. ReconcileBusyError while another run of it goes on. */
  reconcileNow (agencyId: string, opts?: Pick<ReconcileOptions, 'repair' | 'fullListing' | 'listThreshold' | 'onProgress'>): Promise<ReconcileResult>
  /** Re-map the agency's quarantined records with its mapping as loaded (src/sync/reprocess-quarantine.ts). */
  reprocessQuarantine (agencyId: string): Promise<ReprocessSummary>
  /** Graceful stop: no new pulls, running pulls finish their page, active pushes finish. */
  close (): Promise<void>
}

/** The running hub: every part on, the admin API listening. */
export interface Hub extends AssembledHub {
  readonly adminUrl: string
  readonly metrics: HubMetrics
}

export interface AssembleOptions {
  readonly config: LoadedConfig
  readonly registry: AdapterRegistry
  readonly logger: Logger
  /** The agencies to assemble. @defaultValue every enabled agency of the config */
  readonly agencies?: readonly string[]
  /** Run push workers; false: push jobs are only enqueued (a running hub delivers them). @defaultValue true */
  readonly work?: boolean
  /** Run the pull and reconciliation schedules, with a first pull at start. @defaultValue true */
  readonly schedule?: boolean
  /** Serve the admin API, the probes and /metrics. @defaultValue true */
  readonly admin?: boolean
  /** Deliver alarm webhooks; false for a one-off CLI run beside a running hub, which delivers them. @defaultValue true */
  readonly deliverAlarms?: boolean
  /** Watch mapping files for edits, record their state for operators, re-process quarantine on a fixed one. @defaultValue true */
  readonly watchMappings?: boolean
  readonly onPage?: (summary: PageSummary) => void
  readonly onAcknowledged?: (agencyId: string, items: readonly PushItem[], ackedAtMs: number) => void
  /** An edit of a mapping file was refused (the previous version stays in use). */
  readonly onMappingRefused?: (event: MappingRefusedEvent) => Promise<void> | void
  /** How often mapping files are checked for edits. @defaultValue 1000 */
  readonly mappingPollMs?: number
  /** The clock reconciliation runs judge ages by (tests move it instead of waiting for `minAgeSeconds`). @defaultValue Date.now */
  readonly reconcileClock?: () => number
  /** The clock handling time limits are judged by (tests move it instead of waiting days). @defaultValue Date.now */
  readonly riskClock?: () => number
}

export type StartHubOptions = Omit<AssembleOptions, 'admin' | 'work' | 'deliverAlarms' | 'watchMappings' | 'agencies'>

/**
 * Assemble a hub from a loaded config, once, in one place: RedisClient and the ledger, the
 * targets and their push queues (with workers or not), each agency's mapping, source and
 * pull, alarms and their watchdogs, reconciliation, and the admin API with metrics — each
 * part on or off by `opts`. `casebridge run` runs all of it; `reconcile --config` and
 * `quarantine retry` assemble what they need beside a running hub (no workers, no
 * schedules, no admin API, no webhook delivery). The adapters come from `registry`.
 */
export async function assembleHub (opts: AssembleOptions): Promise<AssembledHub> {
  const { config, registry, logger } = opts
  const redis = connectRedis(config.redis, logger)
  const closers: (() => Promise<unknown>)[] = [async () => await redis.quit().catch(() => redis.disconnect())]
  const closeAll = async (): Promise<void> => { for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => logger.error({ err }, 'error while closing')) }
  try {
    await redis.ping()
    await checkRedisPolicy(redis, { requirePersistence: config.redis.requirePersistence, logger })
    const riskConfig = config.risk?.enabled === true ? config.risk : undefined
    const ledger = new Ledger(redis, config.redis.keyPrefix, config.push.lateDeliveryWatchSeconds * 1000, config.trace.enabled, riskConfig === undefined ? undefined : caseFactsWith(riskConfig.partySecret))
    const wanted = opts.agencies ?? config.agencies.filter(a => a.enabled).map(a => a.id)
    const configured = config.agencies.map(a => a.id)
    const agencyConfigs = wanted.map(id => config.agencies.find(a => a.id === id) ?? (() => { throw new UnknownAgencyError(id, configured) })())

    const targetHealth = new TargetHealth(Object.keys(config.targets))
    const targets = new Map<string, TargetAdapter>()
    for (const [id, section] of Object.entries(config.targets)) {
      const def = registry.targets.get(section.kind) ?? (() => { throw unknownKind('target', section.kind, registry.targets.keys()) })()
      const target = observeTarget(id, def.create(section, { logger: logger.child({ target: id }), name: id, input: () => DEFAULT_INPUT }), targetHealth)
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
    const push = startPushService({ config, redis, ledger, targets, logger, onAcknowledged, work: opts.work !== false })
    closers.push(async () => await push.close())

    const alarms = new AlarmService({
      redis, keyPrefix: config.redis.keyPrefix, config: alarmsConfig(config), hub: { name: config.hub.name, locale: config.hub.locale }, logger, deliver: opts.deliverAlarms !== false,
    })
    closers.push(async () => await alarms.close())

    const watch = opts.watchMappings !== false
    const risk = riskConfig === undefined
      ? undefined
      : await startRisk({
        config: riskConfig, redis, keyPrefix: config.redis.keyPrefix, ledger, alarms, agencies: agencyConfigs.map(a => a.id), logger, locale: config.hub.locale,
        ...(opts.mappingPollMs === undefined ? {} : { pollMs: opts.mappingPollMs }),
        ...(opts.riskClock === undefined ? {} : { now: opts.riskClock }),
      })
    if (risk !== undefined) closers.push(async () => await risk.stop())
    /** The incomplete_records alarm of one agency, from the gaps the ledger keeps, judged by its current mapping. */
    const checkAgencyCompleteness = async (agencyId: string, mapping: MappingWatcher): Promise<void> => {
      try {
        const report = await agencyCompleteness({ ledger, mappings: new Map([[agencyId, mapping]]) }, agencyId)
        await checkCompleteness(alarms, agencyId, report.cases, report.fields, config.alarms.completeness)
      } catch (err) {
        logger.warn({ err, agency: agencyId }, 'completeness check failed; the next pull checks again')
      }
    }
    const agencies = new Map<string, AssembledAgency>()
    const scheduled: (ScheduledAgency & AdminAgency)[] = []
    for (const agency of agencyConfigs) {
      // Every target of the config has a queue (the config schema names only configured targets).
      const queue = push.queues.get(agency.target) ?? (() => { throw unknownKind('target', agency.target, push.queues.keys()) })()
      const target = targets.get(agency.target) ?? (() => { throw unknownKind('target', agency.target, targets.keys()) })()
      const mapping = await openAgencyMapping({
        agencyId: agency.id, file: agency.mapping, targetId: agency.target, ledger, queue, batchSize: config.push.batchSize, logger, publish: watch, projection: target.projection,
        ...(opts.mappingPollMs === undefined ? {} : { pollMs: opts.mappingPollMs }),
        onRefused: async event => {
          await alarms.report(agency.id, 'mapping_invalid', { count: 1, samples: [], detail: { file: event.file, message: event.message, ...refusedReason(event.error, config.hub.locale) } }).catch((err: unknown) => logger.warn({ err }, 'could not raise the mapping alarm'))
          await opts.onMappingRefused?.(event)
        },
      })
      mapping.onLoaded(async () => { await alarms.resolve(agency.id, 'mapping_invalid').catch((err: unknown) => logger.warn({ err }, 'could not resolve the mapping alarm')) })
      // An edit can change what counts as missing (a field taken off `absent:`): the ledger
      // keeps every case's gaps, so the incomplete_records alarm follows the edit at once,
      // not at the next pull — which may not come soon, or may find the pull lock taken by
      // the quarantine re-processing that the same edit started.
      mapping.onLoaded(async () => { await checkAgencyCompleteness(agency.id, mapping) })
      // The re-processing above released what the edit made valid, with its facts: judge them now.
      mapping.onLoaded(async () => { await risk?.recompute() })
      closers.push(async () => await mapping.stop())
      const def = registry.sources.get(agency.source.kind) ?? (() => { throw unknownKind('source', agency.source.kind, registry.sources.keys()) })()
      const source: SourceAdapter = def.create(agency.source, { logger: logger.child({ agency: agency.id }), name: agency.id, input: () => mapping.current().input, state: ledger.adapterState(agency.id) })
      closers.push(async () => await source.close())
      agencies.set(agency.id, { config: agency, source, target, mapping, queue })
      const limits = reconcileConfig(agency)
      // Whether the pull whose outcome is recorded next changed cases (one pull of an agency at a time per process).
      let changedSinceOutcome = false
      scheduled.push({
        id: agency.id,
        name: agency.name ?? agency.id,
        target: agency.target,
        schedule: agency.schedule,
        paused: async () => await ledger.pausedSince(agency.id) !== undefined,
        pull: async (signal: AbortSignal, lease: PullLease) => {
          const projection = target.projection?.()
          // A profile edit first re-judges the cases an older version of it held.
          if (projection !== undefined) await rejudgeHeld({ agencyId: agency.id, targetId: agency.target, ledger, queue, batchSize: config.push.batchSize, mapping: mapping.current(), projection, lease })
          const summary = await pullAgency({
            agencyId: agency.id, targetId: agency.target, source, mapping: () => mapping.current(), projection: target.projection, ledger, queue, batchSize: config.push.batchSize, logger, window, lease,
            ...(opts.onPage === undefined ? {} : { onPage: opts.onPage }),
          }, signal)
          await ledger.markActivity(agency.id, summary.changed)
          changedSinceOutcome = summary.changed > 0
          await ledger.recordSourceProblems(agency.id, await source.problems?.() ?? [])
          return summary
        },
        recordOutcome: async (ok: boolean, run: PullRun) => {
          await ledger.markPull(agency.id, ok, run)
          // The agency watchdogs (unreachable, silent, source problems) after every pull attempt.
          await checkAgencyHealth(alarms, ledger, agency.id, limits).catch((err: unknown) => logger.warn({ err, agency: agency.id }, 'agency watchdog check failed; the next pull checks again'))
          await checkAgencyCompleteness(agency.id, mapping)
          // Findings match parties across agencies: every agency's are computed again — at
          // once when this pull changed cases, else at most once a minute (time limits move).
          const changed = changedSinceOutcome
          changedSinceOutcome = false
          await risk?.recomputeAfterPull(changed)
        },
      })
    }
    const agencyOf = (agencyId: string): AssembledAgency => agencies.get(agencyId) ?? (() => { throw new UnknownAgencyError(agencyId, [...agencies.keys()]) })()
    const mappings = new Map([...agencies].map(([id, a]) => [id, a.mapping]))
    const reprocessNow = async (agencyId: string): Promise<ReprocessSummary> => {
      const a = agencyOf(agencyId)
      return await reprocessQuarantine({ agencyId, targetId: a.config.target, ledger, queue: a.queue, batchSize: config.push.batchSize, mapping: a.mapping.current(), projection: a.target.projection?.() })
    }

    // Feedback: platform decisions → agency writers (src/feedback/). Closed before alarms (reconciliation raises them).
    const lateFeedback: { metrics?: FeedbackMetrics } = {}
    const feedback = startFeedbackPath({
      config, registry, redis, ledger, alarms, targets, agencies: agencyConfigs, logger, work: opts.work !== false, schedule: opts.schedule !== false,
      onWritten: (agencyId, lag) => lateFeedback.metrics?.observeWritten(agencyId, lag),
      ...(opts.reconcileClock === undefined ? {} : { now: opts.reconcileClock }),
    })
    closers.push(async () => await feedback.close())

    const scheduler = new PullScheduler(ledger, scheduled, logger)
    // Stopping pulls comes before stopping pushes: closers run in reverse order.
    closers.push(async () => await scheduler.stop())
    const reconciler = startReconciliation({
      config, redis, ledger, logger, alarms, schedule: opts.schedule !== false,
      ...(opts.reconcileClock === undefined ? {} : { now: opts.reconcileClock }),
      ...(risk === undefined ? {} : { onReconciled: async () => { await risk.recompute() } }),
      agencies: [...agencies.values()].map(a => ({ agency: a.config, source: a.source, target: a.target, mapping: () => a.mapping.current(), queue: a.queue })),
    })
    closers.push(async () => await reconciler.close())

    let adminUrl: string | undefined
    if (opts.admin !== false) {
      const readiness = { redis, keyPrefix: config.redis.keyPrefix, targets: targetHealth, probes: new TargetProbes(targets, targetHealth, config.admin.readiness), configChecks: configReadiness(config, mappings) }
      const hubInfo = { name: config.hub.name, locale: config.hub.locale, version: HUB_VERSION, startedAt: new Date().toISOString() }
      const openAlarms = async (): Promise<OpenAlarmCount[]> => await alarms.openAlarmCounts()
      const backlogs = new BacklogReader(new Map([...agencies].map(([id, a]) => [id, { source: a.source, cursor: async () => await ledger.cursor(id) }])), { cacheMs: config.admin.readiness.cacheMs, timeoutMs: config.admin.readiness.probeTimeoutMs })
      const backlog = async (id: string): Promise<UnpulledBacklog> => await backlogs.read(id)
      const metrics = late.metrics = createHubMetrics({ ledger, agencies: scheduled, queues: push.queues, targets: targetHealth, hub: hubInfo, ready: async () => (await checkReadiness(readiness)).ready, openAlarms, completeness: async id => (await agencyCompleteness({ ledger, mappings }, id)).fields, backlog,
        ...(risk === undefined ? {} : { riskFindings: async (id: string) => await risk.findingCounts(id) }),
      })
      lateFeedback.metrics = registerFeedbackMetrics(metrics.registry, feedback.agencyIds, async id => await feedback.counts(id))
      const supervised: SupervisedAgency[] = agencyConfigs.map(a => ({
        id: a.id, name: a.name ?? a.id, entryDeadlineDays: a.reconcile.entryDeadlineDays,
        ...(a.reconcile.entryDeadlineFrom === undefined ? {} : { entryDeadlineFrom: a.reconcile.entryDeadlineFrom }),
      }))
      // The supervision view's two risk columns: transfer risk, and the time_limit_* kinds.
      const riskCounts = (time: boolean) => async (id: string): Promise<Record<string, number>> => {
        const counts: Record<string, number> = await risk?.findingCounts(id) ?? {}
        return Object.fromEntries(Object.entries(counts).filter(([kind]) => kind.startsWith('time_limit') === time))
      }
      const supervision = new Supervision({
        ledger, agencies: supervised,
        ...(risk === undefined ? {} : { transferRisk: riskCounts(false), timeLimits: riskCounts(true) }),
        // null for an agency without a feedback writer: nothing is written back to it, so nothing is pending.
        feedbackPending: async id => feedback.agencyIds.includes(id) ? await feedback.feedbackPending(id) : null,
      })
      const admin = await buildAdminServer({
        ...readiness, ledger, hub: hubInfo, admin: config.admin, agencies: scheduled, queues: push.queues, batchSize: config.push.batchSize, metrics, logger,
        triggerPull: async id => await scheduler.trigger(id),
        openAlarms,
        alarms,
        reconcileNow: async (id, options) => await reconciler.reconcileNow(id, options),
        reprocessQuarantine: async id => await reprocessNow(id),
        replayCase: async (id, caseNumber) => await reconciler.replayCase(id, caseNumber),
        mappings,
        backlog,
        supervision,
        configFile: config.file,
        ...(risk === undefined ? {} : { risk }),
        feedback,
      })
      await admin.listen({ host: config.admin.host, port: config.admin.port })
      closers.push(async () => await admin.close())
      const address = admin.server.address()
      // Said at every start, not only by check-config: a config that was never checked is the one that needs it.
      const listening = { ...config.admin, port: typeof address === 'object' && address !== null ? address.port : config.admin.port }
      for (const w of configWarnings({ admin: listening })) logger.warn({ code: w.code, host: listening.host, port: listening.port }, translator(config.hub.locale)(w.key, w.params))
      const scheme = config.admin.tls === undefined ? 'http' : 'https'
      adminUrl = typeof address === 'object' && address !== null ? `${scheme}://${config.admin.host}:${address.port}` : `${scheme}://${config.admin.host}:${config.admin.port}`
    }

    if (opts.schedule !== false) scheduler.start()
    // Trace retention (src/trace): incremental pruning on its own schedule.
    const pruner = new TracePruner(new TraceStore(redis, config.redis.keyPrefix), [...agencies.keys()], config.trace, config.trace.pruneIntervalSeconds * 1000, logger,
      async (agencyId, digest) => { await appendAudit(redis, config.redis.keyPrefix, { who: 'trace', what: 'trace.anchor', target: agencyId, result: 'ok', detail: digest }) })
    if (opts.schedule !== false) pruner.start()
    closers.push(async () => await pruner.stop())
    if (watch) for (const mapping of mappings.values()) mapping.start()
    if (watch) risk?.start()
    logger.info({ agencies: [...agencies.keys()], targets: [...targets.keys()], ...(adminUrl === undefined ? {} : { admin: adminUrl }) }, opts.admin === false ? 'hub assembled' : 'hub started')
    return {
      config, redis, ledger, agencies, mappings, alarms, adminUrl, metrics: late.metrics, risk, feedback,
      agency: agencyOf,
      pullNow: async id => await scheduler.trigger(id),
      reconcileNow: async (id, options) => await reconciler.reconcileNow(id, options),
      reprocessQuarantine: reprocessNow,
      close: closeAll,
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}

/** Assemble and start the whole hub (`casebridge run`): workers, schedules, mapping watch, webhooks, the admin API. */
export async function startHub (opts: StartHubOptions): Promise<Hub> {
  const hub = await assembleHub(opts)
  const { adminUrl, metrics } = hub
  if (adminUrl === undefined || metrics === undefined) throw new InternalError('unreachable: a started hub serves its admin API')
  return { ...hub, adminUrl, metrics }
}

/** The refused mapping's problem worded in the hub's language, beside the English `message` (for the alarm's readers). */
function refusedReason (err: Error, locale: Locale): { reason?: string } {
  return err instanceof MappingFileError ? { reason: describeMappingFileError(err, translator(locale)) } : {}
}
