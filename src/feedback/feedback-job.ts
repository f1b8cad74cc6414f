import { createHash } from 'node:crypto'
import type { Queue } from 'bullmq'
import type { FeedbackDecision } from '../contracts/feedback.js'

/** One decision to write into one agency system. */
export interface FeedbackJobData {
  readonly agencyId: string
  readonly targetId: string
  readonly decision: FeedbackDecision
  /** When the hub first read it from the platform (ms): for the lag metric. */
  readonly listedAtMs: number
}

export const FEEDBACK_QUEUE = 'feedback'
export const FEEDBACK_JOB_NAME = 'feedback'
/** The backoff `type` feedback jobs carry (the worker's strategy: src/delivery/push-backoff.ts). */
export const FEEDBACK_BACKOFF_TYPE = 'casebridge-feedback'

/**
 * The job id of a decision for an agency: the same decision is the same job, so reading a
 * page again (after a crash before the cursor moved) enqueues nothing new while the job
 * exists. A hash, because BullMQ refuses some characters in ids and a platform's ids are its own.
 */
export function feedbackJobId (agencyId: string, decisionId: string): string {
  return `fb-${createHash('sha256').update(`${agencyId}\u0000${decisionId}`).digest('hex').slice(0, 32)}`
}

/**
 * Enqueue decisions to be written again (an operator's retry of dead letters, a repair by
 * reconciliation): a finished job under the same id is removed first, else the add would be
 * a no-op. A job still waiting or running is left as it is.
 */
export async function enqueueFeedbackAgain (queue: Queue<FeedbackJobData>, jobs: readonly FeedbackJobData[]): Promise<void> {
  for (const data of jobs) {
    const old = await queue.getJob(feedbackJobId(data.agencyId, data.decision.id))
    const state = old === undefined ? undefined : await old.getState()
    if (old !== undefined && (state === 'failed' || state === 'completed')) await old.remove()
  }
  await enqueueFeedback(queue, jobs)
}

/** Enqueue the decisions (idempotently, by job id); resolves once they are in Redis. */
export async function enqueueFeedback (queue: Queue<FeedbackJobData>, jobs: readonly FeedbackJobData[]): Promise<void> {
  if (jobs.length === 0) return
  await queue.addBulk(jobs.map(data => ({ name: FEEDBACK_JOB_NAME, data, opts: { jobId: feedbackJobId(data.agencyId, data.decision.id) } })))
}
