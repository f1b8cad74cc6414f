import type { Queue } from 'bullmq'
import type { Logger } from 'pino'
import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { Ledger } from '../ledger/ledger.js'
import { enqueuePushJobs, type PushItem, type PushJobData } from '../delivery/push-job.js'
import { mapRecords } from './map-records.js'

export interface PullContext {
  readonly agencyId: string
  readonly targetId: string
  readonly source: SourceAdapter
  readonly mapping: () => CompiledMapping
  readonly ledger: Ledger
  readonly queue: Queue<PushJobData>
  readonly batchSize: number
  readonly logger: Logger
  readonly onPage?: (summary: PageSummary) => void
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
 *   1. `enqueuePushJobs` — the page's changed cases are in the push queue (Redis);
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
    const mapping = ctx.mapping()
    const mapped = mapRecords(ctx.agencyId, mapping, page.records)
    const candidates = [...mapped.valid.values()]
    const seen = await ctx.ledger.seenVersions(ctx.agencyId, candidates.map(c => c.caseNumber))
    const now = Date.now()
    const changed: PushItem[] = []
    candidates.forEach((c, i) => {
      const before = seen[i]
      if (before?.fingerprint === c.fingerprint) return
      changed.push({ caseNumber: c.caseNumber, fingerprint: c.fingerprint, firstSeenMs: now, case: c.case })
    })

    // (1) enqueue, then (2) record — see THE CURSOR RULE above.
    const agencyCode = changed[0]?.case.agency.code ?? ''
    const jobs = await enqueuePushJobs(ctx.queue, { agencyId: ctx.agencyId, agencyCode, targetId: ctx.targetId }, changed, ctx.batchSize)
    await ctx.ledger.commitPage(ctx.agencyId, {
      seen: changed.map(c => ({ caseNumber: c.caseNumber, version: { fingerprint: c.fingerprint, mappingVersion: mapping.version, firstSeenMs: now } })),
      quarantined: mapped.quarantined,
      released: candidates.map(c => c.recordKey),
      cursor: page.cursor,
      counts: { pulled: page.records.length, valid: candidates.length, skipped: mapped.skipped, enqueued: changed.length },
    })

    totals.pages++
    totals.records += page.records.length
    totals.changed += changed.length
    totals.quarantined += mapped.quarantined.length
    totals.skipped += mapped.skipped
    for (const q of mapped.quarantined) {
      ctx.logger.warn({ agency: ctx.agencyId, caseNumber: q.caseNumber, record: q.recordKey, stage: q.stage, problems: q.problems }, 'record quarantined')
    }
    ctx.onPage?.({ agencyId: ctx.agencyId, page: totals.pages, records: page.records.length, valid: candidates.length, changed: changed.length, quarantined: mapped.quarantined.length, skipped: mapped.skipped, jobs })
  }
  return totals
}
