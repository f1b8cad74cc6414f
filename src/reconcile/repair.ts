import type { Queue } from 'bullmq'
import type { RedisClient } from '../redis/redis-client.js'
import type { Logger } from 'pino'
import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { Ledger } from '../ledger/ledger.js'
import { enqueueVersions, type PushJobData, type VersionToDeliver } from '../delivery/push-job.js'
import type { PullLease } from '../ledger/ledger.js'
import { mapPage } from '../pipeline/map-records.js'
import type { TargetProjection } from '../contracts/projection.js'
import { appendAudit } from '../audit/audit-stream.js'
import type { FindingKind, RepairSummary } from './findings.js'
import { prefetched } from './prefetch.js'

export interface RepairDeps {
  readonly agencyId: string
  readonly targetId: string
  readonly source: SourceAdapter
  readonly mapping: () => CompiledMapping
  /** The target's profile, when it has one: repairs are fingerprinted as the platform will hold them. */
  readonly projection?: (() => TargetProjection) | undefined
  readonly ledger: Ledger
  readonly queue: Queue<PushJobData>
  readonly batchSize: number
  readonly redis: RedisClient
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
 *
 * It runs under the agency's pull lock, like a pull: the versions it reads are numbered as
 * the newest (src/ledger/version-order.ts), which is true only if no pull reads a newer one
 * between this read and that numbering.
 */
export async function repairCases (deps: RepairDeps, wanted: Map<string, FindingKind>, runId: string, signal: AbortSignal, onRecords: (n: number) => void = () => {}, how: RepairMode = REPAIR): Promise<RepairSummary> {
  const total = wanted.size
  if (total === 0) return { enqueued: 0, byKind: {}, notRepaired: 0, notes: [] }
  const listAll = deps.source.listAll?.bind(deps.source)
  if (listAll === undefined) {
    return { enqueued: 0, byKind: {}, notRepaired: total, notes: ['the source has no full listing, so the canonical versions cannot be read again: re-pull the agency from the start to re-send them'] }
  }
  const locked = await deps.ledger.withPullLockWaiting(deps.agencyId, REPAIR_LOCK_TTL_MS, REPAIR_LOCK_WAIT_MS, async lease => await repairLocked(deps, listAll, wanted, runId, signal, onRecords, lease, how))
  if (locked === undefined) return { enqueued: 0, byKind: {}, notRepaired: total, notes: [`the agency was being pulled for more than ${REPAIR_LOCK_WAIT_MS / 1000} s, so nothing was re-sent: repair again`] }
  return locked.value
}

/**
 * A repair (a reconciliation's finding: trace event "repaired", each case audited as the
 * reconciler's) or an operator's replay of cases (trace event "replayed"; the admin route
 * audits the request itself).
 */
export interface RepairMode { readonly traceKind: 'repaired' | 'replayed'; readonly auditEach: boolean }
const REPAIR: RepairMode = { traceKind: 'repaired', auditEach: true }
export const REPLAY: RepairMode = { traceKind: 'replayed', auditEach: false }

/** The pull lock's lifetime while a repair holds it (renewed), and how long a repair waits for a running pull. */
const REPAIR_LOCK_TTL_MS = 10_000
const REPAIR_LOCK_WAIT_MS = 120_000

async function repairLocked (deps: RepairDeps, listAll: NonNullable<SourceAdapter['listAll']>, wanted: Map<string, FindingKind>, runId: string, signal: AbortSignal, onRecords: (n: number) => void, lease: PullLease, how: RepairMode): Promise<RepairSummary> {
  const left = new Map(wanted)
  const byKind: Partial<Record<FindingKind, number>> = {}
  let enqueued = 0
  for await (const page of prefetched(listAll(signal))) {
    if (signal.aborted) break
    onRecords(page.length)
    const mapping = deps.mapping()
    const now = Date.now()
    const versions: VersionToDeliver[] = []
    for (const c of (await mapPage(deps.agencyId, mapping, page, undefined, deps.projection?.())).valid.values()) {
      if (!left.has(c.caseNumber)) continue
      versions.push({ caseNumber: c.caseNumber, fingerprint: c.fingerprint, firstSeenMs: now, case: c.case })
    }
    if (versions.length === 0) continue
    const agencyCode = versions[0]?.case.agency.code ?? ''
    const { items, idempotencyKeys } = await enqueueVersions(deps.queue, deps.ledger, { agencyId: deps.agencyId, agencyCode, targetId: deps.targetId, resend: runId }, versions, { batchSize: deps.batchSize, lease })
    await deps.ledger.recordResent(deps.agencyId, items.map((i, n) => ({
      caseNumber: i.caseNumber,
      version: { fingerprint: i.fingerprint, mappingVersion: mapping.version, firstSeenMs: now, sequence: i.sequence },
      trace: { runId, ...(how.auditEach ? { finding: left.get(i.caseNumber) } : {}), idempotencyKey: idempotencyKeys[n] },
    })), how.traceKind)
    const when = new Date(now).toISOString()
    await Promise.all(items.map(async item => {
      const kind = left.get(item.caseNumber) as FindingKind
      left.delete(item.caseNumber)
      byKind[kind] = (byKind[kind] ?? 0) + 1
      if (!how.auditEach) return
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
