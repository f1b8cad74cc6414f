import type { Redis } from 'ioredis'
import { agencyKeys, type AgencyKeys } from './keys.js'
import { decodeSeen, encodeSeen, type DeadLetterEntry, type QuarantineEntry, type SeenVersion } from './entries.js'
import { ledgerCommands, recordAcknowledged, recordSeen } from './ledger-scripts.js'

/** One acknowledged version; `decidedAt` (the case's decision date, if it has one) feeds the late-entry rule. */
export interface Acknowledgement { caseNumber: string; fingerprint: string; ackedAtMs: number; decidedAt?: string | undefined }

/** A MULTI's replies: a command that failed inside it must not pass unnoticed. */
function checkExec (replies: [Error | null, unknown][] | null): void {
  const failed = replies?.find(([err]) => err !== null)?.[0]
  if (failed != null) throw failed
}

/** Who ran a pull: the process, and the schedule tick it claimed (absent for pulls on demand or at start). */
export interface PullRun { readonly instance: string; readonly tick?: string }

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
  /** Skipped records by skip rule (`skip:` names of the mapping), from the `skipped:<rule>` counters. */
  skippedByRule: Record<string, number>
  lastPullAt?: string
  lastPullOkAt?: string
}

/**
 * What the hub remembers per agency, in Redis: the version of each case last enqueued
 * ("seen") and last acknowledged ("acked"), the source cursor, quarantine, dead letters
 * and counters. Holds no connection of its own; the hub passes its client.
 */
