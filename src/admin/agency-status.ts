import type { AdminAgency, AdminDeps } from './admin-deps.js'
import { lagSeconds } from '../metrics/ledger-snapshot.js'
import { readMappingStatus, type MappingStatus } from '../mapping/mapping-state.js'

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
  counts: { pulled: number; valid: number; skipped: number; skippedByRule: Record<string, number>; enqueued: number; pushed: number; quarantined: number; deadLettered: number }
  openAlarms: number | null
  /** The mapping in use, and the last refused edit while it is not fixed (src/mapping/mapping-state.ts). */
  mapping: MappingStatus
}

/** One agency's status from the ledger (shared by every hub process), as /api/agencies shows it. */
export async function agencyStatus (deps: AdminDeps, agency: AdminAgency, alarms: ReadonlyMap<string, number> | undefined): Promise<AgencyStatus> {
  const keys = deps.ledger.keys(agency.id)
  const [counters, stats, pendingSince, locked, mapping, paused] = await Promise.all([
    deps.ledger.counters(agency.id), deps.ledger.stats(agency.id), deps.ledger.pendingSince(agency.id), deps.redis.exists(keys.pullLock),
    readMappingStatus(deps.redis, keys.mapping), deps.ledger.pausedSince(agency.id),
  ])
  return {
    id: agency.id,
    name: agency.name,
    target: agency.target,
    pulling: locked === 1,
    paused: paused ?? null,
    lastPullAt: counters.lastPullAt ?? null,
    lastPullOkAt: counters.lastPullOkAt ?? null,
    lastReconcileOkAt: stats.lastReconcileOkAt ?? null,
    lagSeconds: Math.round(lagSeconds(pendingSince) * 1000) / 1000,
    counts: {
      pulled: counters.pulled, valid: counters.valid, skipped: counters.skipped, skippedByRule: counters.skippedByRule, enqueued: counters.enqueued,
      pushed: counters.pushed, quarantined: counters.quarantined, deadLettered: counters.deadLettered,
    },
    openAlarms: alarms === undefined ? null : alarms.get(agency.id) ?? 0,
    mapping,
  }
}

/** Open alarms per agency, or undefined when the hub has no alarm module. */
export async function openAlarmsByAgency (deps: AdminDeps): Promise<Map<string, number> | undefined> {
  if (deps.openAlarms === undefined) return undefined
  const byAgency = new Map<string, number>()
  for (const a of await deps.openAlarms()) byAgency.set(a.agency, (byAgency.get(a.agency) ?? 0) + a.count)
  return byAgency
}
