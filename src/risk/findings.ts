/**
 * The transfer-risk and time-limit findings, computed from the facts every agency's case
 * versions were recorded with (src/ledger/risk-facts-store.ts) and the rules in use. Pure: the same
 * facts, rules and clock give the same findings. Each finding names a case (agency and case
 * number), the rule and the amounts or dates that raised it — never a party's name or ID.
 * Findings are to review (待核查), never a legal judgement.
 *
 *  - near_threshold: not transferred, and the rule's amount is at or above `nearShare` of
 *    the threshold (above it too while the case is not decided with a penalty);
 *  - above_threshold_not_transferred: at or above the threshold, decided or closed with a
 *    penalty, no transfer — one case is in one of the two kinds, never both;
 *  - repeat_party: a party (keyed hash) penalised in two or more cases, of one agency or
 *    several, whose decision dates lie at most `repeatParty.windowDays` apart;
 *  - time_limit_warning / time_limit_exceeded: a milestone `to` not reached within `days`
 *    of `from` (calendar days) — a warning from `warnDays` before, a finding after; a `to`
 *    reached after the deadline is a finding too.
 */
import type { CaseFacts } from './case-facts.js'
import type { AgencyFacts } from '../ledger/risk-facts-store.js'
import type { CompiledRiskRules, CompiledThreshold, Milestone, TimeLimitRule } from './risk-rules.js'

export const RISK_FINDING_KINDS = ['near_threshold', 'above_threshold_not_transferred', 'repeat_party', 'time_limit_warning', 'time_limit_exceeded'] as const
export type RiskFindingKind = (typeof RISK_FINDING_KINDS)[number]

/** One finding of one case. `detail` holds only rule ids, amounts, dates, citations, other cases' agency and number. */
export interface RiskFinding {
  readonly caseNumber: string
  readonly rule?: string
  readonly detail: Readonly<Record<string, string | number | boolean | readonly string[]>>
}

export type AgencyFindings = Record<RiskFindingKind, RiskFinding[]>

const DAY_MS = 86_400_000

export function emptyFindings (): AgencyFindings {
  return { near_threshold: [], above_threshold_not_transferred: [], repeat_party: [], time_limit_warning: [], time_limit_exceeded: [] }
}

const transferred = (f: CaseFacts): boolean => f.transferDate !== undefined || f.status === 'transferred'

function applies (rule: CompiledThreshold, f: CaseFacts): boolean {
  if (rule.field !== undefined && f.field !== rule.field) return false
  const cause = f.cause
  return cause !== undefined && rule.causeContains.some(word => cause.includes(word))
}

function thresholdFindings (rules: CompiledRiskRules, caseNumber: string, f: CaseFacts, out: AgencyFindings): void {
  if (f.status === 'withdrawn' || transferred(f)) return
  const share = BigInt(Math.round(rules.nearShare * 1000))
  let near: RiskFinding | undefined
  for (const rule of rules.thresholds) {
    if (!applies(rule, f)) continue
    const amount = f[rule.amount]
    if (amount === undefined) continue
    const [yuan = '0', fen = '00'] = amount.split('.')
    const amountFen = BigInt(yuan) * 100n + BigInt(fen)
    const detail = { amount: rule.amount, value: amount, threshold: rule.threshold, citation: rule.citation, example: rule.example }
    if (amountFen >= rule.thresholdFen && f.penalised && (f.status === 'decided' || f.status === 'closed')) {
      out.above_threshold_not_transferred.push({ caseNumber, rule: rule.id, detail })
      return
    }
    if (near === undefined && amountFen * 1000n >= rule.thresholdFen * share) near = { caseNumber, rule: rule.id, detail }
  }
  if (near !== undefined) out.near_threshold.push(near)
}

function milestoneMs (f: CaseFacts, crimeSeenMs: number | undefined, m: Milestone): number | undefined {
  const text = m === 'dates.filed' ? f.filed : m === 'dates.decided' ? f.decided : m === 'dates.closed' ? f.closed : m === 'transfer.transferDate' ? f.transferDate : undefined
  if (m === 'suspectedCrimeSeen') return crimeSeenMs
  if (text === undefined) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}

