import type { Job, Queue } from 'bullmq'
import type { Ledger } from '../ledger/ledger.js'
import type { DeadLetterEntry } from '../ledger/entries.js'
import type { PushJobData } from './push-job.js'

export interface ClearRetriesOutcome {
  /** Push jobs of the agency that were waiting to retry and were taken out of the queue. */
  readonly jobs: number
  /** Their cases, now dead letters an operator can retry once the cause is fixed. */
  readonly cases: number
  /** Jobs that started another attempt meanwhile (left alone: that attempt decides). */
  readonly busy: number
}

const PAGE = 500

/**
 * Stop a retry storm of one agency on an operator's word: every push job of the agency
 * that failed at least once and waits for its next attempt leaves the queue, and its cases
 * become dead letters (reason: retries cleared) — so nothing is lost, and `dead-letters
 * retry` sends them again when the platform or the data is fixed. Dead letters are
 * written before the job goes; a crash in between leaves both, and the job's later
 * success resolves the dead letters (an acknowledgement does).
 */
export async function clearRetries (opts: { queue: Queue<PushJobData>; ledger: Ledger; agencyId: string; by: string }): Promise<ClearRetriesOutcome> {
  const { queue, ledger, agencyId } = opts
  let jobs = 0
  let cases = 0
  let busy = 0
  // Collect first: removing while paging through the delayed set would shift the pages.
  const retrying: Job<PushJobData>[] = []
  for (let start = 0; ; start += PAGE) {
    const page = await queue.getDelayed(start, start + PAGE - 1)
    retrying.push(...page.filter(job => job.data.agencyId === agencyId && job.attemptsMade > 0))
    if (page.length < PAGE) break
  }
  for (const job of retrying) {
    const now = new Date().toISOString()
    const dead: DeadLetterEntry[] = job.data.items.map(item => ({
      agencyId, caseNumber: item.caseNumber, fingerprint: item.fingerprint, sequence: item.sequence, case: item.case, attempts: job.attemptsMade, deadLetteredAt: now,
      reason: `retries cleared by ${opts.by} after ${job.attemptsMade} failed attempt(s)${job.failedReason === undefined || job.failedReason === '' ? '' : `; last error: ${job.failedReason}`}`,
    }))
    await ledger.recordDeadLetters(agencyId, dead)
    try {
      await job.remove()
      await ledger.finishDeliveries(agencyId, job.data.lease ?? '', job.data.items)
      jobs++
      cases += dead.length
    } catch {
      // Locked by a worker: its attempt is under way, and its outcome will settle the cases.
      busy++
    }
  }
  return { jobs, cases, busy }
}
