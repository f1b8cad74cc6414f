import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import type { Logger } from 'pino'
import type { RedisClient } from '../redis/redis-client.js'
import type { FeedbackWriter } from '../contracts/feedback.js'
import { RemoteRefusedError } from '../errors.js'
import { crashPoint } from '../crash-points.js'
import { queuePrefix } from '../redis/queue-prefix.js'
import { pushBackoff, type PushBackoffOptions } from '../delivery/push-backoff.js'
import { UNBOUNDED_ATTEMPTS } from '../delivery/retry-budget.js'
import type { FeedbackStore } from './feedback-store.js'
import { FEEDBACK_BACKOFF_TYPE, FEEDBACK_QUEUE, type FeedbackJobData } from './feedback-job.js'

export interface FeedbackServiceOptions {
  readonly redis: RedisClient
  readonly keyPrefix: string
  readonly store: FeedbackStore
  /** Each agency's writer, by agency id. */
  readonly writers: ReadonlyMap<string, FeedbackWriter>
  readonly logger: Logger
  readonly concurrency: number
  readonly lockDurationMs: number
  readonly retryForMs: number
  readonly backoff: PushBackoffOptions
  /** false: enqueue only. */
  readonly work: boolean
  /** Told after each first confirmation: the agency, and the seconds since the platform decided and since the hub read the decision. */
  readonly onWritten?: (agencyId: string, lag: { sinceDecidedSeconds: number | undefined; sinceListedSeconds: number }) => void
  /** Told after a decision became a dead letter. */
  readonly onDeadLetter?: (agencyId: string) => void
}

export interface FeedbackService {
  readonly queue: Queue<FeedbackJobData>
  close (): Promise<void>
}

/**
 * The feedback queue (one for all agencies) and its worker: each job writes one decision
 * through its agency's writer. A decision already written (a replayed page, a job taken over
 * after a crash) is not written again; one the writer refuses, or that fails for longer than
 * `retryForMs` (exponential backoff with jitter meanwhile), becomes a feedback dead letter.
 * Writes are at-least-once — a crash between the agency's answer and the hub's record of it
 * writes once more — and the writers are idempotent by decision id, so the agency keeps one.
 */
export function startFeedbackService (opts: FeedbackServiceOptions): FeedbackService {
  const prefix = queuePrefix(opts.keyPrefix, opts.redis)
  const queue = new Queue<FeedbackJobData>(FEEDBACK_QUEUE, {
    connection: opts.redis,
    prefix,
    defaultJobOptions: { attempts: UNBOUNDED_ATTEMPTS, backoff: { type: FEEDBACK_BACKOFF_TYPE }, removeOnComplete: true, removeOnFail: { count: 1000 } },
  })
  const deadLetter = async (job: Job<FeedbackJobData>, reason: string): Promise<void> => {
    const { agencyId, decision } = job.data
    if ((await opts.store.written(agencyId, [decision.id]))[0] === true) return
    await opts.store.recordDeadLetter(agencyId, { decision, reason, attempts: job.attemptsMade + 1, deadLetteredAt: new Date().toISOString() })
    opts.onDeadLetter?.(agencyId)
    opts.logger.error({ agency: agencyId, decision: decision.id, caseNumber: decision.caseNumber, reason }, 'feedback decision could not be written; moved to the feedback dead letters')
  }
  const writeOne = async (job: Job<FeedbackJobData>): Promise<void> => {
    const { agencyId, decision } = job.data
    if ((await opts.store.written(agencyId, [decision.id]))[0] === true) return
    const writer = opts.writers.get(agencyId)
    if (writer === undefined) {
      await deadLetter(job, `agency ${agencyId} has no feedback writer any more`)
      throw new UnrecoverableError(`agency ${agencyId} has no feedback writer`)
    }
    crashPoint('feedback.writing')
    try {
      await writer.write(decision, AbortSignal.timeout(opts.lockDurationMs))
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      if (err instanceof RemoteRefusedError || Date.now() - job.timestamp >= opts.retryForMs) {
        await deadLetter(job, reason)
        throw new UnrecoverableError(reason)
      }
      throw err
    }
    crashPoint('feedback.written')
    const now = Date.now()
    if (await opts.store.recordWritten(agencyId, decision, new Date(now).toISOString())) {
      const decided = Date.parse(decision.decidedAt)
      opts.onWritten?.(agencyId, { sinceDecidedSeconds: Number.isNaN(decided) ? undefined : Math.max(0, (now - decided) / 1000), sinceListedSeconds: Math.max(0, (now - job.data.listedAtMs) / 1000) })
    }
  }
  const workers: Worker<FeedbackJobData>[] = []
  if (opts.work) {
    const worker = new Worker<FeedbackJobData>(FEEDBACK_QUEUE, writeOne, {
      connection: opts.redis,
      prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(opts.lockDurationMs / 2)),
      maxStalledCount: 10,
      settings: { backoffStrategy: pushBackoff(opts.backoff) },
    })
    // A job that failed for good without the processor dead-lettering it (it stalled too often) must not vanish.
    worker.on('failed', (job: Job<FeedbackJobData> | undefined, err: Error) => {
      if (job === undefined || err instanceof UnrecoverableError) return
      void (async () => {
        if (await job.getState() !== 'failed') return
        await deadLetter(job, err.message)
      })().catch((e: unknown) => opts.logger.error({ err: e, job: job.id }, 'could not record a feedback dead letter'))
    })
    worker.on('error', err => opts.logger.error({ err }, 'feedback worker error (it keeps running)'))
    workers.push(worker)
  }
  return {
    queue,
    async close () {
      await Promise.all(workers.map(w => w.close()))
      await queue.close()
    },
  }
}
