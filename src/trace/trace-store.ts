import { createHash } from 'node:crypto'
import type { RedisClient } from '../redis/redis-client.js'
import { claimTick } from '../redis/claim-tick.js'
import { TRACE_ALG } from './trace-event.js'
import type { TraceEvent } from './trace-event.js'
import { traceKeys, type TraceKeys } from './trace-keys.js'
import { verifyChain, type ChainBreak, type StoredChain } from './trace-verify.js'

/** What a verification of an agency's traces found. */
export interface TraceVerification { readonly cases: number; readonly events: number; readonly breaks: readonly ChainBreak[] }

/** What one retention pass did. */
export interface PruneResult { readonly cases: number; readonly pruned: number; readonly done: boolean; readonly cursor: string }

/** Retention limits: events older than `retentionDays`, and beyond the newest `maxEventsPerCase` of a case, go. */
export interface TraceRetention { readonly retentionDays: number; readonly maxEventsPerCase: number }

/**
 * Drop the oldest events of a batch of cases past the limits, keeping for each case the
 * last one dropped as its anchor (so the kept events still verify). KEYS: head, anchor,
 * then each case's events. ARGV: cutoffMs, maxEvents, then the case numbers. At most 1,000
 * events of a case and 5,000 in all are dropped a call, so no call blocks long; a later pass
 * takes the rest.
 * Returns how many were dropped.
 */
const PRUNE = `
local cutoff, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local total = 0
for c = 3, #ARGV do
  if total >= 5000 then break end
  local key, cn = KEYS[c], ARGV[c]
  local n = redis.call('LLEN', key)
  local dropped, last = 0, nil
  while n > 0 and dropped < 1000 do
    local first = redis.call('LINDEX', key, 0)
    local at = tonumber(string.match(first, '"at":(%d+)'))
    if n <= max and at >= cutoff then break end
    redis.call('LPOP', key)
    last = first
    dropped = dropped + 1
    n = n - 1
  end
  if last then
    local seq = string.match(last, '^{"seq":(%d+)')
    local hash = string.match(last, '"hash":"(%x+)"}$')
    redis.call('HSET', KEYS[2], cn, seq .. '|' .. hash)
  end
  total = total + dropped
end
return total
`

interface PruneCommands { cbTracePrune (numKeys: number, ...args: (string | number)[]): Promise<number> }

/** Cases read per round by verification and retention: small, so no round blocks Redis long. */
const BATCH = 100

/**
 * Reading, verifying and pruning the agencies' traces (writing is {@link appendTraceIn},
 * inside the MULTI of the state change). Owns the trace keys (src/trace/trace-keys.ts).
 */
export class TraceStore {
  constructor (private readonly redis: RedisClient, private readonly prefix: string) {
    const marked = redis as RedisClient & { casebridgeTracePrune?: true }
    if (marked.casebridgeTracePrune !== true) {
      redis.defineCommand('cbTracePrune', { lua: PRUNE })
      marked.casebridgeTracePrune = true
    }
  }

  keysOf (agencyId: string): TraceKeys {
    return traceKeys(this.prefix, agencyId)
  }

  /** A case's events, oldest first (after a pruned prefix: see {@link anchorOf}). */
  async events (agencyId: string, caseNumber: string): Promise<TraceEvent[]> {
    const texts = await this.redis.lrange(this.keysOf(agencyId).events(caseNumber), 0, -1)
    return texts.map(text => JSON.parse(text) as TraceEvent)
  }

  /** A case's chain as stored (events, head, anchor), read in one MULTI. */
  async chain (agencyId: string, caseNumber: string): Promise<StoredChain> {
    const k = this.keysOf(agencyId)
    const replies = await this.redis.multi().hget(k.head, caseNumber).hget(k.anchor, caseNumber).lrange(k.events(caseNumber), 0, -1).exec() ?? []
    const head = replies[0]?.[1] as string | null
    const anchor = replies[1]?.[1] as string | null
    return { caseNumber, texts: (replies[2]?.[1] ?? []) as string[], head: head ?? undefined, anchor: anchor ?? undefined }
  }

