/**
 * Where the transfer-risk findings last computed for each agency are kept (src/risk/findings.ts
 * computes them; src/risk/findings-store.ts reads and writes them through this): one hash per
 * agency, finding kind → JSON list, plus `computedAt`. Replaced as a whole, in one MULTI.
 */
import type { RedisClient } from '../redis/redis-client.js'
import { agencyKeys } from './keys.js'

const COMPUTED_AT = 'computedAt'

export class RiskFindingsStore {
  constructor (private readonly redis: RedisClient, private readonly prefix: string) {}

  async write (agencyId: string, lists: Readonly<Record<string, readonly unknown[]>>, computedAt: Date): Promise<void> {
    const key = agencyKeys(this.prefix, agencyId).riskFindings
    const replies = await this.redis.multi()
      .del(key)
      .hset(key, COMPUTED_AT, computedAt.toISOString(), ...Object.entries(lists).flatMap(([kind, list]) => [kind, JSON.stringify(list)]))
      .exec()
    const failed = replies?.find(([err]) => err !== null)?.[0]
    if (failed != null) throw failed
  }

  /** Each kind's list as written, and when; empty before the first computation. */
  async read (agencyId: string): Promise<{ lists: Record<string, unknown[]>; computedAt?: string }> {
    const all = await this.redis.hgetall(agencyKeys(this.prefix, agencyId).riskFindings)
    const lists: Record<string, unknown[]> = {}
    for (const [field, text] of Object.entries(all)) if (field !== COMPUTED_AT) lists[field] = JSON.parse(text) as unknown[]
    return { lists, ...(all[COMPUTED_AT] === undefined ? {} : { computedAt: all[COMPUTED_AT] }) }
  }
}
