/**
 * Runs the transfer-risk and time-limit findings for the hub: reads every agency's facts,
 * computes the findings with the rules in use and the hub's clock, stores them, and raises
 * or resolves one alarm per agency and finding kind (webhooks come with the alarms). Run
 * after every pull and reconciliation and after a rules edit; runs never overlap — a
 * request made while one runs is served by one more run after it, so the last word is
 * always a computation that started after the request.
 */
import type { Logger } from 'pino'
import type { Ledger } from '../ledger/ledger.js'
import { computeFindings, RISK_FINDING_KINDS, type AgencyFindings, type RiskFindingKind } from './findings.js'
import type { FindingsStore } from './findings-store.js'
import type { AgencyFacts } from '../ledger/risk-facts-store.js'
import type { CompiledRiskRules } from './risk-rules.js'

/**
 * The alarms the findings raise (the hub's AlarmService): declared here, so that the alarm
 * kinds can name the finding kinds without the two folders importing each other.
 */
export interface RiskAlarms {
  report (agencyId: string, kind: RiskFindingKind | 'rules_invalid', found: { count: number; samples: readonly string[]; detail?: Record<string, unknown> }): Promise<unknown>
  resolve (agencyId: string, kind: RiskFindingKind | 'rules_invalid'): Promise<unknown>
}

export interface RiskMonitorOptions {
  readonly ledger: Ledger
  readonly store: FindingsStore
  readonly alarms: RiskAlarms
  readonly agencies: readonly string[]
  /** The rules in use (the last good version of the watched file). */
  readonly rules: () => CompiledRiskRules
  /** The clock time limits are judged by. @defaultValue Date.now */
  readonly now?: () => number
  readonly logger: Logger
}

/** What the alarm says beyond the count: which rules or limits, which other agencies — never a party. */
function summary (kind: RiskFindingKind, findings: AgencyFindings[RiskFindingKind]): string {
  if (kind === 'repeat_party') {
    const agencies = new Set(findings.flatMap(f => (f.detail.alsoIn as readonly string[]).map(ref => ref.split(':')[0] ?? '')))
    return `also in: ${[...agencies].sort().join(', ')}`
  }
  const byRule = new Map<string, number>()
  for (const f of findings) byRule.set(f.rule ?? '', (byRule.get(f.rule ?? '') ?? 0) + 1)
  return `${kind.startsWith('time_limit') ? 'limits' : 'rules'}: ${[...byRule].map(([rule, n]) => `${rule} (${n})`).join(', ')}`
}

/**
 * How long the findings of a pull that changed nothing stay good enough: time limits move
 * with the clock, but by days, so a minute late is nothing — while computing again after
 * every pull of every agency would read every agency's facts several times a second.
 */
export const UNCHANGED_REFRESH_MS = 60_000

export class RiskMonitor {
  private running: Promise<void> | undefined
  private again: Promise<void> | undefined
  private lastRunMs = Number.NEGATIVE_INFINITY

  constructor (private readonly opts: RiskMonitorOptions) {}

  /** Compute, store and alarm now (or right after the run under way). Failures are logged: the next trigger tries again. */
  async recompute (): Promise<void> {
    if (this.running === undefined) {
      this.running = this.run().finally(() => { this.running = undefined })
      return await this.running
    }
    this.again ??= this.running.then(async () => {
      this.again = undefined
      await this.recompute()
    })
    return await this.again
  }

  /**
   * After a pull: compute again when it changed cases (their facts changed), else only when
   * the last computation is older than {@link UNCHANGED_REFRESH_MS} by the monitor's clock.
   */
  async recomputeAfterPull (changed: boolean): Promise<void> {
    if (!changed && (this.opts.now ?? Date.now)() - this.lastRunMs < UNCHANGED_REFRESH_MS) return
    await this.recompute()
  }

  /** Per finding kind, how many cases of the agency have such a finding (for the supervision view). */
  async findingCounts (agencyId: string): Promise<Record<RiskFindingKind, number>> {
    return await this.opts.store.counts(agencyId)
  }

  private async run (): Promise<void> {
    const { ledger, store, alarms, agencies, logger } = this.opts
    try {
      const facts = new Map<string, AgencyFacts>()
      for (const id of agencies) facts.set(id, await ledger.riskFacts(id))
      const nowMs = (this.opts.now ?? Date.now)()
      this.lastRunMs = nowMs
      const all = computeFindings(this.opts.rules(), facts, nowMs)
      for (const [agencyId, findings] of all) {
        await store.write(agencyId, findings, new Date(nowMs))
        for (const kind of RISK_FINDING_KINDS) {
          const list = findings[kind]
          const cases = [...new Set(list.map(f => f.caseNumber))]
          if (cases.length === 0) await alarms.resolve(agencyId, kind)
          else await alarms.report(agencyId, kind, { count: cases.length, samples: cases, detail: { message: summary(kind, list) } })
        }
      }
    } catch (err) {
      logger.warn({ err }, 'transfer-risk findings not computed; the next pull computes them again')
    }
  }
}