  /** The last pruned event of a case (seq and hash), if retention pruned any. */
  async anchorOf (agencyId: string, caseNumber: string): Promise<{ seq: number; hash: string } | undefined> {
    const pair = await this.redis.hget(this.keysOf(agencyId).anchor, caseNumber)
    if (pair === null) return undefined
    const bar = pair.indexOf('|')
    return { seq: Number(pair.slice(0, bar)), hash: pair.slice(bar + 1) }
  }

  /**
   * Re-compute every chain of the agency, a batch of cases at a time (each batch read in
   * one MULTI, so a chain is never read half-appended). Breaks name the case and the event.
   */
  async verify (agencyId: string): Promise<TraceVerification> {
    const k = this.keysOf(agencyId)
    const breaks: ChainBreak[] = []
    let cases = 0
    let events = 0
    let cursor = '0'
    do {
      const [next, flat] = await this.redis.hscan(k.head, cursor, 'COUNT', BATCH)
      cursor = next
      const numbers = flat.filter((_, i) => i % 2 === 0)
      if (numbers.length === 0) continue
      const tx = this.redis.multi()
      for (const cn of numbers) tx.hget(k.head, cn).hget(k.anchor, cn).lrange(k.events(cn), 0, -1)
      const replies = await tx.exec() ?? []
      numbers.forEach((caseNumber, i) => {
        const head = replies[i * 3]?.[1] as string | null
        const anchor = replies[i * 3 + 1]?.[1] as string | null
        const texts = (replies[i * 3 + 2]?.[1] ?? []) as string[]
        cases++
        events += texts.length
        const broken = verifyChain({ caseNumber, texts, head: head ?? undefined, anchor: anchor ?? undefined })
        if (broken !== undefined) breaks.push(broken)
      })
    } while (cursor !== '0')
    return { cases, events, breaks }
  }

  /**
   * The agency's anchor digest: SM3 over every case's head ("case TAB seq|hash" lines,
   * sorted), so whoever keeps the daily digests can tell that history was rewritten even
   * without the chains. Reads the heads by HSCAN; holds one line a case in memory.
   */
  async digest (agencyId: string): Promise<{ cases: number; digest: string; alg: string }> {
    const k = this.keysOf(agencyId)
    const lines: string[] = []
    let cursor = '0'
    do {
      const [next, flat] = await this.redis.hscan(k.head, cursor, 'COUNT', 1000)
      cursor = next
      for (let i = 0; i + 1 < flat.length; i += 2) lines.push(`${flat[i]}\t${flat[i + 1]}`)
    } while (cursor !== '0')
    const hash = createHash(TRACE_ALG)
    for (const line of [...new Set(lines)].sort()) hash.update(line).update('\n')
    return { cases: new Set(lines).size, digest: hash.digest('hex'), alg: TRACE_ALG }
  }

  /** Claim today's anchor digest of the agency for this process (true once per UTC day across hub processes). */
  async claimDigestDay (agencyId: string, nowMs = Date.now()): Promise<boolean> {
    return await claimTick(this.redis, this.keysOf(agencyId).digestTick, Math.floor(nowMs / 86_400_000) * 86_400_000, 86_400_000)
  }

  /**
   * One incremental retention pass over up to `maxCases` of the agency's cases from
   * `cursor` ('0': the start): HSCAN in small batches, one short script per batch. Call again
   * with the returned cursor until `done`.
   */
  async prune (agencyId: string, limits: TraceRetention, cursor = '0', maxCases = 1000, nowMs = Date.now()): Promise<PruneResult> {
    const k = this.keysOf(agencyId)
    const cutoff = nowMs - limits.retentionDays * 86_400_000
    const client = this.redis as RedisClient & PruneCommands
    let cases = 0
    let pruned = 0
    do {
      const [next, flat] = await this.redis.hscan(k.head, cursor, 'COUNT', BATCH)
      cursor = next
      // One script call for the whole HSCAN batch (about 100 cases).
      const numbers = flat.filter((_, i) => i % 2 === 0)
      cases += numbers.length
      if (numbers.length > 0) pruned += Number(await client.cbTracePrune(2 + numbers.length, k.head, k.anchor, ...numbers.map(cn => k.events(cn)), cutoff, limits.maxEventsPerCase, ...numbers))
    } while (cursor !== '0' && cases < maxCases)
    return { cases, pruned, done: cursor === '0', cursor }
  }
}
