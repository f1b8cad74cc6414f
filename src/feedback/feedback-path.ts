import type { Logger } from 'pino'
import type { RedisClient } from '../redis/redis-client.js'
import type { LoadedConfig, AgencyConfig } from '../config/load-config.js'
import type { AdapterRegistry } from '../contracts/adapter-registry.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'
import type { FeedbackDecision, FeedbackWriter, TargetFeedback } from '../contracts/feedback.js'
import type { FeedbackAlarmSink } from './feedback-reconcile.js'
import type { Ledger } from '../ledger/ledger.js'
import { unknownKind } from '../config/load-config.js'
import { DEFAULT_INPUT } from '../formats/input-options.js'
import { withLock } from '../redis/lock.js'
import { startPullTicker, type PullTicker } from '../sync/pull-schedule.js'
import { UnknownAgencyError } from '../errors.js'
import { FeedbackStore, type FeedbackCounts } from './feedback-store.js'
import { startFeedbackService, type FeedbackServiceOptions } from './feedback-service.js'
import { pullFeedback, type FeedbackPullSummary } from './feedback-puller.js'
import { enqueueFeedbackAgain, type FeedbackJobData } from './feedback-job.js'
import { reconcileFeedback, type FeedbackFinding } from './feedback-reconcile.js'
import type { FeedbackAgency } from './feedback-routing.js'

const LOCK_TTL_MS = 10_000

export interface FeedbackPathOptions {
  readonly config: LoadedConfig
  readonly registry: AdapterRegistry
  readonly redis: RedisClient
  readonly ledger: Ledger
  readonly alarms: FeedbackAlarmSink
  readonly targets: ReadonlyMap<string, TargetAdapter>
  readonly agencies: readonly AgencyConfig[]
  readonly logger: Logger
  /** Run the writer worker. */
  readonly work: boolean
  /** Run the listing and reconciliation schedules (a first listing read at start). */
  readonly schedule: boolean
  readonly onWritten?: FeedbackServiceOptions['onWritten']
  /** The clock reconciliation judges ages by. @defaultValue Date.now */
  readonly now?: () => number
}

/** The feedback path as the hub runs it; see src/README.md (feedback). */
export interface FeedbackPath {
  readonly store: FeedbackStore
  /** The agencies that have a writer. */
  readonly agencyIds: readonly string[]
  /** Read a target's feedback listing now; undefined when another process is reading it. */
  pullNow (targetId: string): Promise<FeedbackPullSummary | undefined>
  /** Reconcile a target's feedback now (raises or resolves `feedback_pending`); undefined when another process is at it. */
  reconcileNow (targetId: string): Promise<FeedbackFinding[] | undefined>
  /** Platform decisions not yet written to the agency: pending ones and dead letters (0 for an agency without a writer). */
  feedbackPending (agencyId: string): Promise<number>
  counts (agencyId: string): Promise<FeedbackCounts>
  /** Write these feedback dead letters (decision ids; all when absent) again. */
  retryDeadLetters (agencyId: string, ids?: readonly string[]): Promise<{ requeued: number; notFound: number }>
  close (): Promise<void>
}

