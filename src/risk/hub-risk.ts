/**
 * The transfer-risk feature as the hub runs it (config `risk:`): the rules file watched for
 * edits, the findings monitor, and the `rules_invalid` alarm. A refused edit keeps the last
 * good rules in use and raises `rules_invalid` for every agency the hub runs (the rules
 * judge all of them, and each can acknowledge it); the next edit that compiles resolves it
 * and computes the findings again.
 */
import type { Logger } from 'pino'
import type { RedisClient } from '../redis/redis-client.js'
import type { Ledger } from '../ledger/ledger.js'
import type { CanonicalCase } from '../generated/case.js'
import { MappingFileError } from '../errors.js'
import { describeMappingFileError } from '../mapping/describe-mapping-error.js'
import { translator, type Locale } from '../i18n/translate.js'
import { caseFacts, type CaseFacts } from './case-facts.js'
import { FindingsStore } from './findings-store.js'
import type { AgencyFindings, RiskFindingKind } from './findings.js'
import { RiskMonitor, type RiskAlarms } from './risk-monitor.js'
import type { CompiledRiskRules } from './risk-rules.js'
import { openRulesWatcher } from './rules-watcher.js'

export interface HubRisk {
  /** Compute every agency's findings now (after a pull, a reconciliation, a rules edit). */
  recompute (): Promise<void>
  /** After a pull: again when it changed cases, else at most once a minute (src/risk/risk-monitor.ts). */
  recomputeAfterPull (changed: boolean): Promise<void>
  /** Per finding kind, how many cases of the agency have such a finding now — for the supervision view. */
  findingCounts (agencyId: string): Promise<Record<RiskFindingKind, number>>
  /** The agency's findings as last computed. */
  findings (agencyId: string): Promise<{ findings: AgencyFindings; computedAt?: string }>
  /** The rules in use. */
  rules (): CompiledRiskRules
  /** Watch the rules file for edits. */
  start (): void
  stop (): Promise<void>
}

/** The facts recorder the ledger is given: a case version's facts, parties keyed with the secret. */
export function caseFactsWith (partySecret: string): (c: CanonicalCase) => CaseFacts {
  return c => caseFacts(c, partySecret)
}

export async function startRisk (opts: {
  readonly config: { readonly rulesFile: string }
  readonly redis: RedisClient
  readonly keyPrefix: string
  readonly ledger: Ledger
  readonly alarms: RiskAlarms
  readonly agencies: readonly string[]
  readonly logger: Logger
  readonly locale: Locale
  readonly pollMs?: number
  readonly now?: () => number
}): Promise<HubRisk> {
  const { alarms, agencies, logger } = opts
  const watcher = await openRulesWatcher({ file: opts.config.rulesFile, logger, ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }) })
  const store = new FindingsStore(opts.redis, opts.keyPrefix)
  const monitor = new RiskMonitor({ ledger: opts.ledger, store, alarms, agencies, rules: () => watcher.current(), logger, ...(opts.now === undefined ? {} : { now: opts.now }) })
  watcher.onRefused(async event => {
    const reason = event.error instanceof MappingFileError ? { reason: describeMappingFileError(event.error, translator(opts.locale)) } : {}
    for (const id of agencies) {
      await alarms.report(id, 'rules_invalid', { count: 1, samples: [], detail: { file: event.file, message: event.message, ...reason } }).catch((err: unknown) => logger.warn({ err }, 'could not raise the rules alarm'))
    }
  })
  watcher.onLoaded(async () => {
    for (const id of agencies) await alarms.resolve(id, 'rules_invalid').catch((err: unknown) => logger.warn({ err }, 'could not resolve the rules alarm'))
    await monitor.recompute()
  })
  return {
    recompute: async () => { await monitor.recompute() },
    recomputeAfterPull: async changed => { await monitor.recomputeAfterPull(changed) },
    findingCounts: async id => await monitor.findingCounts(id),
    findings: async id => await store.read(id),
    rules: () => watcher.current(),
    start: () => { watcher.start() },
    stop: async () => { await watcher.stop() },
  }
}
