/**
 * The findings last computed for each agency (src/risk/findings.ts), for the API, the CLI,
 * the metrics and the supervision view: one hash per agency, kind → JSON list. Replaced as a
 * whole at every computation, in one MULTI.
 */
import type { RedisClient } from '../redis/redis-client.js'
import { agencyKeys } from '../ledger/keys.js'
import { RISK_FINDING_KINDS, emptyFindings, type AgencyFindings, type RiskFindingKind } from './findings.js'

const COMPUTED_AT = 'computedAt'

export class FindingsStore {
  constructor (private readonly redis: RedisClient, private readonly prefix: string) {}

  private key (agencyId: string): string {
    return agencyKeys(this.prefix, agencyId).riskFindings
  }

  async write (agencyId: string, findings: AgencyFindings, computedAt: Date): Promise<void> {
    const key = this.key(agencyId)
    const replies = await this.redis.multi()
      .del(key)
      .hset(key, COMPUTED_AT, computedAt.toISOString(), ...RISK_FINDING_KINDS.flatMap(kind => [kind, JSON.stringify(findings[kind])]))
      .exec()
    const failed = replies?.find(([err]) => err !== null)?.[0]
    if (failed != null) throw failed
  }

  /** The agency's findings as last computed; empty lists (and no computedAt) before the first computation. */
  async read (agencyId: string): Promise<{ findings: AgencyFindings; computedAt?: string }> {
    const all = await this.redis.hgetall(this.key(agencyId))
    const findings = emptyFindings()
    for (const kind of RISK_FINDING_KINDS) if (all[kind] !== undefined) findings[kind] = JSON.parse(all[kind]) as AgencyFindings[typeof kind]
    return { findings, ...(all[COMPUTED_AT] === undefined ? {} : { computedAt: all[COMPUTED_AT] }) }
  }

  /** Per finding kind, how many cases of the agency have such a finding now (a case counts once per kind). */
  async counts (agencyId: string): Promise<Record<RiskFindingKind, number>> {
    const { findings } = await this.read(agencyId)
    const out = {} as Record<RiskFindingKind, number>
    for (const kind of RISK_FINDING_KINDS) out[kind] = new Set(findings[kind].map(f => f.caseNumber)).size
    return out
  }
}
