import type { Ledger } from '../ledger/ledger.js'
import { isoOf } from '../ledger/agency-stats.js'

/** How far behind one agency is, from state every hub process shares (Redis). */
export interface AgencyLag {
  readonly agencyId: string
  /** Age of the oldest change the hub has seen and the platform has not acknowledged; 0 when none is pending. */
  readonly oldestPendingSeconds: number
  /** Changes seen and not yet acknowledged. */
  readonly pendingChanges: number
  /** Since the last pull that reached the end of the source; null: never. */
  readonly sinceLastPullOkSeconds: number | null
  /** Since the last reconciliation that completed; null: never. */
  readonly sinceLastReconcileOkSeconds: number | null
  readonly lastPullOkAt: string | null
  readonly lastReconcileOkAt: string | null
  /** First failure of the pulls failing right now; null: the last pull succeeded. */
  readonly pullFailingSince: string | null
}

const since = (ms: number | undefined, nowMs: number): number | null => ms === undefined ? null : Math.max(0, (nowMs - ms) / 1000)

/**
 * The one reader of lag: the status API (src/admin/agency-status.ts), the metrics
 * (src/metrics/ledger-snapshot.ts) and the watchdog tests all take it from here. The three lags: the age of the
 * oldest unacknowledged change (from the ledger's pending index, which keeps each case's
 * OLDEST unacknowledged change), and the time since the last successful pull and
 * reconciliation (from the agency's stats). Bounded work whatever the ledger's size.
 */
export async function agencyLag (ledger: Ledger, agencyId: string, nowMs = Date.now()): Promise<AgencyLag> {
  const [stats, pendingSince, pendingChanges] = await Promise.all([
    ledger.stats(agencyId), ledger.pendingSince(agencyId), ledger.pendingCount(agencyId),
  ])
  return {
    agencyId,
    oldestPendingSeconds: pendingSince === undefined ? 0 : Math.max(0, (nowMs - pendingSince) / 1000),
    pendingChanges,
    sinceLastPullOkSeconds: since(stats.lastPullOkAtMs, nowMs),
    sinceLastReconcileOkSeconds: since(stats.lastReconcileOkAtMs, nowMs),
    lastPullOkAt: isoOf(stats.lastPullOkAtMs),
    lastReconcileOkAt: isoOf(stats.lastReconcileOkAtMs),
    pullFailingSince: isoOf(stats.pullFailingSinceMs),
  }
}
