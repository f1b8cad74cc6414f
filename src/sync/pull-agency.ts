import type { Queue } from 'bullmq'
import type { Logger } from 'pino'
import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { TargetProjection } from '../contracts/projection.js'
import type { Ledger, PullLease } from '../ledger/ledger.js'
import { enqueueVersions, type PushItem, type PushJobData, type VersionToDeliver } from '../delivery/push-job.js'
import { mapPage, skipCounters, unreadableEntries, unreadableItemEntries, type MappedPage, type ValidCase } from '../pipeline/map-records.js'
import type { CanonicalCase } from '../generated/case.js'
import type { QuarantineEntry, SeenVersion } from '../ledger/entries.js'
import { crashPoint } from '../crash-points.js'
import type { DeliveryWindow } from './delivery-window.js'
import { enqueuedOf, pageTrace } from './page-trace.js'

export interface PullContext {
  readonly agencyId: string
  readonly targetId: string
  readonly source: SourceAdapter
  readonly mapping: () => CompiledMapping
  /** The target's profile, when it has one (src/contracts/projection.ts): cases are fingerprinted as the platform will hold them, and held when they lack a field it requires. */
  readonly projection?: (() => TargetProjection) | undefined
  readonly ledger: Ledger
  readonly queue: Queue<PushJobData>
  readonly batchSize: number
  readonly logger: Logger
  readonly onPage?: (summary: PageSummary) => void
  /** Back-pressure: how many of the agency's cases may be on their way at once (none: no limit). */
  readonly window?: DeliveryWindow
  /** The pull lock held for this pull: versions are numbered only while it is still ours. */
  readonly lease?: PullLease
}

export interface PageSummary {
  readonly agencyId: string
  readonly page: number
  readonly records: number
  readonly valid: number
  readonly changed: number
  readonly quarantined: number
  readonly skipped: number
  readonly jobs: number
}

export interface PullSummary { readonly pages: number; readonly records: number; readonly changed: number; readonly quarantined: number; readonly skipped: number }

/**
 * One incremental pull of one agency: every page since the stored cursor is mapped,
 * validated, compared with the ledger, and its changed cases enqueued for delivery.
 *
 * THE CURSOR RULE — a source cursor moves forward only after the records it covers are
 * durably recorded. It is enforced here, by the order of the two awaits in the loop:
 *   1. `enqueueVersions` — the page's changed cases are numbered (their version sequence,
 *      allocated while the pull lock is still ours) and in the push queue (Redis);
 *   2. `ledger.commitPage` — in ONE MULTI: the versions now enqueued ("seen"), quarantine
 *      changes, counters, and LAST the new cursor.
 * A crash before 2 replays the page from the old cursor: its jobs are enqueued again
 * under the same job ids (no-op while they exist, and the platform suppresses a repeated
 * idempotency key), and the ledger comparison skips whatever step 2 had recorded. A crash
 * after 2 loses nothing: the jobs were already in Redis. Nothing may write the cursor
 * anywhere else.
 */
export async function pullAgency (ctx: PullContext, signal: AbortSignal): Promise<PullSummary> {
  const totals = { pages: 0, records: 0, changed: 0, quarantined: 0, skipped: 0 }
  const start = await ctx.ledger.cursor(ctx.agencyId)
  for await (const page of ctx.source.pull(start, signal)) {
    crashPoint('pull.page-read')
    const mapping = ctx.mapping()
    const mapped = await mapPage(ctx.agencyId, mapping, page.records, page.origins, ctx.projection?.())
    crashPoint('pull.mapped')
    // Rows a file source could not read, and API items that are no record, are quarantined like records that failed mapping.
    const quarantined = [...mapped.quarantined, ...unreadableEntries(ctx.agencyId, mapping.version, page.unreadable ?? []), ...unreadableItemEntries(ctx.agencyId, mapping.version, page.unreadableItems ?? [])]
    const committed = await commitMapped(ctx, mapping, mapped, {
      quarantined,
      cursor: page.cursor,
      counts: { pulled: page.records.length, valid: mapped.valid.size, skipped: mapped.skipped, ...skipCounters(mapped) },
    }, signal)
    // Stopped while waiting for room: the page is not committed, the next pull replays it.
    if (committed === undefined) break
    const { candidates, changed, jobs } = committed

    totals.pages++
    totals.records += page.records.length
    totals.changed += changed.length
    totals.quarantined += quarantined.length
    totals.skipped += mapped.skipped
    for (const q of quarantined) {
      ctx.logger.warn({ agency: ctx.agencyId, caseNumber: q.caseNumber, record: q.recordKey, stage: q.stage, problems: q.problems, ...(q.origin === undefined ? {} : { origin: q.origin }) }, 'record quarantined')
    }
    ctx.onPage?.({ agencyId: ctx.agencyId, page: totals.pages, records: page.records.length, valid: candidates.length, changed: changed.length, quarantined: quarantined.length, skipped: mapped.skipped, jobs })
  }
  return totals
}

