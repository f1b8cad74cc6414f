/**
 * The scripted drift of issue 5, shared by the one-hub and two-hub tests: after a clean
 * sync, delete 17 cases on the platform, edit 5 there, change 9 at the source without
 * touching their update timestamp, add 3 orphans on the platform — and 4 decided cases
 * were decided 60 days before they reached the platform (deadline 45 days).
 */
import type { Test } from 'tap'
import { Queue } from 'bullmq'
import type { AgencyRecord } from '../../fixtures/agency-sim/index.js'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { WEBHOOK_QUEUE } from '../../src/alarms/webhook-delivery.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startPushService } from '../../src/delivery/push-service.js'
import { startReconciliation, type Reconciliation } from '../../src/reconcile/hub-reconciliation.js'
import type { ReconcileResult } from '../../src/reconcile/findings.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import type { TargetAdapter } from '../../src/contracts/target-adapter.js'
import type { CompiledMapping } from '../../src/mapping/types.js'
import { waitFor } from '../helpers/wait-for.js'
import { LOCAL_REDIS, type TestRedis } from '../helpers/redis.js'
import { AGENCY, backdateDecision, editSourceSilently, startReconcileWorld, type ReconcileWorld } from './reconcile-world.js'
import type { TargetKind } from '../helpers/targets.js'

export const SOURCE_CASES = 160
export const MIN_AGE_MS = 1000
export const DEADLINE_DAYS = 45

export interface PlantedDrift {
  readonly deleted: string[]
  readonly editedOnPlatform: string[]
  readonly changedAtSource: string[]
  readonly orphans: string[]
  readonly late: string[]
  /** When the last drift was planted: nothing is judged before MIN_AGE_MS after it. */
  readonly at: number
}

export async function startDriftHub (t: Test, world: ReconcileWorld, file: string, schedule = false): Promise<Hub> {
  const config = await loadConfig(file, builtInRegistry(), world.env)
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger(), schedule, reconcileClock: world.clock.now })
  t.teardown(async () => await hub.close())
  return hub
}

/** The world with 4 decisions backdated before the first sync, and its hub config. */
export async function driftWorld (t: Test, label: string, kind: TargetKind = 'canonical', redis: TestRedis = LOCAL_REDIS): Promise<{ world: ReconcileWorld; file: string; late: string[] }> {
  const world = await startReconcileWorld(t, label, SOURCE_CASES, kind, redis)
  const decided = world.records.filter(r => r.CFJDRQ !== '' && (r.AJZT === '30' || r.AJZT === '40'))
  const late = decided.slice(0, 4)
  for (const r of late) await backdateDecision(world, r, 60)
  const file = world.writeConfig({ minAgeSeconds: MIN_AGE_MS / 1000, entryDeadlineDays: DEADLINE_DAYS, lagLimitSeconds: 600 })
  return { world, file, late: late.map(r => r.AJBH) }
}

/** Pull everything and wait until the platform acknowledged every case. */
export async function syncAll (hub: Hub, world: ReconcileWorld, cases = SOURCE_CASES): Promise<void> {
  await hub.pullNow(AGENCY)
  await waitFor('every source case acknowledged', async () => await hub.ledger.ackedCount(AGENCY) === cases, { timeoutMs: 30_000, describe: async () => `${await hub.ledger.ackedCount(AGENCY)} acknowledged, platform ${JSON.stringify(await world.target.totals())}, counters ${JSON.stringify(await hub.ledger.counters(AGENCY))}` })
}

