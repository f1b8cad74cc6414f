import { SAMPLE_SIZE, type FindingSummary } from './findings.js'
import type { LedgerView } from '../ledger/reconcile-view.js'

const DAY_MS = 86_400_000
const OFFSET = /(Z|[+-]\d{2}:\d{2})$/

/**
 * When a decision becomes late: the end of the N-th day after the decision date, in the
 * decision's own UTC offset (decided 2024-03-01, deadline 7 days: on time until
 * 2024-03-08 24:00 local). NaN when the date cannot be read.
 */
export function entryDeadlineMs (decidedIso: string, deadlineDays: number): number {
  const offset = OFFSET.exec(decidedIso)?.[1]
  if (offset === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(decidedIso)) return Number.NaN
  return Date.parse(`${decidedIso.slice(0, 10)}T00:00:00${offset}`) + (deadlineDays + 1) * DAY_MS
}

/** 迟录, for one decision: first acknowledged after its deadline, unless decided before `from` (YYYY-MM-DD: back-filled history). */
export function isLateEntry (decidedIso: string, ackedAtMs: number, deadlineDays: number, from: string | undefined): boolean {
  if (from !== undefined && decidedIso.slice(0, 10) < from) return false
  return ackedAtMs > entryDeadlineMs(decidedIso, deadlineDays)
}

/**
 * 迟录: decisions whose first acknowledgement by the platform came after their deadline,
 * among the acknowledgements the ledger recorded after decision-log entry `afterId` — the
 * last one the previous successful reconciliation judged. Each late entry is reported by
 * exactly one run; the alarm stays until none has been found for `lateEntryWindowSeconds`
 * (src/reconcile/reconcile-agency.ts). Decisions before `from` (YYYY-MM-DD) are history
 * being back-filled, not late entries. `lastId` is where the next run reads on (unchanged
 * when nothing new was recorded).
 */
export async function lateEntries (ledger: LedgerView, afterId: string, deadlineDays: number, from: string | undefined): Promise<FindingSummary & { lastId: string }> {
  let count = 0
  let lastId = afterId
  const samples: string[] = []
  for await (const chunk of ledger.decisionLog(afterId)) {
    lastId = chunk.lastId
    for (const [caseNumber, decided, ackedAtMs] of chunk.entries) {
      if (!isLateEntry(decided, ackedAtMs, deadlineDays, from)) continue
      count++
      if (samples.length < SAMPLE_SIZE) samples.push(caseNumber)
    }
  }
  return { count, samples, lastId }
}

/** Changes first seen before `beforeMs` and still not acknowledged: the hub knows them, the platform does not confirm them. */
export async function staleChanges (ledger: LedgerView, beforeMs: number): Promise<FindingSummary> {
  let count = 0
  const samples: string[] = []
  for await (const chunk of ledger.pendingBefore(beforeMs)) {
    count += chunk.length
    for (const [caseNumber] of chunk) if (samples.length < SAMPLE_SIZE) samples.push(caseNumber)
  }
  return { count, samples }
}
