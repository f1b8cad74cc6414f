import { Ledger } from '../../src/ledger/ledger.js'
import { TraceStore } from '../../src/trace/trace-store.js'
import type { TraceEvent } from '../../src/trace/trace-event.js'
import type { RedisClient } from '../../src/redis/redis-client.js'

/** What {@link traceCompleteness} found wrong; all empty when every trace is complete. */
export interface TraceGaps {
  /** Chain breaks (src/trace/trace-verify.ts), as "case#seq problem". */
  readonly breaks: string[]
  /** Cases whose trace lacks an event of a state the ledger committed, as "case: what". */
  readonly incomplete: string[]
  /** Cases with two events alike in everything but their place in the chain, as "case: kind". */
  readonly duplicated: string[]
}

const SENT = new Set(['enqueued', 'repaired', 'replayed'])

/**
 * Check the traces of `cases` against the ledger: every chain verifies; each case's
 * committed state has its events (the version last enqueued: its "mapped" fingerprint and
 * an event carrying its sequence; the version acknowledged: an "acknowledged" event with
 * its sequence); no event recorded twice (an attempt cut off by a crash before its outcome
 * was recorded may be missing: the ledger committed nothing for it).
 */
export async function traceCompleteness (redis: RedisClient, prefix: string, agencyId: string, cases: readonly string[]): Promise<TraceGaps> {
  const ledger = new Ledger(redis, prefix)
  const store = new TraceStore(redis, prefix)
  const breaks = (await store.verify(agencyId)).breaks.map(b => `${b.caseNumber}#${b.seq} ${b.problem}`)
  const incomplete: string[] = []
  const duplicated: string[] = []
  const [seen, acked] = await Promise.all([ledger.seenVersions(agencyId, cases), ledger.ackedVersions(agencyId, cases)])
  for (const [i, caseNumber] of cases.entries()) {
    const events = await store.events(agencyId, caseNumber)
    const s = seen[i]
    const a = acked[i]
    const has = (test: (e: TraceEvent) => boolean): boolean => events.some(test)
    if (s !== undefined) {
      if (!has(e => e.kind === 'mapped' && e.fingerprint === s.fingerprint) && !has(e => SENT.has(e.kind) && e.fingerprint === s.fingerprint)) incomplete.push(`${caseNumber}: no mapped event of the version enqueued last`)
      if (!has(e => (SENT.has(e.kind) || e.kind === 'acknowledged') && e.sequence === s.sequence)) incomplete.push(`${caseNumber}: no event of sequence ${s.sequence} (enqueued last)`)
    }
    if (a !== undefined && !has(e => e.kind === 'acknowledged' && e.sequence === a.sequence)) incomplete.push(`${caseNumber}: no acknowledged event of sequence ${a.sequence}`)
    const bodies = new Set<string>()
    for (const { seq: _seq, at: _at, prev: _prev, hash: _hash, ...rest } of events) {
      const body = JSON.stringify(rest)
      if (bodies.has(body)) duplicated.push(`${caseNumber}: ${rest.kind}`)
      bodies.add(body)
    }
  }
  return { breaks, incomplete, duplicated }
}
