import type { Queue } from 'bullmq'
import type { Ledger } from '../ledger/ledger.js'
import { deliveryKey } from '../ledger/fingerprint.js'
import { PUSH_JOB_NAME, type PushItem, type PushJobData } from '../delivery/push-job.js'
import type { CanonicalCase } from '../generated/case.js'

export interface RetryOutcome {
  /** Cases queued for delivery again. */
  readonly requeued: number
  /** Dead letters dropped because a newer version of the case is already on its way. */
  readonly superseded: number
  /** Keys asked for that were not in the dead-letter set. */
  readonly notFound: number
}

/**
 * Deliver dead-lettered cases again, on an operator's word (after the platform was fixed).
 * Order matters for "nothing lost": the new push jobs are enqueued first, and only then do
 * the dead letters go; a crash in between leaves a dead letter that a second retry
 * re-sends (the platform's upsert by case number makes that harmless). The job ids are
 * new (the failed job may still exist under the old one), the idempotency key is derived
 * from the versions carried as always.
 */
export async function retryDeadLetters (opts: {
  ledger: Ledger
  queue: Queue<PushJobData>
  agencyId: string
  /** Case numbers; undefined: every dead letter of the agency. */
  caseNumbers: readonly string[] | undefined
  targetId: string
  batchSize: number
}): Promise<RetryOutcome> {
  const { ledger, agencyId } = opts
  const all = await ledger.deadLetters(agencyId)
  const wanted = opts.caseNumbers === undefined ? all : all.filter(d => opts.caseNumbers!.includes(d.caseNumber))
  const notFound = opts.caseNumbers === undefined ? 0 : opts.caseNumbers.length - wanted.length
  const seen = await ledger.seenVersions(agencyId, wanted.map(d => d.caseNumber))
  const items: PushItem[] = []
  const superseded: string[] = []
  wanted.forEach((d, i) => {
    const current = seen[i]
    if (current !== undefined && current.fingerprint !== d.fingerprint) { superseded.push(d.caseNumber); return }
    items.push({ caseNumber: d.caseNumber, fingerprint: d.fingerprint, firstSeenMs: current?.firstSeenMs ?? Date.now(), case: d.case as CanonicalCase })
  })
  const agencyCode = items[0]?.case.agency.code ?? ''
  const stamp = Date.now().toString(36)
  const jobs = []
  for (let i = 0; i < items.length; i += opts.batchSize) {
    const chunk = items.slice(i, i + opts.batchSize)
    jobs.push({ name: PUSH_JOB_NAME, data: { agencyId, agencyCode, targetId: opts.targetId, items: chunk }, opts: { jobId: `retry.${stamp}.${deliveryKey(agencyId, chunk)}` } })
  }
  if (jobs.length > 0) await opts.queue.addBulk(jobs)
  // Requeued cases leave the dead-letter set (they come back if delivery fails again);
  // superseded ones go too, without touching what the newer version left pending.
  await ledger.removeDeadLetters(agencyId, [...items.map(i => i.caseNumber), ...superseded])
  return { requeued: items.length, superseded: superseded.length, notFound }
}
