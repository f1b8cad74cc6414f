import type { SeenVersion } from '../ledger/entries.js'
import type { FindingKind } from './findings.js'
import type { AckedVersion } from './ledger-view.js'

/** Everything known about one case number from the three sides. */
export interface CaseFacts {
  /** In the source listing: its fingerprint under the current mapping (null: invalid now) and update time. Absent: not listed. */
  readonly source?: { readonly fingerprint: string | null; readonly updatedMs: number } | undefined
  readonly seen?: SeenVersion | undefined
  readonly acked?: AckedVersion | undefined
  /** What the target holds (listed, or known equal to `acked` from agreeing digests). Absent: not there. */
  readonly target?: { readonly fingerprint: string; readonly storedMs: number } | undefined
}

export interface JudgeContext {
  /** The source was listed in full: absence from it means something. */
  readonly sourceListed: boolean
  /** The target was compared: absence from it means something. */
  readonly targetCompared: boolean
  /** Anything that happened after this instant (ms) is in flight: not judged. */
  readonly cutoffMs: number
  /**
   * The agency has been pulled to the end at least once: before that, a source case the
   * ledger does not know is simply not pulled yet.
   */
  readonly caughtUp: boolean
}

export interface Verdict {
  /** Changed within the minimum age somewhere: not judged. */
  readonly young: boolean
  readonly kinds: readonly FindingKind[]
}

const NONE: Verdict = Object.freeze({ young: false, kinds: Object.freeze([]) as readonly FindingKind[] })
const YOUNG: Verdict = Object.freeze({ young: true, kinds: Object.freeze([]) as readonly FindingKind[] })

/**
 * The three-way rules for one case (stale and late entries are judged from the ledger's
 * time indexes, not here):
 *  - missing_in_target: valid at the source, and the platform lacks it although the hub
 *    delivered it (acknowledged) or never learned of it (the cursor missed it);
 *  - source_changed_unsynced: the source's content differs from what the hub last
 *    enqueued (an update whose timestamp was not bumped, or a mapping change);
 *  - target_differs: the platform holds a version nobody sent: not the acknowledged one,
 *    not the one enqueued, not the source's;
 *  - orphan_in_target: on the platform, unknown to the source and to the ledger;
 *  - source_deleted: known to the ledger, gone from the source.
 * A change not yet acknowledged is the business of `stale`, never of missing_in_target.
 */
export function judgeCase (f: CaseFacts, ctx: JudgeContext): Verdict {
  const { source: s, seen, acked } = f
  const p = ctx.targetCompared ? f.target : undefined
  if ((s !== undefined && s.updatedMs > ctx.cutoffMs) || (seen !== undefined && seen.firstSeenMs > ctx.cutoffMs) ||
    (acked !== undefined && acked.ackedAtMs > ctx.cutoffMs) || (p !== undefined && p.storedMs > ctx.cutoffMs)) return YOUNG
  // Invalid at the source now: quarantine reports it; nothing to compare.
  if (s?.fingerprint === null) return NONE
  const kinds: FindingKind[] = []
  const known = seen !== undefined || acked !== undefined
  if (s !== undefined) {
    const sfp = s.fingerprint as string
    if (!known) {
      if (!ctx.caughtUp) return YOUNG
      if (ctx.targetCompared && p === undefined) kinds.push('missing_in_target')
      else if (p !== undefined && p.fingerprint !== sfp) kinds.push('source_changed_unsynced')
      return kinds.length === 0 ? NONE : { young: false, kinds }
    }
    if ((seen ?? acked)?.fingerprint !== sfp) kinds.push('source_changed_unsynced')
    if (ctx.targetCompared) {
      if (p === undefined) {
        if (acked !== undefined) kinds.push('missing_in_target')
      } else if (p.fingerprint !== acked?.fingerprint && p.fingerprint !== seen?.fingerprint && p.fingerprint !== sfp) {
        kinds.push('target_differs')
      }
    }
  } else if (ctx.sourceListed) {
    if (known) kinds.push('source_deleted')
    else if (p !== undefined) kinds.push('orphan_in_target')
  } else if (!known) {
    if (p !== undefined) kinds.push('orphan_in_target')
  } else if (ctx.targetCompared) {
    if (p === undefined) {
      if (acked !== undefined) kinds.push('missing_in_target')
    } else if (p.fingerprint !== acked?.fingerprint && p.fingerprint !== seen?.fingerprint) {
      kinds.push('target_differs')
    }
  }
  return kinds.length === 0 ? NONE : { young: false, kinds }
}