function timeLimitFindings (limit: TimeLimitRule, caseNumber: string, f: CaseFacts, crimeSeenMs: number | undefined, nowMs: number, out: AgencyFindings): void {
  if (f.status === 'withdrawn' || (limit.procedure !== undefined && f.procedure !== limit.procedure)) return
  const from = milestoneMs(f, crimeSeenMs, limit.from)
  if (from === undefined) return
  const deadline = from + limit.days * DAY_MS
  const to = milestoneMs(f, crimeSeenMs, limit.to)
  const detail = { from: limit.from, to: limit.to, days: limit.days, deadline: new Date(deadline).toISOString(), ...(limit.citation === undefined ? {} : { citation: limit.citation }) }
  if (to !== undefined) {
    if (to > deadline) out.time_limit_exceeded.push({ caseNumber, rule: limit.id, detail: { ...detail, reachedLate: true } })
    return
  }
  if (nowMs > deadline) out.time_limit_exceeded.push({ caseNumber, rule: limit.id, detail })
  else if (limit.warnDays > 0 && nowMs >= deadline - limit.warnDays * DAY_MS) out.time_limit_warning.push({ caseNumber, rule: limit.id, detail: { ...detail, daysLeft: Math.ceil((deadline - nowMs) / DAY_MS) } })
}

/** When a penalised case's penalty was decided (its decision date, else its closing date); undefined: not penalised, or no date to place it. */
function penaltyMs (f: CaseFacts): number | undefined {
  if (!f.penalised || f.status === 'withdrawn') return undefined
  const text = f.decided ?? f.closed
  if (text === undefined) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}

function repeatPartyFindings (rules: CompiledRiskRules, agencies: ReadonlyMap<string, AgencyFacts>, out: Map<string, AgencyFindings>): void {
  // The repeat-party index: party key → the penalised cases naming it, across agencies.
  const byParty = new Map<string, { agency: string; caseNumber: string; ms: number }[]>()
  for (const [agency, { facts }] of agencies) {
    for (const [caseNumber, f] of facts) {
      const ms = penaltyMs(f)
      if (ms === undefined) continue
      for (const party of f.parties) {
        const list = byParty.get(party) ?? []
        list.push({ agency, caseNumber, ms })
        byParty.set(party, list)
      }
    }
  }
  const windowMs = rules.repeatWindowDays * DAY_MS
  const found = new Map<string, Set<string>>()
  const ref = (e: { agency: string; caseNumber: string }): string => `${e.agency}|${e.caseNumber}`
  for (const list of byParty.values()) {
    if (list.length < 2) continue
    list.sort((a, b) => a.ms - b.ms)
    const marked = new Set<number>()
    for (let i = 1; i < list.length; i++) if (list[i]!.ms - list[i - 1]!.ms <= windowMs) { marked.add(i - 1); marked.add(i) }
    const group = [...marked].map(i => list[i]!)
    for (const e of group) {
      const others = found.get(ref(e)) ?? new Set<string>()
      for (const o of group) if (ref(o) !== ref(e)) others.add(`${o.agency}:${o.caseNumber}`)
      found.set(ref(e), others)
    }
  }
  for (const [key, others] of found) {
    const [agency = '', ...rest] = key.split('|')
    out.get(agency)?.repeat_party.push({ caseNumber: rest.join('|'), detail: { windowDays: rules.repeatWindowDays, alsoIn: [...others].sort() } })
  }
}

/** Every agency's findings now. */
export function computeFindings (rules: CompiledRiskRules, agencies: ReadonlyMap<string, AgencyFacts>, nowMs: number): Map<string, AgencyFindings> {
  const out = new Map<string, AgencyFindings>()
  for (const [agency, { facts, crimeSeenMs }] of agencies) {
    const mine = emptyFindings()
    out.set(agency, mine)
    for (const [caseNumber, f] of facts) {
      thresholdFindings(rules, caseNumber, f, mine)
      for (const limit of rules.timeLimits) {
        if (limit.agencies !== undefined && !limit.agencies.includes(agency)) continue
        timeLimitFindings(limit, caseNumber, f, crimeSeenMs.get(caseNumber), nowMs, mine)
      }
    }
  }
  repeatPartyFindings(rules, agencies, out)
  for (const findings of out.values()) for (const list of Object.values(findings)) list.sort((a, b) => a.caseNumber < b.caseNumber ? -1 : a.caseNumber > b.caseNumber ? 1 : 0)
  return out
}
