import { sentEarlier, type AckedVersion, type SeenVersion } from '../ledger/entries.js'
import type { FindingKind } from './findings.js'

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

const one = (kind: FindingKind): Verdict => ({ young: false, kinds: [kind] })

/**
 * The rules for one case, one kind per case (stale and late entries are judged from the
 * ledger's time indexes, not here). The platform is compared with the NEWEST version the
 * hub has seen — the one last enqueued, whose sequence is the highest (src/ledger/
 * version-order.ts) — never with several at once:
 *  - source_changed_unsynced: the source's content is not the newest version the hub has
 *    seen (an update whose timestamp was not bumped, a mapping change);
 *  - otherwise, when the platform does not hold that newest version:
 *    - missing_in_target: it holds nothing, although the hub delivered (acknowledged) a
 *      version, or never learned of the case (the cursor missed it);
 *    - nothing, when the newest version is not acknowledged yet and the platform holds
 *      the acknowledged one (or nothing was ever acknowledged): on its way, the business
 *      of `stale`;
 *    - target_regressed: it holds a version the hub sent earlier (an older delivery
 *      landed after a newer one);
 *    - target_differs: it holds a version the hub never sent;
 *  - orphan_in_target: on the platform, unknown to the source and to the ledger;
 *  - source_deleted: known to the ledger, gone from the source.
 */
export function judgeCase (f: CaseFacts, ctx: JudgeContext): Verdict {
  const { source: s, seen, acked } = f
  const p = ctx.targetCompared ? f.target : undefined
  if ((s !== undefined && s.updatedMs > ctx.cutoffMs) || (seen !== undefined && seen.firstSeenMs > ctx.cutoffMs) ||
    (acked !== undefined && acked.ackedAtMs > ctx.cutoffMs) || (p !== undefined && p.storedMs > ctx.cutoffMs)) return YOUNG
  // Invalid at the source now: quarantine reports it; nothing to compare.
  if (s?.fingerprint === null) return NONE
  const newest = seen?.fingerprint ?? acked?.fingerprint
  if (newest === undefined) {
    // Unknown to the ledger.
    if (s === undefined) return p === undefined ? NONE : one('orphan_in_target')
    if (!ctx.caughtUp) return YOUNG
    if (ctx.targetCompared && p === undefined) return one('missing_in_target')
    return p !== undefined && p.fingerprint !== s.fingerprint ? one('source_changed_unsynced') : NONE
  }
  if (s !== undefined && s.fingerprint !== newest) return one('source_changed_unsynced')
  if (s === undefined && ctx.sourceListed) return one('source_deleted')
  if (!ctx.targetCompared || p?.fingerprint === newest) return NONE
  if (p === undefined) return acked === undefined ? NONE : one('missing_in_target')
  if (acked?.fingerprint !== newest && p.fingerprint === acked?.fingerprint) return NONE
  return one(sentEarlier(seen, p.fingerprint) ? 'target_regressed' : 'target_differs')
}
