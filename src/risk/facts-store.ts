/**
 * The per-case facts of the transfer-risk findings (src/risk/case-facts.ts), kept beside the
 * versions they belong to: written in the same MULTI as the page commit that records the
 * version (pulls, quarantine release), so facts and ledger never disagree after a crash.
 * Per agency, under the agency's hash tag (one Redis Cluster slot, like the rest of its
 * ledger); the findings read every agency's facts and match parties across them.
 */
import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from '../redis/redis-client.js'
import type { CaseFacts } from './case-facts.js'

export interface FactsKeys {
  /** HASH caseNumber → JSON {@link CaseFacts} of the newest version. */
  readonly riskFacts: string
  /** HASH caseNumber → ms: when the hub first recorded a version of the case flagged suspectedCrime (the hub's observation, not the source's date). */
  readonly crimeSeen: string
}

/** The facts of the versions a page commit records, inside its MULTI; `nowMs` is the hub's observation time. */
export function recordFactsIn (tx: ChainableCommander, keys: FactsKeys, cases: readonly { caseNumber: string; facts: CaseFacts }[], nowMs: number): void {
  if (cases.length === 0) return
  tx.hset(keys.riskFacts, ...cases.flatMap(c => [c.caseNumber, JSON.stringify(c.facts)]))
  for (const c of cases) if (c.facts.suspectedCrime === true) tx.hsetnx(keys.crimeSeen, c.caseNumber, String(nowMs))
}

/** One agency's facts: per case, its facts and (when flagged) when the hub first saw it flagged suspectedCrime. */
export interface AgencyFacts { readonly facts: ReadonlyMap<string, CaseFacts>; readonly crimeSeenMs: ReadonlyMap<string, number> }

export async function readFacts (redis: RedisClient, keys: FactsKeys): Promise<AgencyFacts> {
  const [facts, seen] = await Promise.all([redis.hgetall(keys.riskFacts), redis.hgetall(keys.crimeSeen)])
  return {
    facts: new Map(Object.entries(facts).map(([k, v]) => [k, JSON.parse(v) as CaseFacts])),
    crimeSeenMs: new Map(Object.entries(seen).map(([k, v]) => [k, Number(v)])),
  }
}
