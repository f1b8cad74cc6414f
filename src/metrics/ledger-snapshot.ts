import type { Ledger } from '../ledger/ledger.js'
import { agencyLag } from '../lag/agency-lag.js'

/** One agency's numbers from the ledger at one instant, as metrics and status read them. */
export interface LedgerSnapshot {
  readonly agency: string
  readonly pulledTotal: number
  readonly pushedTotal: number
  readonly quarantinedTotal: number
  readonly deadLetteredTotal: number
  readonly quarantinedNow: number
  readonly heldNow: number
  readonly heldTotal: number
  readonly deadLettersNow: number
  /** Cases the platform acknowledged (distinct cases, not versions). */
  readonly deliveredNow: number
  readonly lateEntriesTotal: number
  readonly missingOnPlatform: number | undefined
  /** Seconds since the oldest unacknowledged change was first seen; 0 when nothing is pending. */
  readonly lagSeconds: number
  /** Unix seconds; undefined when it never happened. */
  readonly lastPullAt: number | undefined
  readonly lastPullOkAt: number | undefined
  readonly lastReconcileOkAt: number | undefined
}

const seconds = (ms: number | undefined): number | undefined => ms === undefined ? undefined : ms / 1000

/** Read what metrics need for each agency, from the ledger's typed stats. */
export async function readLedgerSnapshot (ledger: Ledger, agencies: readonly string[]): Promise<LedgerSnapshot[]> {
  return await Promise.all(agencies.map(async agency => {
    const [stats, counters, lag] = await Promise.all([ledger.stats(agency), ledger.counters(agency), agencyLag(ledger, agency)])
    return {
      agency,
      pulledTotal: stats.pulled,
      pushedTotal: stats.acknowledgedTotal,
      quarantinedTotal: stats.quarantinedTotal,
      deadLetteredTotal: stats.deadLetteredTotal,
      quarantinedNow: counters.quarantined,
      heldNow: counters.held,
      heldTotal: stats.heldTotal,
      deadLettersNow: counters.deadLettered,
      deliveredNow: counters.pushed,
      lateEntriesTotal: stats.lateEntriesTotal,
      missingOnPlatform: stats.missingOnPlatform,
      lagSeconds: lag.oldestPendingSeconds,
      lastPullAt: seconds(stats.lastPullAtMs),
      lastPullOkAt: seconds(stats.lastPullOkAtMs),
      lastReconcileOkAt: seconds(stats.lastReconcileOkAtMs),
    }
  }))
}
