import type { AdminAgency, AdminDeps } from './admin-deps.js'
import { agencyLag } from '../lag/agency-lag.js'
import type { MappingStatus } from '../ledger/mapping-state.js'
import { isoOf } from '../ledger/agency-stats.js'
import type { SourceProblem } from '../contracts/source-adapter.js'
import type { FailureNote } from '../logging/failure-note.js'
import type { TargetCause } from '../metrics/target-health.js'
import { checkReadiness, type ReadinessCheck } from './readiness.js'

/** The pull side: whether pulls succeed, and if not, how the last one failed and since when. */
export interface PullCause {
  /** never: no pull has ended yet. */
  readonly state: 'ok' | 'failing' | 'never'
  /** First failure of the pulls failing now; null while they succeed. */
  readonly failingSince: string | null
  readonly lastOkAt: string | null
  /** How the last pull failed (code, class, masked message); null while pulls succeed. */
  readonly lastError: FailureNote | null
}

/** The unpulled backlog as the status shows it: numbers when the source can tell, `unknown` (and nulls) when it cannot — never 0 for unknown. */
export interface BacklogStatus {
  readonly state: 'known' | 'unknown'
  readonly changes: number | null
  readonly oldestChangeAt: string | null
  readonly ageSeconds: number | null
}

/** What one status answer reads once for all its agencies. */
export interface StatusContext {
  /** Open alarms by agency, or undefined when the hub has no alarm module. */
  readonly alarms: ReadonlyMap<string, number> | undefined
  /** Every readiness check (Redis, config, mappings, targets), as /readyz has them. */
  readonly checks: readonly ReadinessCheck[]
}

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
  /** Whether everything this agency needs is ready: Redis, the config, its mapping, its target ({@link readiness}). */
  ready: boolean
  /** The readiness checks that concern this agency. */
  readiness: ReadinessCheck[]
  pull: PullCause
  /** Changes waiting at the source that no pull has read (the lag counts only what the hub has seen). */
  unpulled: BacklogStatus
  /** The push side: the agency's target, its state and why (src/metrics/target-health.ts). */
  push: TargetCause & { target: string }
  /** Cases per transfer-risk / time-limit finding kind to review (src/risk); absent when the feature is off. */
  findings?: Record<string, number>
}

/** What one status answer needs: the readiness checks (probing the targets, cached) and the open alarms. */
export async function statusContext (deps: AdminDeps): Promise<StatusContext> {
  const [alarms, readiness] = await Promise.all([openAlarmsByAgency(deps), checkReadiness(deps)])
  return { alarms, checks: readiness.checks }
}

/** One agency's status from the ledger (shared by every hub process), as /api/agencies shows it. */
export async function agencyStatus (deps: AdminDeps, agency: AdminAgency, context: StatusContext): Promise<AgencyStatus> {
  const [counters, stats, lag, pulling, mapping, paused, backlog] = await Promise.all([
    deps.ledger.counters(agency.id), deps.ledger.stats(agency.id), agencyLag(deps.ledger, agency.id), deps.ledger.isPulling(agency.id),
    deps.ledger.mappingStatus(agency.id), deps.ledger.pausedSince(agency.id), deps.backlog?.(agency.id),
  ])
  const findings = await deps.risk?.findingCounts(agency.id)
  const concerned = new Set(['redis', 'config', `mapping:${agency.id}`, `target:${agency.target}`])
  const readiness = context.checks.filter(c => concerned.has(c.name))
  const failingSince = isoOf(stats.pullFailingSinceMs)
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
    openAlarms: context.alarms === undefined ? null : context.alarms.get(agency.id) ?? 0,
    mapping,
    sourceProblems: [...stats.sourceProblems],
    ready: readiness.every(c => c.ok),
    readiness,
    pull: {
      state: failingSince !== null ? 'failing' : stats.lastPullOkAtMs === undefined ? 'never' : 'ok',
      failingSince,
      lastOkAt: lag.lastPullOkAt,
      lastError: failingSince === null ? null : stats.lastPullError ?? null,
    },
    unpulled: backlog?.state === 'known'
      ? { state: 'known', changes: backlog.changes, oldestChangeAt: backlog.oldestChangeAt, ageSeconds: backlog.ageSeconds }
      : { state: 'unknown', changes: null, oldestChangeAt: null, ageSeconds: null },
    push: { target: agency.target, ...deps.targets.cause(agency.target) },
    ...(findings === undefined ? {} : { findings }),
  }
}

/** Open alarms per agency, or undefined when the hub has no alarm module. */
export async function openAlarmsByAgency (deps: AdminDeps): Promise<Map<string, number> | undefined> {
  if (deps.openAlarms === undefined) return undefined
  const byAgency = new Map<string, number>()
  for (const a of await deps.openAlarms()) byAgency.set(a.agency, (byAgency.get(a.agency) ?? 0) + a.count)
  return byAgency
}
