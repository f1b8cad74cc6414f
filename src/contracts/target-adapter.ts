import type { CanonicalCase } from '../generated/case.js'
import type { TargetProjection } from './projection.js'
import type { TargetFeedback } from './feedback.js'

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
  /**
   * The version sequence of each case (same order as `cases`): a larger number is a newer
   * version of that case. A target that can fence applies a record only when its sequence
   * is not older than the one it holds, and answers `superseded` otherwise; one that cannot
   * ignores it (the hub then corrects a stale write after the fact).
   */
  readonly sequences: readonly number[]
}

/**
 * One record's outcome: `accepted` (stored), `rejected` (refused for good, with the
 * target's reason), `retryable` (not stored this time), `superseded` (not stored because
 * the target holds a newer version of the case: delivered and overtaken, never a dead letter).
 */
export type PushRecordResult =
  | { readonly caseNumber: string; readonly status: 'accepted'; readonly acknowledgedAt: string }
  | { readonly caseNumber: string; readonly status: 'rejected'; readonly reason: string }
  | { readonly caseNumber: string; readonly status: 'retryable'; readonly reason: string }
  | { readonly caseNumber: string; readonly status: 'superseded'; readonly reason: string }

/** One case as the target holds it, for reconciliation. */
export interface TargetCaseSummary {
  readonly caseNumber: string
  /** `fingerprint()` (src/ledger/fingerprint.ts) of the canonical case the target stores. */
  readonly fingerprint: string
  /** When the target stored this version, if it says. */
  readonly storedAt?: string
}

/**
 * One hash bucket of what the target holds for an agency, as src/ledger/bucket-digest.ts
 * defines it: the cases whose SHA-1(caseNumber) starts with `bucket`, their number, and the
 * sum of their case digests modulo 2^48.
 */
export interface BucketDigest {
  /** Lowercase hex prefix of SHA-1(caseNumber); its length is the bucket's depth. */
  readonly bucket: string
  readonly count: number
  /** 12 lowercase hex digits. */
  readonly sum: string
}

/**
 * Checksum-bisection listing (the data-diff idea): compare bucket digests first and list
 * only the buckets that differ, so reconciling a million cases with a little drift moves a
 * few thousand summaries instead of a million cases. Optional on a target; without it the
 * reconciler falls back to `listCases`.
 */
export interface TargetDigests {
  /**
   * The digest of every NON-EMPTY bucket `depth` hex digits long below each of `prefixes`
   * (each shorter than `depth`; `''` is the root), in any order. A bucket missing from the
   * answer is empty. Throws `TargetDigestsUnsupportedError` when the target turns out not to
   * offer digests (the reconciler then lists everything), else like `push` (unavailable,
   * rate-limited, refused).
   */
  bucketDigests (agencyCode: string, prefixes: readonly string[], depth: number, signal: AbortSignal): Promise<readonly BucketDigest[]>
  /**
   * Every case of the agency in the given buckets (any depth), page by page, each with the
   * fingerprint of what the target stores and when it stored it. Memory stays bounded by
   * the page size.
   */
  listBuckets (agencyCode: string, buckets: readonly string[], signal: AbortSignal): AsyncIterable<readonly TargetCaseSummary[]>
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
  /**
   * The target's profile, when it has one: how a canonical case becomes the platform's
   * record (see src/contracts/projection.ts). A getter, because profiles are hot-reloaded.
   * Without it the target holds canonical cases as they are (the identity projection).
   * With it, `push` still receives canonical cases and projects them itself, and the
   * fingerprints of `listCases` are fingerprints of the platform's records read back.
   */
  readonly projection?: () => TargetProjection
  /** Optional bucket digests for fast reconciliation; see {@link TargetDigests}. */
  readonly digests?: TargetDigests
  /** Optional: the platform's decisions on the cases it holds, for feedback to the agencies (src/contracts/feedback.ts). */
  readonly feedback?: TargetFeedback
  /**
   * Is the target there now? One cheap, read-only request (an HTTP HEAD, an SFTP stat of
   * the inbox) for the readiness probe (`/readyz`, `casebridge_hub_ready`), which caches the
   * answer a few seconds and gives up on `signal` when its time limit passes. Resolves when
   * the target answered and did not refuse the hub's credentials; rejects with
   * `RemoteUnavailableError` (no answer, timeout, 5xx) or `RemoteRefusedError` (credentials
   * refused, inbox missing). Writes nothing and is safe beside pushes. A target that is
   * answering but rate-limiting the hub is there: the queue waits as asked. Optional:
   * without it, readiness judges the target by how its last push went.
   */
  check? (signal: AbortSignal): Promise<void>
  /** Release connections. Idempotent. */
  close (): Promise<void>
}
