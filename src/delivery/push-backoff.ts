import type { BackoffStrategy } from 'bullmq'
import { RemoteUnavailableError } from '../errors.js'

/** The backoff `type` push jobs carry; BullMQ calls {@link pushBackoff} for it. */
export const PUSH_BACKOFF_TYPE = 'casebridge-push'

export interface PushBackoffOptions {
  /** First retry delay; doubles each attempt. */
  readonly delayMs: number
  /** Fraction of the delay that is randomised (0..1), so retries of many jobs spread out. */
  readonly jitter: number
  /** Longest wait between two attempts. */
  readonly maxDelayMs: number
}

/**
 * Exponential backoff with jitter, capped at `maxDelayMs` so that after a long outage the
 * queue drains within one cap of the platform's return, not hours later; a 503 that says
 * how long the platform will be down (Retry-After) is waited out at least that long.
 * (A 429 never gets here: the processor pauses the queue for its Retry-After instead.)
 */
export function pushBackoff (opts: PushBackoffOptions, random: () => number = Math.random): BackoffStrategy {
  return (attemptsMade: number, _type?: string, err?: Error): number => {
    const exponential = Math.min(opts.maxDelayMs, opts.delayMs * 2 ** Math.max(0, attemptsMade - 1))
    const delay = Math.floor(exponential * (1 - opts.jitter * random()))
    const asked = err instanceof RemoteUnavailableError ? err.retryAfterMs : undefined
    return asked === undefined ? delay : Math.max(delay, asked)
  }
}
