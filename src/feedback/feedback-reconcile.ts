import type { FeedbackDecision, FeedbackPage, TargetFeedback } from '../contracts/feedback.js'
import type { FeedbackStore } from './feedback-store.js'
import { routeDecisions, type FeedbackAgency } from './feedback-routing.js'

/**
 * Where feedback reconciliation reports: the hub passes its alarm service; this module knows
 * nothing more of alarms (their states, webhooks and texts are the alarm module's).
 */
export interface FeedbackAlarmSink {
  report (agencyId: string, kind: 'feedback_pending', observation: { readonly count: number; readonly samples: readonly string[]; readonly detail?: Record<string, unknown> }): Promise<unknown>
  resolve (agencyId: string, kind: 'feedback_pending'): Promise<unknown>
}

export interface FeedbackReconcileContext {
  readonly targetId: string
  readonly feedback: TargetFeedback
  readonly agencies: readonly FeedbackAgency[]
  readonly store: FeedbackStore
  readonly alarms: FeedbackAlarmSink
  readonly pageSize: number
  /** A decision younger than this (by its decision time, or since the hub read it) may be on its way: not judged. */
  readonly minAgeMs: number
  readonly now: () => number
  /** Enqueue the decisions found not written (not the dead letters: an operator retries those). */
  readonly repair?: (agencyId: string, decisions: readonly FeedbackDecision[]) => Promise<void>
}

/** One agency's feedback not at the agency: decisions the platform holds that its writer has not confirmed. */
export interface FeedbackFinding {
  readonly agencyId: string
  /** Decision id and case number of each. */
  readonly pending: readonly { readonly id: string; readonly caseNumber: string; readonly deadLetter: boolean }[]
}

/**
 * Feedback reconciliation of one target: the platform's complete decision list (its
 * `listAll`, else `list` from the start) against what the hub wrote to each agency. A
 * decision not written — never read from the incremental listing, lost, or a dead letter —
 * and older than `minAgeMs` is a `feedback_pending` finding, raised as the agency's alarm
 * (case numbers as samples) and recorded as pending, so {@link FeedbackStore.counts} and the
 * supervision view count it until it is written. A clean agency's alarm resolves.
 */
export async function reconcileFeedback (ctx: FeedbackReconcileContext, signal: AbortSignal): Promise<FeedbackFinding[]> {
  const all: FeedbackDecision[] = []
  const read = ctx.feedback.listAll ?? ctx.feedback.list
  let after: string | null = null
  for (;;) {
    const page: FeedbackPage = await read.call(ctx.feedback, after, ctx.pageSize, signal)
    all.push(...page.items)
    if (page.items.length === 0 || page.next === null) break
    after = page.next
  }
  const { routed } = await routeDecisions(ctx.agencies, all)
  const now = ctx.now()
  const findings: FeedbackFinding[] = []
  for (const agency of ctx.agencies) {
    const decisions = routed.get(agency.id) ?? []
    const [written, pending, dead] = await Promise.all([ctx.store.written(agency.id, decisions.map(d => d.id)), ctx.store.pending(agency.id), ctx.store.deadLetters(agency.id)])
    const deadIds = new Set(dead.map(d => d.decision.id))
    const young = (d: FeedbackDecision): boolean => {
      const decided = Date.parse(d.decidedAt)
      const since = Date.parse(pending.get(d.id)?.since ?? '')
      return (!Number.isNaN(decided) && now - decided < ctx.minAgeMs) || (!Number.isNaN(since) && now - since < ctx.minAgeMs)
    }
    const missing = decisions.filter((d, i) => written[i] !== true && (deadIds.has(d.id) || !young(d)))
    const open = missing.filter(d => !deadIds.has(d.id))
    await ctx.store.markPending(agency.id, open, 'reconciliation', new Date(now).toISOString())
    if (open.length > 0) await ctx.repair?.(agency.id, open)
    const finding = { agencyId: agency.id, pending: missing.map(d => ({ id: d.id, caseNumber: d.caseNumber, deadLetter: deadIds.has(d.id) })) }
    findings.push(finding)
    if (missing.length === 0) await ctx.alarms.resolve(agency.id, 'feedback_pending')
    else {
      await ctx.alarms.report(agency.id, 'feedback_pending', {
        count: missing.length,
        samples: [...new Set(missing.map(d => d.caseNumber))].slice(0, 20),
        detail: { target: ctx.targetId, deadLetters: finding.pending.filter(p => p.deadLetter).length },
      })
    }
  }
  return findings
}
