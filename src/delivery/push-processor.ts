import { randomBytes } from 'node:crypto'
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq'
import type { Logger } from 'pino'
import { CaseBridgeError, isRetriable, JobTimeoutError, RateLimitedError, RemoteUnavailableError, RetryableRecordsError } from '../errors.js'
import type { TargetAdapter, PushRecordResult } from '../contracts/target-adapter.js'
import type { AttemptAnswer, AttemptOutcome, Ledger } from '../ledger/ledger.js'
import type { DeadLetterEntry } from '../ledger/entries.js'
import { deliveryKey } from '../contracts/fingerprint.js'
import type { PushItem, PushJobData } from './push-job.js'
import { resendNewest } from './version-resend.js'
import { crashPoint } from '../crash-points.js'
import { isLastAttempt, type RetryBudget } from './retry-budget.js'
import { RepeatedCauses } from '../logging/repeated-causes.js'

/** How long a job of a paused agency waits before it looks again whether the agency runs. */
export const PAUSED_RECHECK_MS = 2000

export interface PushProcessorDeps {
  readonly ledger: Ledger
  readonly targets: ReadonlyMap<string, TargetAdapter>
  readonly queue: Queue<PushJobData>
  readonly logger: Logger
  readonly jobTimeoutMs: number
  /** When a failing job stops retrying (src/delivery/retry-budget.ts). */
  readonly retry: RetryBudget
  /** Called with the cases the target acknowledged (metrics, progress). */
  readonly onAcknowledged?: (agencyId: string, items: readonly PushItem[], ackedAtMs: number) => void
}

export interface PushOutcome { readonly accepted: number; readonly rejected: number; readonly superseded: number }

/** A job enqueued before sequences existed carries none: 0, the oldest. */
const sequenceOf = (item: PushItem): number => typeof item.sequence === 'number' ? item.sequence : 0

/**
 * One attempt at delivering one push job. The batch is sent as it was enqueued — the same
 * cases and versions under the same idempotency key on every attempt — even when some of
 * its versions have been overtaken by newer ones meanwhile (a target that fences refuses
 * those, one that cannot has them corrected after the fact: src/ledger/version-order.ts);
 * only a batch whose every version is overtaken is not sent at all.
 *
 * Outcomes per record: accepted → acknowledged in the ledger (never over a newer version);
 * rejected → dead letter now (retrying cannot help, and the rest of the batch is not held
 * up); superseded (the target holds a newer version) → settled; retryable → the job tries
 * again with backoff. Whole-batch failures: 429 → the queue pauses for the Retry-After the
 * platform asked for and the job goes back to waiting without losing an attempt;
 * network/5xx/timeout → backoff; on the last attempt (the retry budget is spent:
 * src/delivery/retry-budget.ts) the unsettled cases go to the dead-letter set.
 */
