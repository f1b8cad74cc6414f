import type { SourceProblem } from '../contracts/source-adapter.js'
import { parseFailureNote, type FailureNote } from '../logging/failure-note.js'

/**
 * One agency's counters and times, typed — the only reading of its stats hash (which the
 * ledger's writes and Lua scripts keep: counters by HINCRBY, times as ISO text). Totals
 * are monotonic (for Prometheus counters); times are milliseconds, absent when it never
 * happened.
 */
export interface AgencyStats {
  readonly pulled: number
  readonly valid: number
  readonly skipped: number
  /** Skipped records by skip rule (`skip:` names of the mapping). */
  readonly skippedByRule: Readonly<Record<string, number>>
  readonly enqueued: number
  readonly acknowledgedTotal: number
  readonly quarantinedTotal: number
  /** Cases ever held for the target's required fields (a case held again after a change counts again). */
  readonly heldTotal: number
  readonly deadLetteredTotal: number
  readonly repairEnqueued: number
  readonly reprocessed: number
  readonly reconcileRuns: number
  /** Times an older version of a case may have reached the target after a newer one (src/ledger/version-order.ts). */
  readonly versionRegressions: number
  /** Versions enqueued while another live job already carried them (a page re-read after a crash). */
  readonly versionsReenqueued: number
  /** Decisions entered late (迟录), summed over reconciliations (each reported by one run). */
  readonly lateEntriesTotal: number
  /** Cases missing on the platform as the last reconciliation that compared it found; absent: none has. */
  readonly missingOnPlatform?: number
  readonly lastPullAtMs?: number
  readonly lastPullOkAtMs?: number
  /** First failure of the pulls failing right now (absent: the last pull succeeded). */
  readonly pullFailingSinceMs?: number
  /** How the last pull failed, while pulls are failing (absent: the last pull succeeded, or it failed before the hub kept this). */
  readonly lastPullError?: FailureNote
  /** The last pull that found a new or changed case. */
  readonly lastChangeAtMs?: number
  readonly lastReconcileAtMs?: number
  readonly lastReconcileOkAtMs?: number
  /** The agency code under which the platform last acknowledged a case. */
  readonly agencyCode?: string
  /** What the source reported needing attention after its last pull. */
  readonly sourceProblems: readonly SourceProblem[]
}

/** The one ISO-time → milliseconds reading of the ledger (undefined: absent or not a time). */
export function msOf (iso: string | null | undefined): number | undefined {
  if (iso == null) return undefined
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? undefined : ms
}

/** ISO text of a time in milliseconds, or null (for answers that show times). */
export function isoOf (ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString()
}

const TIMES = ['lastPullAt', 'lastPullOkAt', 'pullFailingSince', 'lastChangeAt', 'lastReconcileAt', 'lastReconcileOkAt'] as const

export function parseAgencyStats (raw: Readonly<Record<string, string>>): AgencyStats {
  const n = (name: string): number => Number(raw[name] ?? 0) || 0
  const times: Record<string, number> = {}
  for (const name of TIMES) {
    const ms = msOf(raw[name])
    if (ms !== undefined) times[`${name}Ms`] = ms
  }
  let sourceProblems: SourceProblem[] = []
  try {
    if (raw.sourceProblems !== undefined) sourceProblems = JSON.parse(raw.sourceProblems) as SourceProblem[]
  } catch {
    sourceProblems = []
  }
  const lastPullError = parseFailureNote(raw.lastPullError)
  return {
    pulled: n('pulled'),
    valid: n('valid'),
    skipped: n('skipped'),
    skippedByRule: Object.fromEntries(Object.entries(raw).filter(([name]) => name.startsWith('skipped:')).map(([name, v]) => [name.slice('skipped:'.length), Number(v)])),
    enqueued: n('enqueued'),
    acknowledgedTotal: n('acknowledgedTotal'),
    quarantinedTotal: n('quarantinedTotal'),
    heldTotal: n('heldTotal'),
    deadLetteredTotal: n('deadLettered'),
    repairEnqueued: n('repairEnqueued'),
    reprocessed: n('reprocessed'),
    reconcileRuns: n('reconcileRuns'),
    versionRegressions: n('versionRegressions'),
    versionsReenqueued: n('versionsReenqueued'),
    lateEntriesTotal: n('lateEntriesTotal'),
    ...(raw.missingOnPlatform === undefined ? {} : { missingOnPlatform: n('missingOnPlatform') }),
    ...times,
    ...(raw.agencyCode === undefined ? {} : { agencyCode: raw.agencyCode }),
    ...(lastPullError === undefined ? {} : { lastPullError }),
    sourceProblems,
  }
}
