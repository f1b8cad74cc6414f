import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq'
import type { Logger } from 'pino'
import { CaseBridgeError, JobTimeoutError, RateLimitedError, RemoteUnavailableError } from '../errors.js'
import type { TargetAdapter, PushRecordResult } from '../contracts/target-adapter.js'
import type { Ledger } from '../ledger/ledger.js'
import type { DeadLetterEntry } from '../ledger/entries.js'
import { deliveryKey } from '../ledger/fingerprint.js'
import type { PushItem, PushJobData } from './push-job.js'
import { crashPoint } from '../crash-points.js'

/** How long a job of a paused agency waits before it looks again whether the agency runs. */
export const PAUSED_RECHECK_MS = 2000

/** Some records of a batch were answered "retryable": the job retries with only those. */
export class RetryableRecordsError extends CaseBridgeError {
  readonly code = 'CB_ERR_RETRYABLE_RECORDS'
  readonly family = 'retriable'
}

export interface PushProcessorDeps {
  readonly ledger: Ledger
  readonly targets: ReadonlyMap<string, TargetAdapter>
  readonly queue: Queue<PushJobData>
  readonly logger: Logger
  readonly jobTimeoutMs: number
  /** Called with the cases the target acknowledged (metrics, progress). */
  readonly onAcknowledged?: (agencyId: string, items: readonly PushItem[], ackedAtMs: number) => void
}

/**
 * One attempt at delivering one push job. Outcomes per record: accepted → ledger
 * acknowledged; rejected → dead letter now (retrying cannot help, and the rest of the
 * batch is not held up); retryable → the job keeps only those and BullMQ backs off. Whole-
 * batch failures: 429 → the queue pauses for the Retry-After the platform asked for and
 * the job goes back to waiting without losing an attempt; network/5xx/timeout → backoff;
 * on the last attempt the remaining cases go to the dead-letter set.
 */
export function createPushProcessor (deps: PushProcessorDeps) {
  return async (job: Job<PushJobData>, token?: string): Promise<{ accepted: number; rejected: number }> => {
    const { agencyId, agencyCode, targetId } = job.data
    // A paused agency's jobs step aside (no attempt used) and look again a little later.
    if (token !== undefined && await deps.ledger.pausedSince(agencyId) !== undefined) {
      await job.moveToDelayed(Date.now() + PAUSED_RECHECK_MS, token)
      throw new DelayedError()
    }
    const log = deps.logger.child({ agency: agencyId, job: job.id, attempt: job.attemptsMade + 1 })
    const target = deps.targets.get(targetId)
    if (target === undefined) throw new UnrecoverableError(`target "${targetId}" is not configured any more`)
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)

    // A newer version of a case may have been enqueued since this job was made; delivering
    // this older one could overwrite it on the platform. The newer job carries it.
    const seen = await deps.ledger.seenVersions(agencyId, job.data.items.map(i => i.caseNumber))
    // (A version first seen earlier than the item's is older: the ledger has not recorded the
    // item's page yet — the page is committed after its jobs are enqueued — so deliver.)
    const items = job.data.items.filter((item, i) => seen[i] === undefined || seen[i].fingerprint === item.fingerprint || seen[i].firstSeenMs < item.firstSeenMs)
    if (items.length === 0) return { accepted: 0, rejected: 0 }

    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new JobTimeoutError(`push to ${targetId} took longer than ${deps.jobTimeoutMs} ms`)), deps.jobTimeoutMs)
    let results: readonly PushRecordResult[]
    try {
      crashPoint('push.sending')
      results = await target.push({ agencyCode, idempotencyKey: deliveryKey(agencyId, items, job.data.resend), cases: items.map(i => i.case) }, controller.signal)
    } catch (err) {
      const cause = controller.signal.aborted ? controller.signal.reason as Error : err
      if (cause instanceof RateLimitedError) {
        log.warn({ retryAfterMs: cause.retryAfterMs }, 'target rate-limited the hub; pausing the push queue as asked')
        await deps.queue.rateLimit(cause.retryAfterMs)
        throw Worker.RateLimitError()
      }
      const retriable = !(cause instanceof CaseBridgeError) || cause.family === 'retriable'
      if (!retriable || lastAttempt) {
        await deps.ledger.acknowledge(agencyId, [], items.map(item => deadLetter(agencyId, item, describe(cause), job.attemptsMade + 1)))
        log.error({ err: cause, cases: items.length }, 'push failed for good; cases moved to dead letters')
        throw new UnrecoverableError(describe(cause))
      }
      log.warn({ err: cause, cases: items.length }, 'push failed; will retry with backoff')
      throw cause instanceof Error ? cause : new RemoteUnavailableError(String(cause))
    } finally {
      clearTimeout(timer)
    }

    crashPoint('push.answered')
    const byCase = new Map(results.map(r => [r.caseNumber, r]))
    const now = Date.now()
    const accepted: PushItem[] = []
    const dead: DeadLetterEntry[] = []
    const again: PushItem[] = []
    for (const item of items) {
      const result = byCase.get(item.caseNumber)
      if (result?.status === 'accepted') accepted.push(item)
      else if (result?.status === 'rejected') dead.push(deadLetter(agencyId, item, result.reason, job.attemptsMade + 1))
      else again.push(item)
    }
    if (again.length > 0 && lastAttempt) {
      for (const item of again) dead.push(deadLetter(agencyId, item, `still not accepted after ${job.attemptsMade + 1} attempts: ${reasonOf(byCase.get(item.caseNumber))}`, job.attemptsMade + 1))
    }
    await deps.ledger.acknowledge(agencyId, accepted.map(i => ({ caseNumber: i.caseNumber, fingerprint: i.fingerprint, ackedAtMs: now, decidedAt: i.case.dates.decided })), dead)
    crashPoint('push.acknowledged')
    if (accepted.length > 0) deps.onAcknowledged?.(agencyId, accepted, now)
    if (dead.length > 0) log.warn({ cases: dead.map(d => d.caseNumber), reasons: [...new Set(dead.map(d => d.reason))].slice(0, 5) }, 'cases moved to dead letters')
    if (again.length > 0 && !lastAttempt) {
      await job.updateData({ ...job.data, items: again })
      throw new RetryableRecordsError(`${again.length} of ${items.length} cases were answered "retryable" by ${targetId}`)
    }
    return { accepted: accepted.length, rejected: dead.length }
  }
}

function deadLetter (agencyId: string, item: PushItem, reason: string, attempts: number): DeadLetterEntry {
  return { agencyId, caseNumber: item.caseNumber, fingerprint: item.fingerprint, reason, attempts, deadLetteredAt: new Date().toISOString(), case: item.case }
}

function reasonOf (result: PushRecordResult | undefined): string {
  if (result === undefined) return 'the target returned no result for this case'
  return result.status === 'accepted' ? 'accepted' : result.reason
}

function describe (err: unknown): string {
  if (err instanceof CaseBridgeError) return `${err.code}: ${err.message}`
  return err instanceof Error ? err.message : String(err)
}