export function createPushProcessor (deps: PushProcessorDeps) {
  // Retries of one agency's pushes to one target that fail the same way log the stack once.
  const causes = new RepeatedCauses()
  return async (job: Job<PushJobData>, token?: string): Promise<PushOutcome> => {
    const { agencyId, agencyCode, targetId } = job.data
    const causeKey = `${targetId}|${agencyId}`
    // A paused agency's jobs step aside (no attempt used) and look again a little later.
    if (token !== undefined && await deps.ledger.pausedSince(agencyId) !== undefined) {
      await job.moveToDelayed(Date.now() + PAUSED_RECHECK_MS, token)
      throw new DelayedError()
    }
    const attemptNo = job.attemptsMade + 1
    const log = deps.logger.child({ agency: agencyId, job: job.id, attempt: attemptNo })
    const target = deps.targets.get(targetId)
    if (target === undefined) throw new UnrecoverableError(`target "${targetId}" is not configured any more`)
    // The budget's clock starts at the first attempt; it is written into the job's data with the first failure.
    const firstAttemptAtMs = job.data.firstAttemptAtMs ?? Date.now()
    const lastAttempt = (): boolean => isLastAttempt(deps.retry, attemptNo, firstAttemptAtMs, Date.now())
    const items = job.data.items
    const lease = job.data.lease ?? ''
    const settledBefore = new Set(job.data.settled ?? [])
    const versions = items.map(i => ({ caseNumber: i.caseNumber, fingerprint: i.fingerprint, sequence: sequenceOf(i) }))
    const attempt = `${lease === '' ? 'x' : lease}#${randomBytes(4).toString('hex')}`

    const begun = await deps.ledger.beginSend(agencyId, attempt, versions)
    if (begun.allSuperseded) {
      // Every version here has a newer one enqueued or delivered: sending would only overwrite it.
      await deps.ledger.finishDeliveries(agencyId, lease, versions)
      log.info({ cases: items.length }, 'every case of this batch has a newer version on its way or delivered: not sent')
      return { accepted: 0, rejected: 0, superseded: items.length }
    }

    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new JobTimeoutError(`push to ${targetId} took longer than ${deps.jobTimeoutMs} ms`)), deps.jobTimeoutMs)
    let results: readonly PushRecordResult[]
    try {
      crashPoint('push.sending')
      results = await target.push({ agencyCode, idempotencyKey: deliveryKey(agencyId, items, job.data.resend), cases: items.map(i => i.case), sequences: versions.map(v => v.sequence) }, controller.signal)
    } catch (err) {
      const cause = controller.signal.aborted ? controller.signal.reason as unknown : err
      // A refusal or a rate limit stored nothing; a timeout or a 5xx may have stored the batch.
      const maybeStored = isRetriable(cause) && !(cause instanceof RateLimitedError)
      const open = items.filter(i => !settledBefore.has(i.caseNumber))
      const giveUp = !isRetriable(cause) || (!(cause instanceof RateLimitedError) && lastAttempt())
      const dead = giveUp ? open.map(item => deadLetter(agencyId, item, describe(cause), attemptNo, cause instanceof CaseBridgeError ? cause.code : undefined)) : []
      const answer: AttemptAnswer = { status: 'failed', code: cause instanceof CaseBridgeError ? cause.code : undefined, message: describe(cause) }
      await settleAttempt(deps, job.data, attempt, log, items.map(item => outcomeOf(item, maybeStored ? 'maybe' : 'none', 0, answer)), giveUp ? open : [], dead)
      if (cause instanceof RateLimitedError) {
        log.warn({ retryAfterMs: cause.retryAfterMs }, 'target rate-limited the hub; pausing the push queue as asked')
        await deps.queue.rateLimit(cause.retryAfterMs)
        throw Worker.RateLimitError()
      }
      if (giveUp) {
        log.error({ err: cause, cases: open.length }, 'push failed for good; cases moved to dead letters')
        throw new UnrecoverableError(describe(cause))
      }
      log.warn({ ...causes.fields(causeKey, cause, log), cases: items.length }, 'push failed; will retry with backoff')
      if (job.data.firstAttemptAtMs === undefined) await job.updateData({ ...job.data, firstAttemptAtMs })
      // BullMQ backs off on what is thrown; a target that threw a non-Error still failed in a way that may pass.
      throw cause instanceof Error ? cause : new RemoteUnavailableError(describe(cause), { cause })
    } finally {
      clearTimeout(timer)
    }

    crashPoint('push.answered')
    causes.clear(causeKey)
    const byCase = new Map(results.map(r => [r.caseNumber, r]))
    const now = Date.now()
    const accepted: PushItem[] = []
    const finished: PushItem[] = []
    const dead: DeadLetterEntry[] = []
    const again: PushItem[] = []
    let superseded = 0
    const outcomes = items.map((item): AttemptOutcome => {
      const result = byCase.get(item.caseNumber)
      const earlier = settledBefore.has(item.caseNumber)
      const answer: AttemptAnswer | undefined = result === undefined ? undefined : result.status === 'accepted' ? { status: 'accepted', acknowledgedAt: result.acknowledgedAt } : { status: result.status, message: result.reason }
      if (result?.status === 'accepted') {
        if (!earlier) { accepted.push(item); finished.push(item) }
        return outcomeOf(item, 'accepted', now, answer)
      }
      if (earlier) return outcomeOf(item, 'none', 0, answer)
      if (result?.status === 'rejected') { dead.push(deadLetter(agencyId, item, result.reason, attemptNo)); finished.push(item) } else if (result?.status === 'superseded') { superseded++; finished.push(item) } else again.push(item)
      return outcomeOf(item, 'none', 0, answer)
    })
    const giveUp = again.length > 0 && lastAttempt()
    if (giveUp) {
      for (const item of again) dead.push(deadLetter(agencyId, item, `still not accepted after ${attemptNo} attempts: ${reasonOf(byCase.get(item.caseNumber))}`, attemptNo))
      finished.push(...again)
    }
    await settleAttempt(deps, job.data, attempt, log, outcomes, finished, dead, () => { crashPoint('push.acknowledged') })
    if (accepted.length > 0) deps.onAcknowledged?.(agencyId, accepted, now)
    if (dead.length > 0) log.warn({ cases: dead.map(d => d.caseNumber), reasons: [...new Set(dead.map(d => d.reason))].slice(0, 5) }, 'cases moved to dead letters')
    if (again.length > 0 && !giveUp) {
      // The batch stays as it is (same cases, same key); what this attempt settled is remembered.
      await job.updateData({ ...job.data, firstAttemptAtMs, settled: [...settledBefore, ...finished.map(i => i.caseNumber)] })
      throw new RetryableRecordsError(`${again.length} of ${items.length} cases were answered "retryable" by ${targetId}`)
    }
    return { accepted: accepted.length, rejected: dead.length, superseded }
  }
}