export function startFeedbackPath (opts: FeedbackPathOptions): FeedbackPath {
  const { config, logger } = opts
  const store = new FeedbackStore(opts.redis, config.redis.keyPrefix, config.trace.enabled)
  const writers = new Map<string, FeedbackWriter>()
  const byTarget = new Map<string, FeedbackAgency[]>()
  for (const agency of opts.agencies) {
    const section = agency.feedback?.writer
    if (section === undefined) continue
    const def = opts.registry.writers.get(section.kind) ?? (() => { throw unknownKind('writer', section.kind, opts.registry.writers.keys()) })()
    writers.set(agency.id, def.create(section, { logger: logger.child({ agency: agency.id, feedback: true }), name: agency.id, input: () => DEFAULT_INPUT }))
    const configured = agency.feedback?.agencyCode ?? agency.reconcile.agencyCode
    const list = byTarget.get(agency.target) ?? []
    list.push({ id: agency.id, targetId: agency.target, agencyCode: async () => configured ?? await opts.ledger.deliveredAgencyCode(agency.id) })
    byTarget.set(agency.target, list)
  }
  // No agency with a writer (most configs so far): no queue, no worker, no schedules.
  const service = writers.size === 0 ? undefined : startFeedbackService({
    redis: opts.redis, keyPrefix: config.redis.keyPrefix, store, writers, logger, work: opts.work,
    concurrency: config.feedback.concurrency, lockDurationMs: config.feedback.lockDurationMs, retryForMs: config.feedback.retryForSeconds * 1000, backoff: config.feedback.backoff,
    ...(opts.onWritten === undefined ? {} : { onWritten: opts.onWritten }),
  })
  const listingOf = (targetId: string): TargetFeedback | undefined => opts.targets.get(targetId)?.feedback
  const controller = new AbortController()
  const running = new Set<Promise<unknown>>()
  const track = async <T>(work: Promise<T>): Promise<T> => {
    running.add(work)
    try { return await work } finally { running.delete(work) }
  }

  const pullNow = async (targetId: string): Promise<FeedbackPullSummary | undefined> => {
    const feedback = listingOf(targetId)
    const agencies = byTarget.get(targetId) ?? []
    if (feedback === undefined || service === undefined || agencies.length === 0 || controller.signal.aborted) return undefined
    const queue = service.queue
    const outcome = await track(withLock(opts.redis, store.targetKeys(targetId).pullLock, LOCK_TTL_MS, async () =>
      await pullFeedback({ targetId, feedback, agencies, store, queue, pageSize: config.feedback.pageSize, logger }, controller.signal)))
    return outcome.ran ? outcome.value : undefined
  }
  const reconcileNow = async (targetId: string): Promise<FeedbackFinding[] | undefined> => {
    const feedback = listingOf(targetId)
    const agencies = byTarget.get(targetId) ?? []
    if (feedback === undefined || agencies.length === 0 || controller.signal.aborted) return undefined
    const repair = config.feedback.reconcile.repair && service !== undefined
      ? async (agencyId: string, decisions: readonly FeedbackDecision[]): Promise<void> => { await enqueueFeedbackAgain(service.queue, decisions.map(decision => ({ agencyId, targetId, decision, listedAtMs: Date.now() }))) }
      : undefined
    const outcome = await track(withLock(opts.redis, store.targetKeys(targetId).reconcileLock, LOCK_TTL_MS, async () =>
      await reconcileFeedback({ targetId, feedback, agencies, store, alarms: opts.alarms, pageSize: config.feedback.pageSize, minAgeMs: config.feedback.reconcile.minAgeSeconds * 1000, now: opts.now ?? Date.now, ...(repair === undefined ? {} : { repair }) }, controller.signal)))
    return outcome.ran ? outcome.value : undefined
  }

  const tickers: PullTicker[] = []
  if (opts.schedule) {
    for (const targetId of byTarget.keys()) {
      if (listingOf(targetId) === undefined) {
        logger.warn({ target: targetId }, 'agencies of this target have a feedback writer, but the target offers no feedback listing: no feedback is read')
        continue
      }
      const every = (schedule: string, which: 'pull' | 'reconcile', run: (id: string) => Promise<unknown>): void => {
        tickers.push(startPullTicker(schedule, `feedback-${which}:${targetId}`, (scheduled, interval) => {
          void (async () => {
            if (controller.signal.aborted || !await store.claimTick(targetId, which, scheduled.getTime(), interval)) return
            await run(targetId)
          })().catch((err: unknown) => { logger.error({ err, target: targetId }, `feedback ${which} failed; the next tick tries again from the same cursor`) })
        }))
      }
      every(config.feedback.schedule, 'pull', pullNow)
      every(config.feedback.reconcile.schedule, 'reconcile', reconcileNow)
      void pullNow(targetId).catch((err: unknown) => { logger.error({ err, target: targetId }, 'feedback pull failed; the next tick tries again') })
    }
  }

  const known = (agencyId: string): void => {
    if (!opts.agencies.some(a => a.id === agencyId)) throw new UnknownAgencyError(agencyId, opts.agencies.map(a => a.id))
  }
  return {
    store,
    agencyIds: [...writers.keys()],
    pullNow,
    reconcileNow,
    async feedbackPending (agencyId) {
      known(agencyId)
      const c = await store.counts(agencyId)
      return c.pending + c.deadLetters
    },
    async counts (agencyId) {
      known(agencyId)
      return await store.counts(agencyId)
    },
    async retryDeadLetters (agencyId, ids) {
      known(agencyId)
      const targetId = opts.agencies.find(a => a.id === agencyId)?.target ?? ''
      if (service === undefined || !writers.has(agencyId)) return { requeued: 0, notFound: ids?.length ?? 0 }
      const taken = await store.takeDeadLetters(agencyId, ids)
      const now = Date.now()
      await store.markPending(agencyId, taken.map(d => d.decision), 'listing', new Date(now).toISOString())
      const jobs: FeedbackJobData[] = taken.map(d => ({ agencyId, targetId, decision: d.decision, listedAtMs: now }))
      await enqueueFeedbackAgain(service.queue, jobs)
      return { requeued: taken.length, notFound: ids === undefined ? 0 : ids.length - taken.length }
    },
    async close () {
      for (const t of tickers) await t.stop()
      controller.abort()
      await Promise.allSettled([...running])
      await service?.close()
      for (const w of writers.values()) await w.close().catch((err: unknown) => logger.warn({ err }, 'error closing a feedback writer'))
    },
  }
}
