import type { Queue } from 'bullmq'
import type { Logger } from 'pino'
import type { TargetFeedback } from '../contracts/feedback.js'
import { crashPoint } from '../crash-points.js'
import type { FeedbackStore } from './feedback-store.js'
import { enqueueFeedback, type FeedbackJobData } from './feedback-job.js'
import { routeDecisions, type FeedbackAgency } from './feedback-routing.js'

export interface FeedbackPullContext {
  readonly targetId: string
  readonly feedback: TargetFeedback
  /** The agencies of this target that have a writer. */
  readonly agencies: readonly FeedbackAgency[]
  readonly store: FeedbackStore
  readonly queue: Queue<FeedbackJobData>
  readonly pageSize: number
  readonly logger: Logger
}

export interface FeedbackPullSummary { readonly pages: number; readonly listed: number; readonly enqueued: number; readonly unrouted: number }

/**
 * One pass over a target's feedback listing from the stored cursor.
 *
 * THE CURSOR RULE, as on the forward path (src/sync/pull-agency.ts): for each page,
 *   1. the page's decisions not yet written are recorded as pending (per agency),
 *   2. and enqueued in the feedback queue (job id from agency + decision id: idempotent),
 *   3. and only then the cursor moves to the page's end.
 * A crash before 3 reads the page again: pending entries are set again (no-op), the jobs
 * already exist (no-op) or were written (the written check skips them). Nothing may write
 * the feedback cursor anywhere else.
 */
export async function pullFeedback (ctx: FeedbackPullContext, signal: AbortSignal): Promise<FeedbackPullSummary> {
  const totals = { pages: 0, listed: 0, enqueued: 0, unrouted: 0 }
  let cursor = await ctx.store.cursor(ctx.targetId)
  for (;;) {
    if (signal.aborted) break
    const page = await ctx.feedback.list(cursor, ctx.pageSize, signal)
    crashPoint('feedback.listed')
    if (page.items.length === 0 || page.next === null) break
    const { routed, unrouted } = await routeDecisions(ctx.agencies, page.items)
    const now = Date.now()
    const jobs: FeedbackJobData[] = []
    for (const [agencyId, decisions] of routed) {
      const written = await ctx.store.written(agencyId, decisions.map(d => d.id))
      const open = decisions.filter((_, i) => written[i] !== true)
      await ctx.store.markPending(agencyId, open, 'listing', new Date(now).toISOString())
      for (const decision of open) jobs.push({ agencyId, targetId: ctx.targetId, decision, listedAtMs: now })
    }
    await enqueueFeedback(ctx.queue, jobs)
    crashPoint('feedback.enqueued')
    await ctx.store.moveCursor(ctx.targetId, page.next, { listed: page.items.length, unrouted })
    if (unrouted > 0) ctx.logger.debug({ target: ctx.targetId, unrouted }, 'feedback for agency codes no agency with a writer has; passed over')
    cursor = page.next
    totals.pages++
    totals.listed += page.items.length
    totals.enqueued += jobs.length
    totals.unrouted += unrouted
    // On until an empty page: a listing may answer fewer than asked before its end.
  }
  return totals
}
