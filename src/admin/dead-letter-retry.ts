import type { Queue } from 'bullmq'
import type { Ledger } from '../ledger/ledger.js'
import { enqueueVersions, type PushJobData, type VersionToDeliver } from '../delivery/push-job.js'
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
 * from the versions carried as always, and each version keeps its sequence (it is the
 * same version, and a fencing target must still see it as older than any newer one).
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
  const items: VersionToDeliver[] = []
  const superseded: string[] = []
  wanted.forEach((d, i) => {
    const current = seen[i]
    if (current !== undefined && current.fingerprint !== d.fingerprint) { superseded.push(d.caseNumber); return }
    items.push({ caseNumber: d.caseNumber, fingerprint: d.fingerprint, sequence: d.sequence ?? current?.sequence ?? 0, firstSeenMs: current?.firstSeenMs ?? Date.now(), case: d.case as CanonicalCase })
  })
  const agencyCode = items[0]?.case.agency.code ?? ''
  await enqueueVersions(opts.queue, ledger, { agencyId, agencyCode, targetId: opts.targetId }, items, { batchSize: opts.batchSize, jobIdPrefix: `retry.${Date.now().toString(36)}.` })
  // Requeued cases leave the dead-letter set (they come back if delivery fails again);
  // superseded ones go too, without touching what the newer version left pending.
  await ledger.removeDeadLetters(agencyId, [...items.map(i => i.caseNumber), ...superseded])
  return { requeued: items.length, superseded: superseded.length, notFound }
}
