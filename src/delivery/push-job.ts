import { createHash } from 'node:crypto'
import type { Queue } from 'bullmq'
import type { CanonicalCase } from '../generated/case.js'
import { deliveryKey } from '../contracts/fingerprint.js'
import type { Ledger, PullLease } from '../ledger/ledger.js'

/** One case version waiting for delivery. */
export interface PushItem {
  readonly caseNumber: string
  readonly fingerprint: string
  /** The version's sequence (src/ledger/version-order.ts): which of two versions is newer. 0 in jobs enqueued before sequences existed. */
  readonly sequence: number
  /** When the hub first saw this version (for end-to-end latency; never for ordering). */
  readonly firstSeenMs: number
  readonly case: CanonicalCase
}

/**
 * A push job: a batch of one agency's cases for one target. The batch never changes once
 * enqueued: every attempt sends the same cases and versions under the same idempotency
 * key (a platform may replay, or refuse, a reused key with another body).
 */
export interface PushJobData {
  readonly agencyId: string
  readonly agencyCode: string
  readonly targetId: string
  readonly items: readonly PushItem[]
  /** Set by a deliberate re-delivery (a reconciliation run id, a version-order re-send): its own idempotency key. */
  readonly resend?: string
  /** The tag under which the job's deliveries are registered in the ledger (absent in jobs enqueued before that existed). */
  readonly lease?: string
  /** Cases an earlier attempt settled (accepted, refused, superseded): their answers on a retry change nothing. */
  readonly settled?: readonly string[]
  /** When the first attempt of this job started (ms), written with its first failure: the retry budget counts from it (src/delivery/retry-budget.ts). */
  readonly firstAttemptAtMs?: number
}

export const PUSH_JOB_NAME = 'push'

export function pushQueueName (targetId: string): string {
  return `push-${targetId}`
}

/** A version to enqueue: a new sequence is allocated unless it has one (a re-send of a known version). */
export type VersionToDeliver = Omit<PushItem, 'sequence'> & { readonly sequence?: number }

export interface EnqueueOptions {
  readonly batchSize: number
  /** Allocate sequences only while this pull lock is the caller's (pulls, quarantine re-processing, repairs). */
  readonly lease?: PullLease
  /** Job ids start with this (a deliberate re-delivery whose earlier job may still exist). */
  readonly jobIdPrefix?: string
}

/** The ledger tag of a job's deliveries: derived from the job id, so enqueueing the same job again registers under the same tag. */
export function leaseOf (jobId: string): string {
  return `j${createHash('sha1').update(jobId).digest('hex').slice(0, 16)}`
}

/**
 * Enqueue versions of one agency's cases as batch jobs: first each version gets its
 * sequence and its job's delivery is registered in the ledger, then the jobs are added.
 * The job id is the delivery key (agency + the exact versions carried), so enqueueing the
 * same page again after a crash adds nothing while the first job still exists, and a
 * re-delivery carries the same idempotency key to the platform. Returns the items as
 * enqueued (with their sequences), the number of jobs, and each item's idempotency key.
 */
export async function enqueueVersions (queue: Queue<PushJobData>, ledger: Ledger, base: Omit<PushJobData, 'items' | 'lease' | 'settled' | 'firstAttemptAtMs'>, versions: readonly VersionToDeliver[], opts: EnqueueOptions): Promise<{ items: PushItem[]; jobs: number; idempotencyKeys: string[] }> {
  if (versions.length === 0) return { items: [], jobs: 0, idempotencyKeys: [] }
  const chunks: { jobId: string; lease: string; versions: readonly VersionToDeliver[] }[] = []
  for (let i = 0; i < versions.length; i += opts.batchSize) {
    const chunk = versions.slice(i, i + opts.batchSize)
    const jobId = `${opts.jobIdPrefix ?? ''}${deliveryKey(base.agencyId, chunk, base.resend)}`
    chunks.push({ jobId, lease: leaseOf(jobId), versions: chunk })
  }
  const sequences = await ledger.allocateVersions(base.agencyId, chunks.flatMap(c => c.versions.map(v => ({ caseNumber: v.caseNumber, fingerprint: v.fingerprint, lease: c.lease, ...(v.sequence === undefined ? {} : { sequence: v.sequence }) }))), opts.lease)
  let next = 0
  const items: PushItem[] = []
  const idempotencyKeys: string[] = []
  const jobs = chunks.map(c => {
    const chunkItems = c.versions.map((v): PushItem => ({ caseNumber: v.caseNumber, fingerprint: v.fingerprint, sequence: sequences[next++] ?? 0, firstSeenMs: v.firstSeenMs, case: v.case }))
    items.push(...chunkItems)
    // The key the push processor sends with the batch (the trace's "enqueued" event names it).
    const key = deliveryKey(base.agencyId, chunkItems, base.resend)
    idempotencyKeys.push(...chunkItems.map(() => key))
    return { name: PUSH_JOB_NAME, data: { ...base, lease: c.lease, items: chunkItems }, opts: { jobId: c.jobId } }
  })
  await queue.addBulk(jobs)
  return { items, jobs: jobs.length, idempotencyKeys }
}
