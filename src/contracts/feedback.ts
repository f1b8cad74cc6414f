/**
 * Feedback (信息反馈): the platform's decisions on transferred cases, read from the target
 * and written back to the agency system by a *writer*. The two halves of that path, as the
 * core sees them; the adapters (adapters/) implement them.
 */

/** The decisions the platform reports: 受理, 立案, 不予立案, 退回/反向移送, 监督立案, 监督移送. */
export const FEEDBACK_DECISION_KINDS = ['accepted', 'filed', 'declined', 'returned', 'supervised_filing', 'supervised_transfer'] as const
export type FeedbackDecisionKind = typeof FEEDBACK_DECISION_KINDS[number]

/** One decision of the platform on one case. */
export interface FeedbackDecision {
  /** The platform's id of the decision: stable, unique; the idempotency key of every write. */
  readonly id: string
  readonly agencyCode: string
  readonly caseNumber: string
  readonly decision: FeedbackDecisionKind
  /** When the platform decided (ISO 8601), as it says. */
  readonly decidedAt: string
  /** The platform's note, when it gave one. */
  readonly note?: string
}

/** One page of a feedback listing: decisions in the platform's order, and where the next page starts. */
export interface FeedbackPage {
  readonly items: readonly FeedbackDecision[]
  /** The cursor after the last item (opaque text); `null` when the page is empty (the cursor stays). */
  readonly next: string | null
}

/**
 * A target's feedback listing, an optional capability of a target adapter.
 *
 * `list` is incremental: the decisions after `after` (null: from the start) in a stable
 * order, at most `limit`; passing each page's `next` as the following `after` reads every
 * decision once. `listAll`, when the target has it, is the platform's complete decision list
 * in the same shape, for reconciliation (a decision the incremental feed missed is in it);
 * without it, reconciliation reads `list` from the start. Errors as for `push`:
 * `RemoteUnavailableError`, `RateLimitedError`, `RemoteRefusedError`.
 */
export interface TargetFeedback {
  list (after: string | null, limit: number, signal: AbortSignal): Promise<FeedbackPage>
  listAll? (after: string | null, limit: number, signal: AbortSignal): Promise<FeedbackPage>
}

/**
 * What a feedback writer (one way of writing a decision into an agency system) promises.
 *
 * `write` stores one decision, idempotently by `decision.id`: writing the same decision again
 * (a retry, a replay after a crash) leaves the agency holding it once. It resolves once the
 * agency has it durably; rejects with `RemoteUnavailableError` / `RateLimitedError` (the hub
 * retries with backoff) or `RemoteRefusedError` (retrying cannot help: a dead letter).
 * Deliberately absent: retries and queues (the core's), and any read-back — the hub records
 * what it wrote.
 */
export interface FeedbackWriter {
  readonly kind: string
  write (decision: FeedbackDecision, signal: AbortSignal): Promise<void>
  /** Release connections. Idempotent. */
  close (): Promise<void>
}