/** What {@link commitMapped} needs: where the agency's cases go and its ledger. */
export type DeliveryContext = Pick<PullContext, 'agencyId' | 'targetId' | 'ledger' | 'queue' | 'batchSize' | 'window' | 'lease'>

/**
 * Deliver a mapped page: compare its valid cases with the ledger, (1) enqueue the changed
 * ones, then (2) record them, the quarantine changes, the counters (plus `enqueued`) and
 * `cursor` in one ledger commit — THE CURSOR RULE above. Shared by pulls and by quarantine
 * re-processing (src/sync/reprocess-quarantine.ts), which passes `cursor: null` and the
 * quarantine keys its records had (`released`, besides the keys of the valid cases).
 * With a delivery window and a signal, it first waits for room, and gives `undefined`
 * without writing anything if the signal aborts meanwhile.
 */
export async function commitMapped (
  ctx: DeliveryContext, mapping: CompiledMapping, mapped: MappedPage,
  page: { readonly quarantined: readonly QuarantineEntry[]; readonly released?: readonly string[]; readonly cursor: string | null; readonly counts: Readonly<Record<string, number>> },
  signal?: AbortSignal,
): Promise<{ candidates: ValidCase[]; changed: PushItem[]; jobs: number } | undefined> {
  const candidates = [...mapped.valid.values()]
  const gapsOf = new Map(candidates.map(c => [c.caseNumber, c.gaps]))
  const caseOf = new Map(candidates.map(c => [c.caseNumber, c.case]))
  const numbers = candidates.map(c => c.caseNumber)
  const [seen, acked] = await Promise.all([ctx.ledger.seenVersions(ctx.agencyId, numbers), ctx.ledger.ackedVersions(ctx.agencyId, numbers)])
  const now = Date.now()
  const versions: VersionToDeliver[] = []
  // Unknown to `seen` but acknowledged in exactly this version: a page read again after a
  // crash before its commit, whose push had gone through. Recorded, not sent again.
  const delivered: { caseNumber: string; version: SeenVersion; gaps: readonly string[]; case: CanonicalCase }[] = []
  candidates.forEach((c, i) => {
    if (seen[i]?.fingerprint === c.fingerprint) return
    const ack = acked[i]
    if (seen[i] === undefined && ack?.fingerprint === c.fingerprint) {
      delivered.push({ caseNumber: c.caseNumber, version: { fingerprint: c.fingerprint, mappingVersion: mapping.version, firstSeenMs: now, sequence: ack.sequence }, gaps: c.gaps, case: c.case })
      return
    }
    versions.push({ caseNumber: c.caseNumber, fingerprint: c.fingerprint, firstSeenMs: now, case: c.case })
  })

  // Wait for room before anything is written (src/sync/delivery-window.ts); undefined if stopped meanwhile.
  if (versions.length > 0 && ctx.window !== undefined && signal !== undefined && !await ctx.window.room(ctx.agencyId, signal)) return undefined

  // (1) number and enqueue, then (2) record — see THE CURSOR RULE above.
  const agencyCode = versions[0]?.case.agency.code ?? ''
  const { items: changed, jobs, idempotencyKeys } = await enqueueVersions(ctx.queue, ctx.ledger, { agencyId: ctx.agencyId, agencyCode, targetId: ctx.targetId }, versions, { batchSize: ctx.batchSize, ...(ctx.lease === undefined ? {} : { lease: ctx.lease }) })
  crashPoint('pull.enqueued')
  const released = [...new Set([...candidates.map(c => c.recordKey), ...(page.released ?? [])])]
  const recorded = [...delivered.map(d => ({ caseNumber: d.caseNumber, sequence: d.version.sequence, fingerprint: d.version.fingerprint })), ...enqueuedOf(changed, idempotencyKeys)]
  await ctx.ledger.commitPage(ctx.agencyId, {
    seen: [...delivered, ...changed.map(c => ({ caseNumber: c.caseNumber, version: { fingerprint: c.fingerprint, mappingVersion: mapping.version, firstSeenMs: now, sequence: c.sequence }, gaps: gapsOf.get(c.caseNumber) ?? [], ...caseField(caseOf.get(c.caseNumber)) }))],
    quarantined: page.quarantined,
    released,
    cursor: page.cursor,
    counts: { ...page.counts, enqueued: changed.length },
    ...(ctx.ledger.tracing ? { trace: pageTrace(mapping, candidates, recorded, page.quarantined, released, page.cursor) } : {}),
  })
  crashPoint('pull.committed')
  return { candidates, changed, jobs }
}

/** The version's case for its page commit entry (the ledger records its transfer-risk facts), when known. */
function caseField (c: CanonicalCase | undefined): { case?: CanonicalCase } {
  return c === undefined ? {} : { case: c }
}
