/**
 * What a reconciliation finds, per agency: each kind with its count and up to
 * {@link SAMPLE_SIZE} case numbers, and the facts of the run (what was compared, how).
 */

/** The kinds a reconciliation reports (the alarm kinds of the same names). */
export const FINDING_KINDS = [
  'missing_in_target', 'source_changed_unsynced', 'target_differs', 'target_regressed', 'orphan_in_target', 'stale', 'late_entry', 'source_deleted',
] as const
export type FindingKind = (typeof FINDING_KINDS)[number]

/** The kinds a repair re-sends through the push queue. Orphans are never deleted: reported only. */
export const REPAIRABLE_KINDS: readonly FindingKind[] = ['missing_in_target', 'source_changed_unsynced', 'target_differs', 'target_regressed']

export const SAMPLE_SIZE = 20

export interface FindingSummary {
  readonly count: number
  /** Up to 20 case numbers, in the order they were found. */
  readonly samples: readonly string[]
}

/** Counts and samples per kind, without holding every case number. */
export class FindingTally {
  private readonly counts = new Map<FindingKind, number>()
  private readonly samples = new Map<FindingKind, string[]>()

  add (kind: FindingKind, caseNumber: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1)
    const list = this.samples.get(kind) ?? []
    if (list.length < SAMPLE_SIZE) list.push(caseNumber)
    this.samples.set(kind, list)
  }

  /** Set a kind counted elsewhere (stale and late entries come from the ledger's indexes). */
  set (kind: FindingKind, summary: FindingSummary): void {
    this.counts.set(kind, summary.count)
    this.samples.set(kind, summary.samples.slice(0, SAMPLE_SIZE))
  }

  count (kind: FindingKind): number {
    return this.counts.get(kind) ?? 0
  }

  summary (): Record<FindingKind, FindingSummary> {
    const out = {} as Record<FindingKind, FindingSummary>
    for (const kind of FINDING_KINDS) out[kind] = { count: this.counts.get(kind) ?? 0, samples: [...(this.samples.get(kind) ?? [])] }
    return out
  }
}

/** How the target side was compared. */
export type TargetMode = 'digests' | 'full-listing' | 'not-compared'

/**
 * Why a side was not (fully) compared, as a stable word: what a reader in another language
 * is told (the CLI words it), beside the English sentence of `notes`.
 */
export type ReconcileNoteCode = 'source-not-listed' | 'agency-code-unknown' | 'target-no-digests' | 'target-unreadable'

export interface RepairSummary {
  /** Cases re-sent through the push queue, by the kind that made them repairable. */
  readonly enqueued: number
  readonly byKind: Readonly<Partial<Record<FindingKind, number>>>
  /** Repairable cases that could not be re-sent (gone from the source, invalid now). */
  readonly notRepaired: number
  readonly notes: readonly string[]
}

export interface ReconcileResult {
  readonly runId: string
  readonly agencyId: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  readonly trigger: 'schedule' | 'on-demand'
  /** The schedule tick (ISO) a scheduled run belongs to. */
  readonly scheduledFor?: string
  readonly source: 'listed' | 'not-listed'
  readonly target: TargetMode
  /** Why a side was not (fully) compared, in plain words. */
  readonly notes: readonly string[]
  /** The same, one stable word per note, in the same order. */
  readonly noteCodes: readonly ReconcileNoteCode[]
  readonly counts: {
    /** Source records listed, and how many of them are valid cases under the current mapping. */
    readonly sourceRecords: number
    readonly sourceValid: number
    /** Cases the ledger knows (ever enqueued or acknowledged). */
    readonly ledger: number
    /** Cases the target holds, as its digests say (or its listing counted). */
    readonly target: number
    /** Distinct cases whose three sides were compared one by one. */
    readonly compared: number
    /** Cases not judged because they changed within the minimum age. */
    readonly tooYoung: number
  }
  /**
   * How the digest bisection went: requests made, buckets compared (of them equal, and
   * listed case by case), the deepest level it descended to (2 = the top level), what it listed.
   */
  readonly digest?: { readonly requests: number; readonly bucketsCompared: number; readonly bucketsEqual: number; readonly bucketsListed: number; readonly deepestDepth: number; readonly leavesListed: number; readonly casesListed: number }
  readonly findings: Readonly<Record<FindingKind, FindingSummary>>
  readonly repair?: RepairSummary
}
