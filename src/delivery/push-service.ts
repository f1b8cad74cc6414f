import { Queue, Worker, type Job } from 'bullmq'
import type { RedisClient } from '../redis/redis-client.js'
import type { Logger } from 'pino'
import type { LoadedConfig } from '../config/load-config.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'
import type { Ledger } from '../ledger/ledger.js'
import { queuePrefix } from '../redis/queue-prefix.js'
import { createPushProcessor } from './push-processor.js'
import { PUSH_BACKOFF_TYPE, pushBackoff } from './push-backoff.js'
import { queueAttempts, type RetryBudget } from './retry-budget.js'
import { pushQueueName, type PushItem, type PushJobData } from './push-job.js'

export interface PushService {
  readonly queues: ReadonlyMap<string, Queue<PushJobData>>
  /** Stop taking jobs, let the active ones finish, close the queues. */
  close (): Promise<void>
}

/**
 * One BullMQ queue and worker per target. Retries: exponential backoff with jitter, capped
 * (src/delivery/push-backoff.ts), for `push.retryForSeconds` from the first attempt (and at
 * most `push.attempts`, when set: src/delivery/retry-budget.ts); completed jobs are removed (the ledger is the record), failed
 * ones kept briefly for inspection (their cases are in the dead-letter set).
 */
export function startPushService (opts: {
  config: LoadedConfig
  redis: RedisClient
  ledger: Ledger
  targets: ReadonlyMap<string, TargetAdapter>
  logger: Logger
  /** false: enqueue only (a hub process that only pulls). */
  work?: boolean
  onAcknowledged?: (agencyId: string, items: readonly PushItem[], ackedAtMs: number) => void
}): PushService {
  const { config, redis, ledger, logger } = opts
  const prefix = queuePrefix(config.redis.keyPrefix, redis)
  const queues = new Map<string, Queue<PushJobData>>()
  const workers: Worker<PushJobData>[] = []
  const retry: RetryBudget = { retryForMs: config.push.retryForSeconds * 1000, ...(config.push.attempts === undefined ? {} : { maxAttempts: config.push.attempts }) }
  for (const targetId of opts.targets.keys()) {
    const queue = new Queue<PushJobData>(pushQueueName(targetId), {
      connection: redis,
      prefix,
      defaultJobOptions: {
        attempts: queueAttempts(retry),
        backoff: { type: PUSH_BACKOFF_TYPE },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      },
    })
    queues.set(targetId, queue)
    if (opts.work === false) continue
    const worker = new Worker<PushJobData>(pushQueueName(targetId), createPushProcessor({
      ledger, targets: opts.targets, queue, logger, jobTimeoutMs: config.push.jobTimeoutMs, retry, ...(opts.onAcknowledged === undefined ? {} : { onAcknowledged: opts.onAcknowledged }),
    }), {
      connection: redis,
      prefix,
      concurrency: config.push.concurrency,
      lockDuration: config.push.lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(config.push.lockDurationMs / 2)),
      maxStalledCount: config.push.maxStalledCount,
      settings: { backoffStrategy: pushBackoff(config.push.backoff) },
    })
    // A job that failed for good without the processor dead-lettering it (it stalled too
    // often: crashes) still must not vanish: its cases go to the dead-letter set here.
    worker.on('failed', (job: Job<PushJobData> | undefined, err: Error) => {
      if (job === undefined) return
      void (async () => {
        if (await job.getState() !== 'failed') return
        const { agencyId, items } = job.data
        const numbers = items.map(i => i.caseNumber)
        const [acked, dead] = await Promise.all([ledger.ackedVersions(agencyId, numbers), ledger.inDeadLetters(agencyId, numbers)])
        const sequence = (item: PushItem): number => typeof item.sequence === 'number' ? item.sequence : 0
        // Delivered (this version, or a newer one) or dead-lettered already: nothing to add.
        const missing = items.filter((item, i) => !(acked[i] !== undefined && (acked[i].fingerprint === item.fingerprint || acked[i].sequence > sequence(item))) && dead[i] !== true)
        await ledger.recordDeadLetters(agencyId, missing.map(item => ({
          agencyId, caseNumber: item.caseNumber, fingerprint: item.fingerprint, sequence: sequence(item), reason: err.message, attempts: job.attemptsMade, deadLetteredAt: new Date().toISOString(), case: item.case,
        })))
        // The job is gone for good: its deliveries are no longer on their way.
        await ledger.finishDeliveries(agencyId, job.data.lease ?? '', items.map(i => ({ caseNumber: i.caseNumber, sequence: sequence(i) })))
        if (missing.length > 0) logger.error({ agency: agencyId, job: job.id, cases: missing.length, err }, 'push job failed for good; cases moved to dead letters')
      })().catch((e: unknown) => logger.error({ err: e, job: job.id }, 'could not record dead letters of a failed job'))
    })
    worker.on('error', err => logger.error({ err, target: targetId }, 'push worker error (it keeps running)'))
    worker.on('stalled', jobId => logger.warn({ job: jobId, target: targetId }, 'push job stalled: the process running it stopped renewing its lock (crashed?); this process takes it over'))
    workers.push(worker)
  }
  return {
    queues,
    async close () {
      await Promise.all(workers.map(w => w.close()))
      await Promise.all([...queues.values()].map(q => q.close()))
    },
  }
}
