/**
 * The ledger's counts for the supervision view (src/admin/supervision.ts): how many of an
 * agency's cases the hub pulled, how many the platform acknowledged, and how many decisions
 * reached the platform after their entry deadline (迟录) — all of them, or only those since
 * a day. Without a day, the first two are hash lengths (O(1)); a day, and the late entries
 * always, need every entry of a hash, read by HSCAN in chunks so that no single command
 * blocks Redis (a million-case agency takes about a thousand round trips, a second or two).
 */
import type { RedisClient } from '../redis/redis-client.js'
import type { AgencyKeys } from './keys.js'
import { decodeAcked, decodeSeen } from './entries.js'

const CHUNK = 1000

export interface SupervisionTallyOptions {
  /** Count only what happened from this moment on (ms); absent: everything the ledger holds. */
  readonly sinceMs?: number
  /** The same moment as a day (YYYY-MM-DD) in the decisions' own offsets: decisions from that day on. */
  readonly sinceDay?: string
  /** The 迟录 rule (src/reconcile/time-rules.ts): was a decision of this date first acknowledged late? Back-filled history says no. */
  readonly isLate: (decidedIso: string, ackedAtMs: number) => boolean
}

export interface SupervisionTally {
  /** Cases whose newest version the hub enqueued for delivery (since: first seen since). */
  readonly pulled: number
  /** Cases the platform acknowledged (since: last acknowledged since). */
  readonly delivered: number
  /** Enqueued versions the platform has not acknowledged yet (now; not limited by `since`). */
  readonly pending: number
  /** Decisions first acknowledged after their deadline (since: decided since). */
  readonly lateEntries: number
  /** Up to 20 of them. */
  readonly lateSamples: readonly string[]
}

/** Every value of a hash, chunk by chunk (HSCAN: a hash changed meanwhile may give an entry twice, which counts of distinct keys do not care about when keyed). */
async function * hashEntries (redis: RedisClient, key: string): AsyncIterable<[string, string][]> {
  let cursor = '0'
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', CHUNK)
    cursor = next
    const chunk: [string, string][] = []
    for (let i = 0; i + 1 < flat.length; i += 2) chunk.push([flat[i] as string, flat[i + 1] as string])
    if (chunk.length > 0) yield chunk
  } while (cursor !== '0')
}

/** Count the distinct fields of a hash whose value passes `keep` (HSCAN may repeat a field while the hash grows). */
async function countWhere (redis: RedisClient, key: string, keep: (value: string) => boolean): Promise<number> {
  const counted = new Set<string>()
  for await (const chunk of hashEntries(redis, key)) for (const [field, value] of chunk) if (keep(value)) counted.add(field)
  return counted.size
}

export async function supervisionTally (redis: RedisClient, keys: Pick<AgencyKeys, 'seen' | 'acked' | 'pending' | 'decisions'>, opts: SupervisionTallyOptions): Promise<SupervisionTally> {
  const since = opts.sinceMs
  const [pulled, delivered, pending] = await Promise.all([
    since === undefined ? redis.hlen(keys.seen) : countWhere(redis, keys.seen, v => (decodeSeen(v)?.firstSeenMs ?? 0) >= since),
    since === undefined ? redis.hlen(keys.acked) : countWhere(redis, keys.acked, v => (decodeAcked(v)?.ackedAtMs ?? 0) >= since),
    redis.zcard(keys.pending),
  ])
  const late = new Set<string>()
  const lateSamples: string[] = []
  for await (const chunk of hashEntries(redis, keys.decisions)) {
    for (const [caseNumber, value] of chunk) {
      // "decidedIso|ackedAtMs": the first acknowledgement of a version carrying a decision date.
      const bar = value.lastIndexOf('|')
      const decided = value.slice(0, bar)
      if (opts.sinceDay !== undefined && decided.slice(0, 10) < opts.sinceDay) continue
      if (!opts.isLate(decided, Number(value.slice(bar + 1)))) continue
      if (late.has(caseNumber)) continue
      late.add(caseNumber)
      if (lateSamples.length < 20) lateSamples.push(caseNumber)
    }
  }
  return { pulled, delivered, pending, lateEntries: late.size, lateSamples }
}
