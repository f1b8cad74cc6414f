/**
 * The per-case facts of the transfer-risk findings (made by src/risk/case-facts.ts), kept beside the
 * versions they belong to: written in the same MULTI as the page commit that records the
 * version (pulls, quarantine release), so facts and ledger never disagree after a crash.
 * Per agency, under the agency's hash tag (one Redis Cluster slot, like the rest of its
 * ledger); the findings read every agency's facts and match parties across them.
 */
import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from '../redis/redis-client.js'
import type { CanonicalCase } from '../generated/case.js'
import { decodeSeen } from './entries.js'

/** What the findings know of one case version: no name, no plain ID number (parties are keyed hashes). */
export interface CaseFacts {
  readonly cause?: string
  readonly field?: string
  readonly procedure?: 'general' | 'summary'
  readonly status: CanonicalCase['status']
  readonly involved?: string
  readonly illegalGains?: string
  readonly fine?: string
  readonly suspectedCrime?: boolean
  readonly transferDate?: string
  /** A penalty was imposed: a penalty kind is listed, or a fine amount above zero is recorded. */
  readonly penalised: boolean
  readonly filed?: string
  readonly decided?: string
  readonly closed?: string
  /** Keyed hashes of the parties' ID numbers and credit codes (src/risk/case-facts.ts partyKey). */
  readonly parties: readonly string[]
}

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

/**
 * Facts for versions recorded before the ledger recorded facts (the feature was switched on
 * later), from a reconciliation's look at the source: only where the ledger's newest version
 * is exactly this one (same fingerprint) and no facts are recorded yet — never over the facts
 * a page commit wrote. Returns how many were recorded.
 */
export async function backfillFacts (redis: RedisClient, keys: FactsKeys & { readonly seen: string }, cases: readonly { caseNumber: string; fingerprint: string; facts: () => CaseFacts }[], nowMs: number): Promise<number> {
  if (cases.length === 0) return 0
  const numbers = cases.map(c => c.caseNumber)
  const [seen, known] = await Promise.all([redis.hmget(keys.seen, ...numbers), redis.hmget(keys.riskFacts, ...numbers)])
  const missing = cases.filter((c, i) => known[i] === null && decodeSeen(seen[i])?.fingerprint === c.fingerprint)
  if (missing.length === 0) return 0
  const tx = redis.multi()
  for (const c of missing) {
    const facts = c.facts()
    tx.hsetnx(keys.riskFacts, c.caseNumber, JSON.stringify(facts))
    if (facts.suspectedCrime === true) tx.hsetnx(keys.crimeSeen, c.caseNumber, String(nowMs))
  }
  const replies = await tx.exec()
  const failed = replies?.find(([err]) => err !== null)?.[0]
  if (failed != null) throw failed
  return missing.length
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
