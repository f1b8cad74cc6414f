import type { RedisClient } from '../redis/redis-client.js'
import type { AgencyKeys } from './keys.js'
import { LeafDigests, LEAF_COUNT } from './bucket-digest.js'
import { decodeAcked, decodeSeen, type AckedVersion, type SeenVersion } from './entries.js'

/** A bucket prefix as a ZRANGEBYLEX range over "leaf:caseNumber" members ('~' sorts after hex digits and ':'). */
function lexRange (prefix: string): [string, string] {
  return [`[${prefix}`, `(${prefix}~`]
}

const CHUNK = 1000

/**
 * The reconciler's reads of one agency's ledger. Nothing here scans the whole ledger:
 * digests are kept per leaf bucket, cases are listed per bucket prefix from the bucket
 * index, and stale or late candidates come from sorted indexes by time.
 */
export class LedgerView {
  /** Made by the ledger (Ledger.reconcileView), which owns the keys. */
  constructor (private readonly redis: RedisClient, private readonly keys: AgencyKeys) {}

  /** The ledger's leaf digests of acknowledged versions (one HGETALL, at most 65,536 fields). */
  async leafDigests (): Promise<LeafDigests> {
    const digests = new LeafDigests()
    const raw = await this.redis.hgetall(this.keys.digest)
    for (const [leaf, value] of Object.entries(raw)) {
      const index = Number.parseInt(leaf, 16)
      const colon = value.indexOf(':')
      if (!(index >= 0 && index < LEAF_COUNT) || colon < 0) continue
      digests.add(index, Number(value.slice(0, colon)), Number(value.slice(colon + 1)))
    }
    return digests
  }

  /** Cases the ledger knows whose bucket starts with `prefix`, as [leaf index, caseNumber]. */
  async members (prefix: string): Promise<[number, string][]> {
    const [min, max] = lexRange(prefix)
    const out: [number, string][] = []
    for (let offset = 0; ; offset += 10 * CHUNK) {
      const page = await this.redis.zrangebylex(this.keys.bucketIndex, min, max, 'LIMIT', offset, 10 * CHUNK)
      for (const member of page) {
        const colon = member.indexOf(':')
        out.push([Number.parseInt(member.slice(0, colon), 16), member.slice(colon + 1)])
      }
      if (page.length < 10 * CHUNK) return out
    }
  }

  async knownCount (): Promise<number> {
    return await this.redis.zcard(this.keys.bucketIndex)
  }

  /**
   * Seen and acknowledged versions of the given cases, in order. Every chunk is sent at
   * once (one round trip, not one per chunk: a partition of a million-case agency is
   * about 4,000 cases).
   */
  async versions (caseNumbers: readonly string[]): Promise<{ seen: (SeenVersion | undefined)[]; acked: (AckedVersion | undefined)[] }> {
    const chunks: Promise<[(string | null)[], (string | null)[]]>[] = []
    for (let i = 0; i < caseNumbers.length; i += CHUNK) {
      const chunk = caseNumbers.slice(i, i + CHUNK)
      chunks.push(Promise.all([this.redis.hmget(this.keys.seen, ...chunk), this.redis.hmget(this.keys.acked, ...chunk)]))
    }
    const seen: (SeenVersion | undefined)[] = []
    const acked: (AckedVersion | undefined)[] = []
    for (const [s, a] of await Promise.all(chunks)) {
      for (const text of s) seen.push(decodeSeen(text))
      for (const text of a) acked.push(decodeAcked(text))
    }
    return { seen, acked }
  }

  /**
   * Pending changes first seen before `beforeMs` whose last enqueued version really is not
   * acknowledged, as (caseNumber, firstSeenMs), oldest first, in chunks. Entries whose
   * version is acknowledged (left behind by a crash between write and cleanup) are removed
   * on the way, so they count neither here nor in the lag.
   */
  async * pendingBefore (beforeMs: number): AsyncIterable<[string, number][]> {
    let offset = 0
    for (;;) {
      const flat = await this.redis.zrangebyscore(this.keys.pending, '-inf', `(${beforeMs}`, 'WITHSCORES', 'LIMIT', offset, CHUNK)
      if (flat.length === 0) return
      const page: [string, number][] = []
      for (let i = 0; i < flat.length; i += 2) page.push([flat[i] as string, Number(flat[i + 1])])
      const settled = await dropSettledPending(this.redis, this.keys, page.map(([cn]) => cn))
      yield page.filter(([cn]) => !settled.includes(cn))
      offset += page.length - settled.length
      if (flat.length < 2 * CHUNK) return
    }
  }

  /**
   * First acknowledgements of decided versions recorded after the decision-log entry
   * `afterId` ('0-0': from the start), in the order the ledger recorded them, as
   * { id, entries: [caseNumber, decidedIso, ackedAtMs][] } chunks. Ids are assigned by Redis
   * at write time, so reading on from the last id judged sees every acknowledgement once —
   * including one written while the previous run read, with a timestamp before that run.
   */
  async * decisionLog (afterId: string): AsyncIterable<{ lastId: string; entries: [string, string, number][] }> {
    let from = `(${afterId}`
    for (;;) {
      const page = await this.redis.xrange(this.keys.decisionLog, from, '+', 'COUNT', CHUNK)
      if (page.length === 0) return
      const entries: [string, string, number][] = []
      for (const [, fields] of page) {
        const f: Record<string, string> = {}
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string
        if (f.c !== undefined) entries.push([f.c, f.d ?? '', Number(f.a ?? 0)])
      }
      const lastId = (page.at(-1) as [string, string[]])[0]
      yield { lastId, entries }
      if (page.length < CHUNK) return
      from = `(${lastId}`
    }
  }

  /** Drop the decision-log entries up to and including `id`: judged by a run that completed. */
  async trimDecisionLog (id: string): Promise<void> {
    const [ms, seq] = id.split('-')
    if (ms === undefined || seq === undefined || id === '0-0') return
    await this.redis.xtrim(this.keys.decisionLog, 'MINID', `${ms}-${BigInt(seq) + 1n}`)
  }
}

/**
 * Of these pending case numbers, the ones whose last enqueued version is acknowledged
 * (left behind by a crash between the acknowledgement and its cleanup) are taken out of
 * the pending index and returned: they hold up neither the lag nor the stale rule.
 */
export async function dropSettledPending (redis: RedisClient, keys: Pick<AgencyKeys, 'seen' | 'acked' | 'pending'>, caseNumbers: readonly string[]): Promise<string[]> {
  if (caseNumbers.length === 0) return []
  const [seen, acked] = await Promise.all([redis.hmget(keys.seen, ...caseNumbers), redis.hmget(keys.acked, ...caseNumbers)])
  const settled = caseNumbers.filter((_, i) => acked[i] != null && decodeSeen(seen[i])?.fingerprint === decodeAcked(acked[i])?.fingerprint)
  if (settled.length > 0) await redis.zrem(keys.pending, ...settled)
  return settled
}
