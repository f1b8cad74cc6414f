/**
 * The findings last computed for each agency (src/risk/findings.ts), for the API, the CLI,
 * the metrics and the supervision view, kept by the ledger's store (src/ledger/risk-findings-store.ts).
 */
import type { RedisClient } from '../redis/redis-client.js'
import { RiskFindingsStore } from '../ledger/risk-findings-store.js'
import { RISK_FINDING_KINDS, emptyFindings, type AgencyFindings, type RiskFinding, type RiskFindingKind } from './findings.js'

export class FindingsStore {
  private readonly store: RiskFindingsStore

  constructor (redis: RedisClient, prefix: string) {
    this.store = new RiskFindingsStore(redis, prefix)
  }

  async write (agencyId: string, findings: AgencyFindings, computedAt: Date): Promise<void> {
    await this.store.write(agencyId, findings, computedAt)
  }

  /** The agency's findings as last computed; empty lists (and no computedAt) before the first computation. */
  async read (agencyId: string): Promise<{ findings: AgencyFindings; computedAt?: string }> {
    const { lists, computedAt } = await this.store.read(agencyId)
    const findings = emptyFindings()
    for (const kind of RISK_FINDING_KINDS) if (lists[kind] !== undefined) findings[kind] = lists[kind] as RiskFinding[]
    return { findings, ...(computedAt === undefined ? {} : { computedAt }) }
  }

  /** Per finding kind, how many cases of the agency have such a finding now (a case counts once per kind). */
  async counts (agencyId: string): Promise<Record<RiskFindingKind, number>> {
    const { findings } = await this.read(agencyId)
    const out = {} as Record<RiskFindingKind, number>
    for (const kind of RISK_FINDING_KINDS) out[kind] = new Set(findings[kind].map(f => f.caseNumber)).size
    return out
  }
}