function outcomeOf (item: PushItem, outcome: AttemptOutcome['outcome'], ackedAtMs = 0, answer?: AttemptAnswer): AttemptOutcome {
  return { caseNumber: item.caseNumber, fingerprint: item.fingerprint, sequence: sequenceOf(item), outcome, ackedAtMs, decidedAt: item.case.dates?.decided, answer }
}

/**
 * Record how an attempt ended, in the order that loses nothing to a crash: the ledger's
 * verdict (acknowledgements, and what the newest-version rule asks for), then what it
 * asks for (keep the newest version's content, re-send it), dead letters, and only then
 * the job's deliveries of `finished` cases are unregistered — a crash before that makes
 * the job's retry find the same state and ask for the same again.
 */
async function settleAttempt (deps: PushProcessorDeps, job: PushJobData, attempt: string, log: Logger, outcomes: readonly AttemptOutcome[], finished: readonly PushItem[], dead: readonly DeadLetterEntry[], beforeFinish?: () => void): Promise<void> {
  const { actions } = await deps.ledger.endSend(job.agencyId, attempt, outcomes, job.agencyCode)
  const cleared = await resendNewest(deps, job, actions, log)
  await deps.ledger.recordDeadLetters(job.agencyId, dead)
  beforeFinish?.()
  await deps.ledger.finishDeliveries(job.agencyId, job.lease ?? '', finished.map(i => ({ caseNumber: i.caseNumber, sequence: sequenceOf(i) })), cleared)
}

function deadLetter (agencyId: string, item: PushItem, reason: string, attempts: number, code?: string): DeadLetterEntry {
  return { agencyId, caseNumber: item.caseNumber, fingerprint: item.fingerprint, sequence: sequenceOf(item), reason, ...(code === undefined ? {} : { code }), attempts, deadLetteredAt: new Date().toISOString(), case: item.case }
}

function reasonOf (result: PushRecordResult | undefined): string {
  if (result === undefined) return 'the target returned no result for this case'
  return result.status === 'accepted' ? 'accepted' : result.reason
}

function describe (err: unknown): string {
  if (err instanceof CaseBridgeError) return `${err.code}: ${err.message}`
  return err instanceof Error ? err.message : String(err)
}
