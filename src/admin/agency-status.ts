import type { AdminAgency, AdminDeps } from './admin-deps.js'
import { agencyLag } from '../lag/agency-lag.js'
import type { MappingStatus } from '../ledger/mapping-state.js'
import { isoOf } from '../ledger/agency-stats.js'
import type { SourceProblem } from '../contracts/source-adapter.js'

export interface AgencyStatus {
  id: string
  name: string
  target: string
  pulling: boolean
  /** Paused by an operator (no pulls, pushes wait): since when and by whom; null while running. */
  paused: { at: string; by: string } | null
  lastPullAt: string | null
  lastPullOkAt: string | null
  lastReconcileOkAt: string | null
  lagSeconds: number
  counts: { pulled: number; valid: number; skipped: number; skippedByRule: Record<string, number>; enqueued: number; pushed: number; quarantined: number; held: number; deadLettered: number }
  openAlarms: number | null
  /** The mapping in use, and the last refused edit while it is not fixed (src/mapping/mapping-state.ts). */
  mapping: MappingStatus
  /** What the source reported needing attention after its last pull (e.g. files it cannot move out of the inbox); empty when all is well. */
  sourceProblems: SourceProblem[]
}

/** One agency's status from the ledger (shared by every hub process), as /api/agencies shows it. */
export async function agencyStatus (deps: AdminDeps, agency: AdminAgency, alarms: ReadonlyMap<string, number> | undefined): Promise<AgencyStatus> {
  const [counters, stats, lag, pulling, mapping, paused] = await Promise.all([
    deps.ledger.counters(agency.id), deps.ledger.stats(agency.id), agencyLag(deps.ledger, agency.id), deps.ledger.isPulling(agency.id),
    deps.ledger.mappingStatus(agency.id), deps.ledger.pausedSince(agency.id),
  ])
  return {
    id: agency.id,
    name: agency.name,
    target: agency.target,
    pulling,
    paused: paused ?? null,
    lastPullAt: isoOf(stats.lastPullAtMs),
    lastPullOkAt: lag.lastPullOkAt,
    lastReconcileOkAt: lag.lastReconcileOkAt,
    lagSeconds: Math.round(lag.oldestPendingSeconds * 1000) / 1000,
    counts: {
      pulled: counters.pulled, valid: counters.valid, skipped: counters.skipped, skippedByRule: counters.skippedByRule, enqueued: counters.enqueued,
      pushed: counters.pushed, quarantined: counters.quarantined, held: counters.held, deadLettered: counters.deadLettered,
    },
    openAlarms: alarms === undefined ? null : alarms.get(agency.id) ?? 0,
    mapping,
    sourceProblems: [...stats.sourceProblems],
  }
}

/** Open alarms per agency, or undefined when the hub has no alarm module. */
export async function openAlarmsByAgency (deps: AdminDeps): Promise<Map<string, number> | undefined> {
  if (deps.openAlarms === undefined) return undefined
  const byAgency = new Map<string, number>()
  for (const a of await deps.openAlarms()) byAgency.set(a.agency, (byAgency.get(a.agency) ?? 0) + a.count)
  return byAgency
}
