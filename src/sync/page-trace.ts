import type { CompiledMapping } from '../mapping/types.js'
import type { ValidCase } from '../pipeline/map-records.js'
import type { QuarantineEntry } from '../ledger/entries.js'
import type { PushItem } from '../delivery/push-job.js'
import type { PageCommit } from '../ledger/ledger.js'
import { contentHash, type TraceEventInput } from '../trace/trace-event.js'

/** Cursors longer than this are named by their hash in the trace. */
const MAX_CURSOR_CHARS = 200

/** Where a record came from, as the trace names it: file and line, or the cursor of the page. */
function originOf (c: { origin?: { file: string; line: number } | undefined }, cursor: string | null): Record<string, unknown> {
  if (c.origin !== undefined) return { origin: { file: c.origin.file, line: c.origin.line } }
  if (cursor === null) return {}
  return { origin: cursor.length <= MAX_CURSOR_CHARS ? { cursor } : { cursorHash: contentHash(cursor) } }
}

/**
 * The trace events of one page commit (src/trace): for each version the commit records,
 * seen (raw content hash, origin), mapped (mapping version, fingerprint, missing, absent
 * and derived fields) and enqueued (sequence, idempotency key) — not enqueued for a version found
 * already delivered; quarantined for each entry with a case number (stage, the fields and
 * rules that failed, never their values); released for each record key leaving quarantine
 * (written only if it was there). Hashes and names only: no value of a case.
 */
export function pageTrace (
  mapping: CompiledMapping, candidates: readonly ValidCase[],
  recorded: readonly { caseNumber: string; sequence: number; fingerprint: string; idempotencyKey?: string | undefined }[],
  quarantined: readonly QuarantineEntry[], released: readonly string[], cursor: string | null,
): NonNullable<PageCommit['trace']> {
  const byCase = new Map(candidates.map(c => [c.caseNumber, c]))
  const events: TraceEventInput[] = []
  for (const r of recorded) {
    const c = byCase.get(r.caseNumber)
    events.push({ caseNumber: r.caseNumber, kind: 'seen', details: { rawHash: c?.raw === undefined ? undefined : contentHash(c.raw), ...(c === undefined ? {} : originOf(c, cursor)) } })
    const missing = c?.gaps ?? []
    // Derived fields (the mapping's derive:, true by construction) are named with their rule: the trace says which values the source did not give.
    const derived = c?.case.derived?.map(d => ({ field: d.field, rule: d.rule })) ?? []
    events.push({ caseNumber: r.caseNumber, kind: 'mapped', details: { mappingVersion: mapping.version, fingerprint: r.fingerprint, missing, absent: missing.filter(f => mapping.absentFields.has(f)), ...(derived.length === 0 ? {} : { derived }) } })
    if (r.idempotencyKey !== undefined) events.push({ caseNumber: r.caseNumber, kind: 'enqueued', details: { sequence: r.sequence, idempotencyKey: r.idempotencyKey } })
  }
  for (const q of quarantined) {
    if (q.caseNumber === undefined || q.caseNumber === '') continue
    events.push({
      caseNumber: q.caseNumber,
      kind: 'quarantined',
      details: { stage: q.stage, recordKey: q.recordKey, mappingVersion: q.mappingVersion, rawHash: contentHash(q.raw), problems: q.problems.map(p => ({ field: p.canonicalField, rule: p.rule })), ...originOf(q, cursor) },
    })
  }
  const caseOfKey = new Map(candidates.map(c => [c.recordKey, c.caseNumber]))
  const releasedEvents = released.flatMap(recordKey => {
    const caseNumber = caseOfKey.get(recordKey) ?? (recordKey.startsWith('#') ? undefined : recordKey)
    return caseNumber === undefined ? [] : [{ recordKey, event: { caseNumber, kind: 'released' as const, details: { recordKey } } }]
  })
  return { events, released: releasedEvents }
}

/** Changed items with their idempotency keys, for {@link pageTrace}. */
export function enqueuedOf (items: readonly PushItem[], keys: readonly string[]): { caseNumber: string; sequence: number; fingerprint: string; idempotencyKey: string | undefined }[] {
  return items.map((i, n) => ({ caseNumber: i.caseNumber, sequence: i.sequence, fingerprint: i.fingerprint, idempotencyKey: keys[n] }))
}
