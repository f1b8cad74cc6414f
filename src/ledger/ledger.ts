import type { Redis } from 'ioredis'
import { agencyKeys, type AgencyKeys } from './keys.js'
import { decodeSeen, encodeSeen, type DeadLetterEntry, type QuarantineEntry, type SeenVersion } from './entries.js'

export interface PageCommit {
  readonly seen: readonly { caseNumber: string; version: SeenVersion }[]
  readonly quarantined: readonly QuarantineEntry[]
  /** Record keys that are valid now and leave quarantine. */
  readonly released: readonly string[]
  readonly cursor: string | null
  readonly counts: Readonly<Record<string, number>>
}

export interface AgencyCounters {
  pulled: number
  valid: number
  skipped: number
  quarantined: number
  enqueued: number
  pushed: number
  deadLettered: number
  lastPullAt?: string
  lastPullOkAt?: string
}

/**
 * What the hub remembers per agency, in Redis: the version of each case last enqueued
 * ("seen") and last acknowledged ("acked"), the source cursor, quarantine, dead letters
 * and counters. Holds no connection of its own; the hub passes its client.
 */
export class Ledger {
  constructor (private readonly redis: Redis, private readonly prefix: string) {}

  keys (agencyId: string): AgencyKeys {
    return agencyKeys(this.prefix, agencyId)
  }

  async cursor (agencyId: string): Promise<string | null> {
    return await this.redis.get(this.keys(agencyId).cursor)
  }

  async seenVersions (agencyId: string, caseNumbers: readonly string[]): Promise<(SeenVersion | undefined)[]> {
    if (caseNumbers.length === 0) return []
    const values = await this.redis.hmget(this.keys(agencyId).seen, ...caseNumbers)
    return values.map(decodeSeen)
  }

  /**
   * Record one processed page in a single MULTI: which versions are now enqueued, what went
   * to or left quarantine, the counters — and, last, the cursor. The caller enqueues the
   * page's push jobs BEFORE calling this; see the cursor rule in src/sync/pull-agency.ts.
   */
  async commitPage (agencyId: string, commit: PageCommit): Promise<void> {
    const k = this.keys(agencyId)
    const tx = this.redis.multi()
    if (commit.seen.length > 0) tx.hset(k.seen, ...commit.seen.flatMap(s => [s.caseNumber, encodeSeen(s.version)]))
    if (commit.quarantined.length > 0) tx.hset(k.quarantine, ...commit.quarantined.flatMap(q => [q.recordKey, JSON.stringify(q)]))
    if (commit.released.length > 0) tx.hdel(k.quarantine, ...commit.released)
    for (const [name, n] of Object.entries(commit.counts)) if (n !== 0) tx.hincrby(k.stats, name, n)
    if (commit.cursor !== null) tx.set(k.cursor, commit.cursor)
    await tx.exec()
  }

  async markPull (agencyId: string, ok: boolean): Promise<void> {
    const now = new Date().toISOString()
    const k = this.keys(agencyId)
    await (ok ? this.redis.hset(k.stats, 'lastPullAt', now, 'lastPullOkAt', now) : this.redis.hset(k.stats, 'lastPullAt', now))
  }

  /** The platform acknowledged these versions; dead letters of the same versions are resolved. */
  async acknowledge (agencyId: string, acks: readonly { caseNumber: string; fingerprint: string; ackedAtMs: number }[], deadLetters: readonly DeadLetterEntry[] = []): Promise<void> {
    if (acks.length === 0 && deadLetters.length === 0) return
    const k = this.keys(agencyId)
    const tx = this.redis.multi()
    if (acks.length > 0) {
      tx.hset(k.acked, ...acks.flatMap(a => [a.caseNumber, `${a.fingerprint}|${a.ackedAtMs}`]))
      tx.hdel(k.deadLetters, ...acks.map(a => a.caseNumber))
    }
    if (deadLetters.length > 0) {
      tx.hset(k.deadLetters, ...deadLetters.flatMap(d => [d.caseNumber, JSON.stringify(d)]))
      tx.hincrby(k.stats, 'deadLettered', deadLetters.length)
    }
    await tx.exec()
  }

  async ackedCount (agencyId: string): Promise<number> {
    return await this.redis.hlen(this.keys(agencyId).acked)
  }

  async quarantine (agencyId: string): Promise<QuarantineEntry[]> {
    const all = await this.redis.hvals(this.keys(agencyId).quarantine)
    return all.map(text => JSON.parse(text) as QuarantineEntry)
  }

  async deadLetters (agencyId: string): Promise<DeadLetterEntry[]> {
    const all = await this.redis.hvals(this.keys(agencyId).deadLetters)
    return all.map(text => JSON.parse(text) as DeadLetterEntry)
  }

  async counters (agencyId: string): Promise<AgencyCounters> {
    const raw = await this.redis.hgetall(this.keys(agencyId).stats)
    const n = (name: string): number => Number(raw[name] ?? 0)
    return {
      pulled: n('pulled'),
      valid: n('valid'),
      skipped: n('skipped'),
      quarantined: await this.redis.hlen(this.keys(agencyId).quarantine),
      enqueued: n('enqueued'),
      pushed: await this.redis.hlen(this.keys(agencyId).acked),
      deadLettered: await this.redis.hlen(this.keys(agencyId).deadLetters),
      ...(raw.lastPullAt === undefined ? {} : { lastPullAt: raw.lastPullAt }),
      ...(raw.lastPullOkAt === undefined ? {} : { lastPullOkAt: raw.lastPullOkAt }),
    }
  }
}
