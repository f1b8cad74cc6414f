import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Queue } from 'bullmq'
import type { Ledger } from '../ledger/ledger.js'
import type { PushItem } from '../delivery/push-job.js'
import type { TargetHealth } from './target-health.js'
import { readLedgerSnapshot, type LedgerSnapshot } from './ledger-snapshot.js'
import type { UnpulledBacklog } from '../lag/unpulled-backlog.js'
import { ALARM_KINDS, UNRESOLVED_ALARM_STATES, type OpenAlarmCount } from '../alarms/alarm-kinds.js'

export type { OpenAlarmCount } from '../alarms/alarm-kinds.js'

export interface MetricsSources {
  readonly ledger: Ledger
  readonly agencies: readonly { readonly id: string }[]
  /** Push queues by target id (BullMQ job counts are read at scrape time). */
  readonly queues: ReadonlyMap<string, Queue>
  readonly targets: TargetHealth
  readonly hub: { readonly name: string; readonly locale: string; readonly version: string }
  /** Whether the hub is ready (the same checks as /readyz). */
  readonly ready: () => Promise<boolean>
  /** Open alarms by agency and kind; absent until the alarm module is wired. */
  readonly openAlarms?: () => Promise<readonly OpenAlarmCount[]>
  /** Per agency, the ratio of its cases not missing each expected field (src/admin/agency-completeness.ts); absent: no such metric. */
  readonly completeness?: (agencyId: string) => Promise<readonly { readonly field: string; readonly ratio: number | null }[]>
  /** What waits at each agency's source that no pull has read (src/lag/unpulled-backlog.ts). */
  readonly backlog?: (agencyId: string) => Promise<UnpulledBacklog>
  /** Per agency, cases with each transfer-risk / time-limit finding kind (src/risk); absent: the feature is off, no such metric. */
  readonly riskFindings?: (agencyId: string) => Promise<Readonly<Record<string, number>>>
}

export interface HubMetrics {
  readonly registry: Registry
  /** The push processor's acknowledgement hook: end-to-end latency per case. */
  observeAcknowledged (agencyId: string, items: readonly Pick<PushItem, 'firstSeenMs'>[], ackedAtMs: number): void
}

/** Seconds from first seen to acknowledged: from "instant" to "a day late". */
export const LATENCY_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400]

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const

/**
 * The hub's Prometheus metrics, on a registry of its own (never prom-client's global one,
 * so two hubs in one process — tests — do not mix). Counters that must survive restarts and
 * agree across hub instances are read from the ledger in Redis at scrape time; take `max by
 * (agency)` of them across instances, not `sum`. Only the latency histogram and the target
 * request counts are this process's own.
 */
