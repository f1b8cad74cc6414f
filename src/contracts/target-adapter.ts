import type { CanonicalCase } from '../generated/case.js'

/**
 * What a target adapter (one way of writing to the two-laws platform) promises the core.
 *
 * Deliberately absent: any notion of retries or queues. The core retries; an adapter
 * reports what happened on one attempt, truthfully, and owns its connection.
 */

export interface PushBatch {
  readonly agencyCode: string
  /**
   * Same cases and versions ⇒ same key, across retries and restarts. The target must use
   * it so that a repeated delivery is not a second write.
   */
  readonly idempotencyKey: string
  readonly cases: readonly CanonicalCase[]
}

export type PushRecordResult =
  | { readonly caseNumber: string; readonly status: 'accepted'; readonly acknowledgedAt: string }
  | { readonly caseNumber: string; readonly status: 'rejected'; readonly reason: string }
  | { readonly caseNumber: string; readonly status: 'retryable'; readonly reason: string }

/** One case as the target holds it, for reconciliation. */
export interface TargetCaseSummary {
  readonly caseNumber: string
  /** `fingerprint()` (src/ledger/fingerprint.ts) of the canonical case the target stores. */
  readonly fingerprint: string
  /** When the target stored this version, if it says. */
  readonly storedAt?: string
}

export interface TargetAdapter {
  readonly kind: string
  /**
   * Deliver one batch. Resolves with one result per case, in any order, matched by case
   * number. Rejects when the batch as a whole did not get through: `RateLimitedError`
   * (with the wait the target asked for), `RemoteUnavailableError` (network, timeout,
   * 5xx — retry with the same key), `RemoteRefusedError` (credentials or request shape:
   * retrying cannot help). Aborts on `signal`.
   */
  push (batch: PushBatch, signal: AbortSignal): Promise<readonly PushRecordResult[]>
  /**
   * Everything the target holds for one agency, page by page, for reconciliation. Memory
   * stays bounded by the page size. Optional: a target that cannot be read back (a one-way
   * file drop) leaves it out.
   */
  listCases? (agencyCode: string, signal: AbortSignal): AsyncIterable<readonly TargetCaseSummary[]>
  /** Release connections. Idempotent. */
  close (): Promise<void>
}
