/**
 * When a push job stops retrying. The budget is a duration (`push.retryForSeconds`), not a
 * count of attempts: with exponential backoff capped at `maxDelayMs` and jitter, a count
 * says little about how long an outage the hub rides out (12 attempts from 1 s, capped at
 * 300 s, are 14–18 minutes, not "about an hour"). The clock starts at the job's first
 * attempt and is kept in the job's data (`firstAttemptAtMs`), so a restarted hub keeps
 * counting instead of granting a fresh budget.
 */
export interface RetryBudget {
  /** How long after its first attempt a job may still be retried. */
  readonly retryForMs: number
  /** Optional ceiling on attempts (`push.attempts`); undefined: time alone decides. */
  readonly maxAttempts?: number
}

/**
 * BullMQ needs a number of attempts on every job; when time alone decides, the processor
 * gives up itself (it throws UnrecoverableError) long before this is reached.
 */
export const UNBOUNDED_ATTEMPTS = Number.MAX_SAFE_INTEGER

/** The `attempts` BullMQ is given for push jobs. */
export function queueAttempts (budget: RetryBudget): number {
  return budget.maxAttempts ?? UNBOUNDED_ATTEMPTS
}

/**
 * Whether the attempt `attemptNo` (1-based) that started at or after `firstAttemptAtMs`
 * and is ending at `nowMs` is the last one: its failure dead-letters the cases. A job is
 * therefore retried for at least `retryForMs` (and at most one more backoff delay).
 */
export function isLastAttempt (budget: RetryBudget, attemptNo: number, firstAttemptAtMs: number, nowMs: number): boolean {
  if (budget.maxAttempts !== undefined && attemptNo >= budget.maxAttempts) return true
  return nowMs - firstAttemptAtMs >= budget.retryForMs
}