/** Plant the drift through the target's own controls (test/helpers/targets.ts): the same scenario on every kind of platform. */
export async function plantDrift (world: ReconcileWorld, late: readonly string[]): Promise<PlantedDrift> {
  const pool = world.records.map(r => r.AJBH).filter(n => !late.includes(n))
  const deleted = pool.slice(0, 17)
  const editedOnPlatform = pool.slice(17, 22)
  const changedAtSource = pool.slice(22, 31)
  const code = world.agency.agencyCode
  const drift = world.target.drift
  for (const n of deleted) await drift.remove(code, n)
  for (const n of editedOnPlatform) await drift.edit(code, n)
  // The cause is corrected too: a field every platform's profile carries (the provincial
  // exchange has no facts summary), so the change is one the platform would show.
  const causeOf = new Map(world.records.map(r => [r.AJBH, r.AY]))
  for (const n of changedAtSource) await editSourceSilently(world, n, { AY: `${causeOf.get(n) ?? ''}（经复核更正）` })
  const orphans = ['SCJG-320322-2019-900001', 'SCJG-320322-2019-900002', 'SCJG-320322-2019-900003']
  for (const n of orphans) await drift.orphan(code, pool[40] as string, n)
  return { deleted, editedOnPlatform, changedAtSource, orphans, late: [...late], at: Date.now() }
}

/**
 * Let the minimum age pass after `at` (a real time) for the world's reconciliations: their
 * clock is moved past it, nothing waits. What changed at `at` is then no longer in flight.
 */
export function pastMinimumAge (world: ReconcileWorld, at: number): void {
  world.clock.movePast(at + MIN_AGE_MS + 50)
}

/** The same in real time, for a reconciliation in another process (the CLI), whose clock a test cannot move. */
export async function waitPastMinimumAge (at: number): Promise<void> {
  await waitFor('the minimum age to pass', () => Date.now() > at + MIN_AGE_MS + 50, { timeoutMs: MIN_AGE_MS + 5000, intervalMs: 25 })
}

/** Every webhook job settled (nothing waiting, delayed or active), so the deliveries seen are all there will be. */
export async function webhookQueueIdle (t: Test, prefix: string, on: TestRedis = LOCAL_REDIS): Promise<void> {
  const redis = on.connect({ maxRetriesPerRequest: null })
  const queue = new Queue(WEBHOOK_QUEUE, { connection: redis, prefix: queuePrefix(prefix, redis) })
  try {
    await waitFor('the webhook queue to settle', async () => {
      const c = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized')
      return Object.values(c).every(n => n === 0)
    }, { timeoutMs: 20_000 })
  } finally {
    await queue.close()
    redis.disconnect()
  }
  t.pass('webhook queue settled')
}

export const sorted = (list: readonly string[]): string[] => [...list].sort()

export interface OwnReconciler {
  /** The real adapters of the hub's config, opened by this test. */
  readonly source: SourceAdapter
  readonly target: TargetAdapter
  /** Reconcile the hub's agency with these adapters (default: the real ones) and options the hub API does not offer. */
  run (opts?: Parameters<Reconciliation['reconcileNow']>[1], adapters?: { source?: SourceAdapter; target?: TargetAdapter }): Promise<ReconcileResult>
}

/**
 * A reconciliation of the hub's agency, on the hub's Redis and ledger, outside the hub:
 * for adapters a test makes itself and options the hub's API does not take.
 */
export async function ownReconciler (t: Test, hub: Hub, world: ReconcileWorld, file: string): Promise<OwnReconciler> {
  const config = await loadConfig(file, builtInRegistry(), world.env)
  const agency = config.agencies[0]!
  const logger = silentLogger()
  const mapping = (): CompiledMapping => hub.mappings.get(AGENCY)!.current()
  const ctx = { logger, name: AGENCY, input: () => mapping().input }
  const source = builtInRegistry().sources.get('http-pull')!.create(agency.source, ctx)
  const target = builtInRegistry().targets.get('http-batch')!.create(config.targets.platform, ctx)
  const push = startPushService({ config, redis: hub.redis, ledger: hub.ledger, targets: new Map([['platform', target]]), logger, work: false })
  t.teardown(async () => { await push.close(); await source.close(); await target.close() })
  const queue = push.queues.get('platform')!
  return {
    source,
    target,
    async run (opts = {}, adapters = {}) {
      const r = startReconciliation({ config, redis: hub.redis, ledger: hub.ledger, logger, agencies: [{ agency, source: adapters.source ?? source, target: adapters.target ?? target, mapping, queue }], schedule: false, alarms: hub.alarms, now: world.clock.now })
      try { return await r.reconcileNow(AGENCY, opts) } finally { await r.close() }
    },
  }
}

export type { AgencyRecord }
