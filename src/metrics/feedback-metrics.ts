import { Gauge, Histogram, type Registry } from 'prom-client'
import type { FeedbackCounts } from '../feedback/feedback-store.js'
import { LATENCY_BUCKETS } from './hub-metrics.js'

export interface FeedbackMetrics {
  /** A decision's first confirmation by the agency's writer. */
  observeWritten (agencyId: string, lag: { sinceDecidedSeconds: number | undefined; sinceListedSeconds: number }): void
}

/**
 * Feedback metrics on the hub's registry: the lag from the platform's decision (and from the
 * hub reading it) to the agency having it — this process's own histograms — and, read from
 * Redis at scrape time (take `max by (agency)` across instances), the decisions pending,
 * written and dead-lettered per agency.
 */
export function registerFeedbackMetrics (registry: Registry, agencyIds: readonly string[], counts: (agencyId: string) => Promise<FeedbackCounts>): FeedbackMetrics {
  const registers = [registry]
  const lag = new Histogram({ name: 'casebridge_feedback_lag_seconds', help: "Seconds from the platform's decision to its write into the agency system", labelNames: ['agency'], buckets: LATENCY_BUCKETS, registers })
  const hubLag = new Histogram({ name: 'casebridge_feedback_write_seconds', help: 'Seconds from the hub reading a decision off the platform to its write into the agency system', labelNames: ['agency'], buckets: LATENCY_BUCKETS, registers })
  const gauge = (name: string, help: string, pick: (c: FeedbackCounts) => number): void => {
    new Gauge({
      name, help, labelNames: ['agency'], registers,
      async collect () {
        this.reset()
        for (const id of agencyIds) this.set({ agency: id }, pick(await counts(id)))
      },
    })
  }
  gauge('casebridge_feedback_pending', 'Platform decisions read or found by reconciliation, not yet written to the agency', c => c.pending)
  gauge('casebridge_feedback_written', 'Platform decisions written to the agency (distinct decisions)', c => c.written)
  gauge('casebridge_feedback_dead_letters', 'Platform decisions the agency writer refused or that ran out of retries', c => c.deadLetters)
  return {
    observeWritten (agencyId, l) {
      if (l.sinceDecidedSeconds !== undefined) lag.observe({ agency: agencyId }, l.sinceDecidedSeconds)
      hubLag.observe({ agency: agencyId }, l.sinceListedSeconds)
    },
  }
}
