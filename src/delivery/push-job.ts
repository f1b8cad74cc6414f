import type { Queue } from 'bullmq'
import type { CanonicalCase } from '../generated/case.js'
import { deliveryKey } from '../ledger/fingerprint.js'

/** One case version waiting for delivery. */
export interface PushItem {
  readonly caseNumber: string
  readonly fingerprint: string
  /** When the hub first saw this version (for end-to-end latency). */
  readonly firstSeenMs: number
  readonly case: CanonicalCase
}

/** A push job: a batch of one agency's cases for one target. */
export interface PushJobData {
  readonly agencyId: string
  readonly agencyCode: string
  readonly targetId: string
  readonly items: readonly PushItem[]
  /** Set by a reconciliation repair (its run id): a re-delivery gets its own idempotency key. */
  readonly resend?: string
}

export const PUSH_JOB_NAME = 'push'

export function pushQueueName (targetId: string): string {
  return `push-${targetId}`
}

/**
 * Enqueue the changed cases of one page as batch jobs. The job id is the delivery key
 * (agency + the exact versions carried), so enqueueing the same page again after a crash
 * adds nothing while the first job still exists, and a re-delivery carries the same
 * idempotency key to the platform.
 */
export async function enqueuePushJobs (queue: Queue<PushJobData>, base: Omit<PushJobData, 'items'>, items: readonly PushItem[], batchSize: number): Promise<number> {
  const jobs = []
  for (let i = 0; i < items.length; i += batchSize) {
    const chunk = items.slice(i, i + batchSize)
    jobs.push({ name: PUSH_JOB_NAME, data: { ...base, items: chunk }, opts: { jobId: deliveryKey(base.agencyId, chunk, base.resend) } })
  }
  if (jobs.length > 0) await queue.addBulk(jobs)
  return jobs.length
}
