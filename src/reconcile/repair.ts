import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { Ledger } from '../ledger/ledger.js'
import { enqueuePushJobs, type PushItem, type PushJobData } from '../delivery/push-job.js'
import { mapPage } from '../sync/map-records.js'
import { appendAudit } from '../admin/audit-stream.js'
import type { FindingKind, RepairSummary } from './findings.js'
import { prefetched } from './prefetch.js'

export interface RepairDeps {
  readonly agencyId: string
  readonly targetId: string
  readonly source: SourceAdapter
  readonly mapping: () => CompiledMapping
  readonly ledger: Ledger
  readonly queue: Queue<PushJobData>
  readonly batchSize: number
  readonly redis: Redis
  readonly keyPrefix: string
  readonly logger: Logger
}

/**
 * Re-send the repairable cases through the normal push queue. The ledger keeps only
 * fingerprints, so the canonical version comes from the source, read again through the
 * current mapping — the version the platform should hold. Order as in the cursor rule:
 * enqueue first, then record in the ledger (a crash in between re-sends at worst).
 * The jobs carry the run id, so the platform treats them as new deliveries rather than
 * replays of what it once acknowledged. Each re-sent case is written to the audit stream.
 * Orphans are never touched: nothing here deletes anything on the platform.
 */
export async function repairCases (deps: RepairDeps, wanted: Map<string, FindingKind>, runId: string, signal: AbortSignal, onRecords: (n: number) => void = () => {}): Promise<RepairSummary> {
  const total = wanted.size
  if (total === 0) return { enqueued: 0, byKind: {}, notRepaired: 0, notes: [] }
  if (deps.source.listAll === undefined) {
    return { enqueued: 0, byKind: {}, notRepaired: total, notes: ['the source has no full listing, so the canonical versions cannot be read again: re-pull the agency from the start to re-send them'] }
  }
  const left = new Map(wanted)
  const byKind: Partial<Record<FindingKind, number>> = {}
  let enqueued = 0
  for await (const page of prefetched(deps.source.listAll(signal))) {
    if (signal.aborted) break
    onRecords(page.length)
    const mapping = deps.mapping()
    const now = Date.now()
    const items: PushItem[] = []
    for (const c of (await mapPage(deps.agencyId, mapping, page)).valid.values()) {
      if (!left.has(c.caseNumber)) continue
      items.push({ caseNumber: c.caseNumber, fingerprint: c.fingerprint, firstSeenMs: now, case: c.case })
    }
    if (items.length === 0) continue
    const agencyCode = items[0]?.case.agency.code ?? ''
    await enqueuePushJobs(deps.queue, { agencyId: deps.agencyId, agencyCode, targetId: deps.targetId, resend: runId }, items, deps.batchSize)
    await deps.ledger.recordResent(deps.agencyId, items.map(i => ({ caseNumber: i.caseNumber, version: { fingerprint: i.fingerprint, mappingVersion: mapping.version, firstSeenMs: now } })))
    const when = new Date(now).toISOString()
    await Promise.all(items.map(async item => {
      const kind = left.get(item.caseNumber) as FindingKind
      left.delete(item.caseNumber)
      byKind[kind] = (byKind[kind] ?? 0) + 1
      await appendAudit(deps.redis, deps.keyPrefix, {
        who: 'reconciler', what: 'reconcile.repair', target: deps.agencyId, result: 'ok', when,
        detail: { runId, caseNumber: item.caseNumber, kind, fingerprint: item.fingerprint },
      })
    }))
    enqueued += items.length
  }
  const notes = left.size === 0 ? [] : [`${left.size} repairable cases are no longer valid cases at the source (deleted or invalid now) and were not re-sent`]
  deps.logger.info({ agency: deps.agencyId, runId, enqueued, byKind, notRepaired: left.size }, 'reconciliation repair: cases re-sent through the push queue')
  return { enqueued, byKind, notRepaired: left.size, notes }
}
