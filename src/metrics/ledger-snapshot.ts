import type { Ledger } from '../ledger/ledger.js'

/** One agency's numbers from the ledger at one instant, as metrics and status read them. */
export interface LedgerSnapshot {
  readonly agency: string
  readonly pulledTotal: number
  readonly pushedTotal: number
  readonly quarantinedTotal: number
  readonly deadLetteredTotal: number
  readonly quarantinedNow: number
  readonly deadLettersNow: number
  /** Seconds since the oldest unacknowledged change was first seen; 0 when nothing is pending. */
  readonly lagSeconds: number
  /** Unix seconds; undefined when it never happened. */
  readonly lastPullAt: number | undefined
  readonly lastPullOkAt: number | undefined
  readonly lastReconcileOkAt: number | undefined
}

const seconds = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? undefined : ms / 1000
}

/** Lag in seconds from the first-seen time of the oldest pending change (0 when none). */
export function lagSeconds (pendingSinceMs: number | undefined, nowMs = Date.now()): number {
  return pendingSinceMs === undefined ? 0 : Math.max(0, (nowMs - pendingSinceMs) / 1000)
}

/**
 * Read what metrics need for each agency. The reconciliation module records its last
 * success as `lastReconcileOkAt` (ISO time) in the agency's stats hash.
 */
export async function readLedgerSnapshot (ledger: Ledger, agencies: readonly string[]): Promise<LedgerSnapshot[]> {
  return await Promise.all(agencies.map(async agency => {
    const [stats, counters, pendingSince] = await Promise.all([ledger.stats(agency), ledger.counters(agency), ledger.pendingSince(agency)])
    const n = (name: string): number => Number(stats[name] ?? 0)
    return {
      agency,
      pulledTotal: n('pulled'),
      pushedTotal: n('acknowledgedTotal'),
      quarantinedTotal: n('quarantinedTotal'),
      deadLetteredTotal: n('deadLettered'),
      quarantinedNow: counters.quarantined,
      deadLettersNow: counters.deadLettered,
      lagSeconds: lagSeconds(pendingSince),
      lastPullAt: seconds(stats.lastPullAt),
      lastPullOkAt: seconds(stats.lastPullOkAt),
      lastReconcileOkAt: seconds(stats.lastReconcileOkAt),
    }
  }))
}