export class Ledger {
  constructor (private readonly redis: Redis, private readonly prefix: string) {
    ledgerCommands(redis)
  }

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
    // seen + pending + bucket index, in one script (src/ledger/ledger-scripts.ts)
    if (commit.seen.length > 0) recordSeen(tx, [k.seen, k.acked, k.pending, k.bucketIndex], commit.seen.flatMap(s => [s.caseNumber, encodeSeen(s.version), s.version.fingerprint, s.version.firstSeenMs, '0']))
    if (commit.quarantined.length > 0) {
      tx.hset(k.quarantine, ...commit.quarantined.flatMap(q => [q.recordKey, JSON.stringify(q)]))
      tx.hincrby(k.stats, 'quarantinedTotal', commit.quarantined.length)
    }
    if (commit.released.length > 0) tx.hdel(k.quarantine, ...commit.released)
    for (const [name, n] of Object.entries(commit.counts)) if (n !== 0) tx.hincrby(k.stats, name, n)
    if (commit.cursor !== null) tx.set(k.cursor, commit.cursor)
    checkExec(await tx.exec())
  }

  /**
   * Record versions a reconciliation repair re-enqueued (call after enqueueing them, like a
   * page commit): they are the ones last enqueued now, and pending until acknowledged —
   * even when the ledger believes that very version delivered (the platform lost it).
   */
  async recordResent (agencyId: string, items: readonly { caseNumber: string; version: SeenVersion }[]): Promise<void> {
    if (items.length === 0) return
    const k = this.keys(agencyId)
    const tx = this.redis.multi()
    recordSeen(tx, [k.seen, k.acked, k.pending, k.bucketIndex], items.flatMap(s => [s.caseNumber, encodeSeen(s.version), s.version.fingerprint, s.version.firstSeenMs, '1']))
    tx.hincrby(k.stats, 'repairEnqueued', items.length)
    checkExec(await tx.exec())
  }

  /**
   * After every pull attempt. `pullFailingSince` (ISO) is the first failure of the current
   * run of failures, cleared by a success: the "agency unreachable" alarm reads it. `run`
   * says which process ran it and for which schedule tick (the last 100 are kept).
   */
  async markPull (agencyId: string, ok: boolean, run?: PullRun): Promise<void> {
    const now = new Date().toISOString()
    const k = this.keys(agencyId)
    const tx = this.redis.multi()
    if (ok) tx.hset(k.stats, 'lastPullAt', now, 'lastPullOkAt', now).hdel(k.stats, 'pullFailingSince')
    else tx.hset(k.stats, 'lastPullAt', now).hsetnx(k.stats, 'pullFailingSince', now)
    if (run !== undefined) tx.lpush(k.pullRuns, JSON.stringify({ at: now, ok, ...run })).ltrim(k.pullRuns, 0, 99)
    checkExec(await tx.exec())
  }

  /** The last pull runs, newest first. */
  async pullRuns (agencyId: string): Promise<(PullRun & { at: string; ok: boolean })[]> {
    return (await this.redis.lrange(this.keys(agencyId).pullRuns, 0, -1)).map(text => JSON.parse(text) as PullRun & { at: string; ok: boolean })
  }

  /** A pull found `changed` new or changed cases; `lastChangeAt` (ISO) feeds the "agency silent" alarm. */
  async markActivity (agencyId: string, changed: number): Promise<void> {
    if (changed > 0) await this.redis.hset(this.keys(agencyId).stats, 'lastChangeAt', new Date().toISOString())
  }

  /** The platform acknowledged these versions; dead letters of the same versions are resolved. */
  async acknowledge (agencyId: string, acks: readonly Acknowledgement[], deadLetters: readonly DeadLetterEntry[] = []): Promise<void> {
    if (acks.length === 0 && deadLetters.length === 0) return
    const k = this.keys(agencyId)
    const tx = this.redis.multi()
    if (acks.length > 0) {
      // acked + leaf digests + bucket index + pending (only when the acknowledged version is
      // the one last enqueued) + first decision acknowledgement + resolved dead letters
      recordAcknowledged(tx, k, acks.flatMap(a => [a.caseNumber, a.fingerprint, a.ackedAtMs, a.decidedAt ?? '']))
      tx.hincrby(k.stats, 'acknowledgedTotal', acks.length)
    }
    if (deadLetters.length > 0) {
      tx.hset(k.deadLetters, ...deadLetters.flatMap(d => [d.caseNumber, JSON.stringify(d)]))
      tx.hincrby(k.stats, 'deadLettered', deadLetters.length)
    }
    checkExec(await tx.exec())
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

  /** Take records out of quarantine for good (an operator decided they need no delivery); returns how many were there. */
  async discardQuarantined (agencyId: string, recordKeys: readonly string[]): Promise<number> {
    if (recordKeys.length === 0) return 0
    return await this.redis.hdel(this.keys(agencyId).quarantine, ...recordKeys)
  }

  /**
   * Drop dead letters for good (an operator decided they need no delivery): they no longer
   * count as pending either, so they stop holding the sync lag up. Returns how many were there.
   */
  async discardDeadLetters (agencyId: string, caseNumbers: readonly string[]): Promise<number> {
    if (caseNumbers.length === 0) return 0
    const k = this.keys(agencyId)
    const result = await this.redis.multi().hdel(k.deadLetters, ...caseNumbers).zrem(k.pending, ...caseNumbers).exec()
    return Number(result?.[0]?.[1] ?? 0)
  }

  /** Take dead letters out of the set because they were queued for delivery again (they stay pending). */
  async removeDeadLetters (agencyId: string, caseNumbers: readonly string[]): Promise<number> {
    if (caseNumbers.length === 0) return 0
    return await this.redis.hdel(this.keys(agencyId).deadLetters, ...caseNumbers)
  }

  /**
   * When the oldest change not yet acknowledged by the target was first seen (undefined:
   * none pending). Bounded work: looks at the oldest few entries only, and removes those
   * whose version the ledger shows as acknowledged (left over by a crash between ack and
   * cleanup) so they cannot hold the lag up forever.
   */
  async pendingSince (agencyId: string): Promise<number | undefined> {
    const k = this.keys(agencyId)
    for (let round = 0; round < 5; round++) {
      const oldest = await this.redis.zrange(k.pending, 0, 19, 'WITHSCORES')
      if (oldest.length === 0) return undefined
      const names = oldest.filter((_, i) => i % 2 === 0)
      const [seen, acked] = await Promise.all([this.redis.hmget(k.seen, ...names), this.redis.hmget(k.acked, ...names)])
      const settled = names.filter((_, i) => acked[i] != null && decodeSeen(seen[i])?.fingerprint === acked[i]?.split('|')[0])
      if (settled.length === 0) return Number(oldest[1])
      await this.redis.zrem(k.pending, ...settled)
    }
    const first = await this.redis.zrange(k.pending, 0, 0, 'WITHSCORES')
    return first.length === 0 ? undefined : Number(first[1])
  }

  /** How many cases have a change enqueued and not yet acknowledged. */
  async pendingCount (agencyId: string): Promise<number> {
    return await this.redis.zcard(this.keys(agencyId).pending)
  }

  /**
   * How many of the agency's cases are on their way to the target: pending, less those
   * given up as dead letters (they wait for an operator, not for the queue).
   */
  async inFlight (agencyId: string): Promise<number> {
    const k = this.keys(agencyId)
    const replies = await this.redis.multi().zcard(k.pending).hlen(k.deadLetters).exec()
    checkExec(replies)
    return Math.max(0, Number(replies?.[0]?.[1] ?? 0) - Number(replies?.[1]?.[1] ?? 0))
  }

  /** Pause the agency (no pulls; its queued pushes wait). False if it was paused already. */
  async pause (agencyId: string, by: string): Promise<boolean> {
    return await this.redis.set(this.keys(agencyId).paused, JSON.stringify({ at: new Date().toISOString(), by }), 'NX') === 'OK'
  }

  /** Resume a paused agency. False if it was not paused. */
  async resume (agencyId: string): Promise<boolean> {
    return await this.redis.del(this.keys(agencyId).paused) === 1
  }

  /** Since when and by whom the agency is paused; undefined while it runs. */
  async pausedSince (agencyId: string): Promise<{ at: string; by: string } | undefined> {
    const text = await this.redis.get(this.keys(agencyId).paused)
    return text === null ? undefined : JSON.parse(text) as { at: string; by: string }
  }

  /** The raw counters hash (monotonic totals and timestamps), for metrics. */
  async stats (agencyId: string): Promise<Record<string, string>> {
    return await this.redis.hgetall(this.keys(agencyId).stats)
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
      skippedByRule: Object.fromEntries(Object.entries(raw).filter(([name]) => name.startsWith('skipped:')).map(([name, v]) => [name.slice('skipped:'.length), Number(v)])),
      ...(raw.lastPullAt === undefined ? {} : { lastPullAt: raw.lastPullAt }),
      ...(raw.lastPullOkAt === undefined ? {} : { lastPullOkAt: raw.lastPullOkAt }),
    }
  }
}