export function createHubMetrics (src: MetricsSources): HubMetrics {
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry, prefix: 'casebridge_' })
  // prom-client names these gauges `…_total`, which Prometheus reserves for counters
  // (promtool check metrics refuses them); the process and heap metrics stay.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(`casebridge_${name}`)

  // One ledger read per scrape, shared by every collector below.
  let pending: Promise<LedgerSnapshot[]> | undefined
  const snapshot = async (): Promise<LedgerSnapshot[]> => {
    pending ??= readLedgerSnapshot(src.ledger, src.agencies.map(a => a.id)).finally(() => setTimeout(() => { pending = undefined }, 250).unref())
    return await pending
  }

  const ledgerCounter = (name: string, help: string, value: (s: LedgerSnapshot) => number): void => {
    new Counter({
      name, help, labelNames: ['agency'], registers,
      async collect () {
        this.reset()
        for (const s of await snapshot()) this.inc({ agency: s.agency }, value(s))
      },
    })
  }
  const ledgerGauge = (name: string, help: string, value: (s: LedgerSnapshot) => number | undefined): void => {
    new Gauge({
      name, help, labelNames: ['agency'], registers,
      async collect () {
        this.reset()
        for (const s of await snapshot()) {
          const v = value(s)
          if (v !== undefined) this.set({ agency: s.agency }, v)
        }
      },
    })
  }

  ledgerCounter('casebridge_agency_records_pulled_total', 'Records read from the agency system (ledger, all hub instances).', s => s.pulledTotal)
  ledgerCounter('casebridge_agency_records_pushed_total', 'Case versions the platform acknowledged (ledger, all hub instances).', s => s.pushedTotal)
  ledgerCounter('casebridge_agency_records_quarantined_total', 'Records sent to quarantine by mapping or validation (ledger, all hub instances).', s => s.quarantinedTotal)
  ledgerCounter('casebridge_agency_records_dead_lettered_total', 'Cases moved to the dead-letter set (ledger, all hub instances).', s => s.deadLetteredTotal)
  ledgerGauge('casebridge_agency_quarantined_records', 'Records in quarantine now.', s => s.quarantinedNow)
  ledgerGauge('casebridge_agency_held_cases', 'Valid cases held for the target now: they lack a field its profile requires.', s => s.heldNow)
  ledgerCounter('casebridge_agency_cases_held_total', 'Cases held for a field the target profile requires (ledger, all hub instances).', s => s.heldTotal)
  ledgerGauge('casebridge_agency_dead_letters', 'Cases in the dead-letter set now.', s => s.deadLettersNow)
  ledgerGauge('casebridge_agency_sync_lag_seconds', 'Age of the oldest change not yet acknowledged by the platform (0 when none).', s => s.lagSeconds)
  ledgerGauge('casebridge_agency_last_pull_timestamp_seconds', 'When a pull of the agency last ended, successful or not (Unix time).', s => s.lastPullAt)
  ledgerGauge('casebridge_agency_last_successful_pull_timestamp_seconds', 'When a pull of the agency last succeeded (Unix time).', s => s.lastPullOkAt)
  // The supervision view's figures that are cheap to read at every scrape (GET /api/supervision has the rest).
  ledgerGauge('casebridge_agency_cases_delivered', 'Cases the platform acknowledged (distinct cases, each counted once whatever its versions).', s => s.deliveredNow)
  ledgerGauge('casebridge_agency_cases_missing_on_platform', 'Cases missing on the platform as the last reconciliation that compared it found (no sample: none has yet).', s => s.missingOnPlatform)
  ledgerCounter('casebridge_agency_late_entries_total', 'Decisions the platform first acknowledged after the entry deadline (迟录), as reconciliations judged them (each once).', s => s.lateEntriesTotal)
  ledgerGauge('casebridge_agency_last_successful_reconciliation_timestamp_seconds', 'When a reconciliation of the agency last succeeded (Unix time).', s => s.lastReconcileOkAt)

  new Gauge({
    name: 'casebridge_agency_field_completeness_ratio',
    help: 'Share of the agency\'s cases not missing the expected field (信息不全); 0 for a field its system does not have (absent: in the mapping). No sample while the agency has no case.',
    labelNames: ['agency', 'field'], registers,
    async collect () {
      this.reset()
      const read = src.completeness
      if (read === undefined) return
      for (const a of src.agencies) {
        for (const f of await read(a.id)) if (f.ratio !== null) this.set({ agency: a.id, field: f.field }, f.ratio)
      }
    },
  })

  // No sample for an agency whose source cannot tell: an absent series is "unknown", a 0 would say "nothing waits".
  const backlogGauge = (name: string, help: string, value: (b: Extract<UnpulledBacklog, { state: 'known' }>) => number): void => {
    new Gauge({
      name, help, labelNames: ['agency'], registers,
      async collect () {
        this.reset()
        const read = src.backlog
        if (read === undefined) return
        for (const a of src.agencies) {
          const b = await read(a.id)
          if (b.state === 'known') this.set({ agency: a.id }, value(b))
        }
      },
    })
  }
  backlogGauge('casebridge_agency_unpulled_changes', 'Changes waiting at the agency\'s source that no pull has read (only for sources that can count them; no sample: unknown).', b => b.changes)
  backlogGauge('casebridge_agency_unpulled_oldest_age_seconds', 'Age of the oldest change waiting at the source that no pull has read (0 when none waits; no sample: unknown).', b => b.ageSeconds ?? 0)

  // A series for every agency and finding kind, 0 when none: a finding reviewed away must read 0, not vanish.
  new Gauge({
    name: 'casebridge_agency_risk_findings',
    help: 'Cases of the agency with a transfer-risk or handling time-limit finding to review (待核查), by finding kind.',
    labelNames: ['agency', 'kind'], registers,
    async collect () {
      this.reset()
      const read = src.riskFindings
      if (read === undefined) return
      for (const a of src.agencies) for (const [kind, n] of Object.entries(await read(a.id))) this.set({ agency: a.id, kind }, n)
    },
  })

  // A series for every agency, kind and state, 0 when no such alarm is raised: a resolved
  // alarm's series must read 0, not vanish (dashboards would show "No data" on a healthy hub,
  // and an alert rule could not tell "none" from "not scraped").
  new Gauge({
    name: 'casebridge_alarms_open',
    help: 'Alarms not resolved, by agency, kind and state (open: nobody has acknowledged it yet; acknowledged: an operator has); 0 for every kind not raised.',
    labelNames: ['agency', 'kind', 'state'], registers,
    async collect () {
      this.reset()
      if (src.openAlarms === undefined) return
      for (const a of src.agencies) {
        for (const kind of ALARM_KINDS) for (const state of UNRESOLVED_ALARM_STATES) this.set({ agency: a.id, kind, state }, 0)
      }
      for (const a of await src.openAlarms()) this.inc({ agency: a.agency, kind: a.kind, state: a.state }, a.count)
    },
  })

  new Gauge({
    name: 'casebridge_queue_jobs', help: 'Push jobs per queue and state (BullMQ, read at scrape time).', labelNames: ['queue', 'state'], registers,
    async collect () {
      this.reset()
      await Promise.all([...src.queues.values()].map(async queue => {
        const counts = await queue.getJobCounts(...QUEUE_STATES)
        for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0)
      }))
    },
  })

  new Gauge({
    name: 'casebridge_target_up', help: 'Whether the last request of this hub process to the target got an answer (1) or not (0).', labelNames: ['target'], registers,
    collect () {
      this.reset()
      for (const t of src.targets.list()) this.set({ target: t.target }, src.targets.reachable(t.target) ? 1 : 0)
    },
  })
  new Counter({
    name: 'casebridge_target_requests_total', help: 'Push requests of this hub process per target and outcome.', labelNames: ['target', 'outcome'], registers,
    collect () {
      this.reset()
      for (const c of src.targets.requestCounts()) this.inc({ target: c.target, outcome: c.outcome }, c.count)
    },
  })

  new Gauge({
    name: 'casebridge_hub_ready', help: 'Whether the hub is ready: Redis writable, targets reachable, config loaded (the /readyz checks).', registers,
    async collect () { this.set(await src.ready() ? 1 : 0) },
  })
  new Gauge({ name: 'casebridge_hub_info', help: 'Constant 1, labelled with the hub name, version and locale.', labelNames: ['name', 'version', 'locale'], registers })
    .set({ name: src.hub.name, version: src.hub.version, locale: src.hub.locale }, 1)

  const latency = new Histogram({
    name: 'casebridge_end_to_end_latency_seconds',
    help: 'From the moment the hub first saw a case version to the platform acknowledging it (this hub process).',
    labelNames: ['agency'], buckets: LATENCY_BUCKETS, registers,
  })

  return {
    registry,
    observeAcknowledged (agencyId, items, ackedAtMs) {
      for (const item of items) latency.observe({ agency: agencyId }, Math.max(0, ackedAtMs - item.firstSeenMs) / 1000)
    },
  }
}
