import { randomBytes } from 'node:crypto'
import type { Queue } from 'bullmq'
import type { Logger } from 'pino'
import type { CanonicalCase } from '../generated/case.js'
import type { Ledger, VersionAction } from '../ledger/ledger.js'
import { enqueueVersions, type PushItem, type PushJobData, type VersionToDeliver } from './push-job.js'

/**
 * What the ledger asks for after an attempt so that the target ends with each case's
 * newest version (src/ledger/version-order.ts), done:
 *  - keep-newest: the version this job delivered is the newest, and an older delivery of
 *    the case may still land: its content is kept in the ledger;
 *  - resend-self / resend-kept: an older version may have landed after the newest one,
 *    on a target that cannot fence: the newest is re-sent under a fresh idempotency key of
 *    its own (its original key would be answered from the target's memory, unstored);
 *  - unresolved: as above, but no copy of the newest version is at hand: logged, counted,
 *    and left to reconciliation (`target_regressed`), which reads the source again.
 * Returns the cases whose "maybe landed" mark the enqueued re-sends cover.
 */
export async function resendNewest (deps: { readonly ledger: Ledger; readonly queue: Queue<PushJobData> }, job: PushJobData, actions: readonly VersionAction[], log: Logger): Promise<Set<string>> {
  const cleared = new Set<string>()
  if (actions.length === 0) return cleared
  const inJob = new Map(job.items.map(i => [i.caseNumber, i]))
  const keep: PushItem[] = []
  const resend: VersionToDeliver[] = []
  const unresolved: string[] = []
  const now = Date.now()
  for (const action of actions) {
    const item = inJob.get(action.caseNumber)
    if (action.kind === 'keep-newest' && item !== undefined) keep.push(item)
    else if (action.kind === 'resend-self' && item !== undefined) { resend.push(item); cleared.add(item.caseNumber) } else if (action.kind === 'resend-kept') {
      resend.push({ caseNumber: action.caseNumber, fingerprint: action.kept.fingerprint, sequence: action.kept.sequence, firstSeenMs: now, case: action.kept.case as CanonicalCase })
    } else if (action.kind === 'unresolved') unresolved.push(action.caseNumber)
  }
  if (keep.length > 0) await deps.ledger.keepNewest(job.agencyId, keep)
  if (resend.length > 0) {
    const unique = [...new Map(resend.map(v => [v.caseNumber, v])).values()]
    const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
    await enqueueVersions(deps.queue, deps.ledger, { agencyId: job.agencyId, agencyCode: job.agencyCode, targetId: job.targetId, resend: `regress-${id}` }, unique, { batchSize: unique.length, jobIdPrefix: 'regress.' })
    log.warn({ cases: unique.map(v => v.caseNumber).slice(0, 20), count: unique.length }, 'an older version of these cases may have reached the target after a newer one: the newest is re-sent under a fresh idempotency key')
  }
  if (unresolved.length > 0) {
    log.error({ cases: unresolved.slice(0, 20), count: unresolved.length }, 'an older version of these cases may have reached the target after a newer one, and no copy of the newest is kept to re-send it: reconciliation (target_regressed) will find and repair them')
  }
  return cleared
}
