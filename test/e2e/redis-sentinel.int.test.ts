/**
 * The hub on a Sentinel-watched Redis (test/helpers/redis-sentinel.ts: a primary, a replica,
 * three sentinels). Killed mid-sync, the primary is replaced by the replica: the hub follows
 * by itself, readyz fails during the switch and recovers, and after a reconciliation with
 * repair the platform holds exactly the source's valid cases, none written twice.
 *
 * Redis replicates asynchronously, so a failover may lose acknowledged writes. On loopback
 * the replica is never behind, so the loss is forced once: the replica is frozen (SIGSTOP)
 * while the hub syncs and acknowledges more cases, then the primary dies and the replica,
 * thawed, is promoted without them. Reconciliation must find exactly the cases whose
 * acknowledgement the ledger lost, and repair must converge.
 */
import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { agencyKeys } from '../../src/ledger/keys.js'
import { agencyLag } from '../../src/lag/agency-lag.js'
import { FINDING_KINDS, SAMPLE_SIZE, type ReconcileResult } from '../../src/reconcile/findings.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { builtInRegistry } from '../../adapters/index.js'
import { SENTINEL_MASTER_NAME, startOwnSentinelSet, type OwnSentinelSet } from '../helpers/redis-sentinel.js'
import type { TestRedis } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait-for.js'
import { DEMO_MAPPING, startWorld, type World } from '../helpers/world.js'
import { sourceVersions, versionDrift } from '../helpers/newest-versions.js'
import { canonicalTarget } from '../helpers/targets.js'

const AGENCY = 'market-regulation-peixian'

function onSentinels (set: OwnSentinelSet): TestRedis {
  return {
    section: { sentinels: set.sentinels, name: SENTINEL_MASTER_NAME },
    connect: opts => new Redis({ sentinels: [...set.sentinels], name: SENTINEL_MASTER_NAME, ...opts }),
  }
}

async function startTestHub (t: Test, world: World, schedule: boolean): Promise<Hub> {
  // The simulated decisions are years old: no late-entry judgement here (entryDeadlineFrom), only what the failover did.
  const file = world.writeConfig({ pageSize: 200, agency: { reconcile: { minAgeSeconds: 0, schedule: '0 0 0 1 1 *', entryDeadlineFrom: '2100-01-01' } } })
  const config = await loadConfig(file, builtInRegistry(), world.env)
  const capture = capturingLogger('info')
  const hub = await startHub({ config, registry: builtInRegistry(), logger: capture.logger, schedule })
  t.teardown(async () => await hub.close())
  hubLogs.set(hub, capture.entries)
  return hub
}

/** Each hub's log lines, for the failure messages. */
const hubLogs = new Map<Hub, () => unknown[]>()
const lastLog = (hub: Hub): string => JSON.stringify((hubLogs.get(hub)?.() ?? []).slice(-8)).slice(0, 3000)

async function readyz (hub: Hub): Promise<number> {
  return (await fetch(`${hub.adminUrl ?? ''}/readyz`, { signal: AbortSignal.timeout(3000) }).catch(() => ({ status: 0 }))).status
}

async function validCases (world: World): Promise<number> {
  const s = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  return s.records - s.invalidByDesign
}

/** Kill the primary, let Sentinel promote the replica; readyz must fail on the way and come back: the seconds from the kill to green. */
async function failOver (t: Test, set: OwnSentinelSet, hub: Hub, beforePromotion: () => void = () => undefined): Promise<number> {
  const killedAt = Date.now()
  await set.primary.kill()
  beforePromotion()
  await waitFor('readyz to fail while the primary is gone', async () => await readyz(hub) !== 200, { timeoutMs: 15_000, intervalMs: 50 })
  t.pass('readyz fails during the switch')
  await waitFor('Sentinel to promote the replica', async () => await set.currentPrimaryPort() === set.replica.port, { timeoutMs: 30_000, intervalMs: 100 })
  await waitFor('readyz to be green again', async () => await readyz(hub) === 200, {
    timeoutMs: 60_000, intervalMs: 100,
    describe: async () => `${await (await fetch(`${hub.adminUrl ?? ''}/readyz`).catch(() => undefined))?.text() ?? '-'}; hub log: ${lastLog(hub)}`,
  })
  return (Date.now() - killedAt) / 1000
}

/** Every finding kind's count, for assertions and the report. */
const counts = (r: ReconcileResult): Record<string, number> => Object.fromEntries(FINDING_KINDS.map(k => [k, r.findings[k].count]))
const total = (r: ReconcileResult): number => Object.values(counts(r)).reduce((a, b) => a + b, 0)

/** Repair, wait for its deliveries, reconcile again: nothing left to find, the platform holds exactly the source's valid cases. */
async function repairConverges (t: Test, hub: Hub, world: World): Promise<ReconcileResult> {
  const repaired = await hub.reconcileNow(AGENCY, { repair: true })
  // This wait once ran out with 8 of the 25 repairs answered "stale": the counter of version
  // sequences had gone back with the lost writes, so the repairs were numbered below the
  // amendments the platform held (fixed: sequences are floored at Redis's clock, see
  // test/reconcile/version-sequence.int.test.ts). The state is printed if it happens again.
  await waitFor('the repairs to be acknowledged', async () => (await agencyLag(hub.ledger, AGENCY)).pendingChanges === 0, {
    timeoutMs: 120_000,
    describe: async () => JSON.stringify({ lag: await agencyLag(hub.ledger, AGENCY), platform: world.platform.stats().totals }),
  })
  const after = await hub.reconcileNow(AGENCY)
  t.equal(total(after), 0, `a second reconciliation finds nothing (${JSON.stringify(counts(after))})`)
  const drift = versionDrift(await sourceVersions(world.agency.url, DEMO_MAPPING), await canonicalTarget(world.platform).versions(world.agency.agencyCode))
  t.same(drift, { notNewest: [], extra: [] }, 'the platform holds exactly the source\'s valid cases, each in its newest version')
  return repaired
}

t.test('the primary killed mid-sync: Sentinel promotes the replica, the hub follows by itself, and after repair the platform holds every valid case once', { timeout: 300_000 }, async t => {
  const set = await startOwnSentinelSet(t)
  const world = await startWorld(t, 'sentinel-failover', { agency: { records: 3000, seed: 11, latencyMs: 5 }, platform: { latencyMs: 20 }, redis: onSentinels(set) })
  const expected = await validCases(world)
  const hub = await startTestHub(t, world, true)
  t.equal(await readyz(hub), 200, 'ready on the primary')
  await waitFor('the sync to be under way', () => world.platform.stats().totals.stored >= expected / 4, { timeoutMs: 60_000, intervalMs: 20 })
  const storedAtKill = world.platform.stats().totals.stored
  const seconds = await failOver(t, set, hub)
  t.ok(storedAtKill < expected, `the primary died mid-sync (${storedAtKill} of ${expected} stored)`)
  await waitFor('the platform to hold every valid case', () => world.platform.stats().totals.stored === expected, { timeoutMs: 120_000, describe: () => JSON.stringify(world.platform.stats().totals) })
  const repaired = await repairConverges(t, hub, world)
  const totals = world.platform.stats().totals
  const duplicates = totals.applied - totals.stored
  t.equal(totals.stored, expected, 'stored = the source\'s valid cases')
  t.equal(duplicates, 0, 'no case written twice (applied = stored)')
  t.equal(totals.reapplied, 0, 'no version written again')
  t.comment(`failover mid-sync: cases ${expected}, cases repaired ${repaired.repair?.enqueued ?? 0}, duplicates ${duplicates}, seconds from kill to readyz green ${seconds.toFixed(1)}`)
})

t.test('a failover that loses acknowledged writes: reconciliation finds exactly the cases whose newer version the ledger lost, and repair converges', { timeout: 300_000 }, async t => {
  const set = await startOwnSentinelSet(t)
  const redis = onSentinels(set)
  const world = await startWorld(t, 'sentinel-loss', { agency: { records: 500, seed: 12 }, redis })
  const hub = await startTestHub(t, world, false)
  const client = redis.connect()
  t.teardown(() => { client.disconnect() })
  const acked = agencyKeys(world.prefix, AGENCY).acked
  await hub.pullNow(AGENCY)
  const first = await validCases(world)
  await waitFor('the first cases acknowledged', async () => await client.hlen(acked) === first, { timeoutMs: 60_000 })
  t.equal(await (client as Redis).wait(1, 5000), 1, 'the replica has everything so far')
  const ackedBefore = new Map(Object.entries(await client.hgetall(acked)))

  // Frozen, the replica reads nothing; the primary gives up on it once 256 kB wait for it (as
  // it would on any replica that far behind), so what the hub writes from then on exists on
  // the primary alone — not even in a socket buffer the replica could still read on waking.
  await (client as Redis).config('SET', 'client-output-buffer-limit', 'replica 256kb 0 0')
  set.replica.pause()
  let filler = 0
  await waitFor('the primary to drop the frozen replica', async () => {
    await client.set(`${world.prefix}:filler:${filler++}`, 'x'.repeat(1 << 20))
    return (await client.info('replication')).includes('connected_slaves:0')
  }, { timeoutMs: 30_000, intervalMs: 10 })
  // While it is gone: 1500 new cases, and 25 acknowledged ones amended; all delivered and acknowledged.
  await fetch(`${world.agency.url}/__sim/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 1500 }) })
  const amended = [...ackedBefore.keys()].sort().slice(0, 25)
  for (const n of amended) {
    await fetch(`${world.agency.url}/__sim/cases/${encodeURIComponent(n)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AY: `案由经复核更正（${n}）` }) })
  }
  const expected = await validCases(world)
  await hub.pullNow(AGENCY)
  const amendedAcked = async (): Promise<boolean> => (await client.hmget(acked, ...amended)).every((v, i) => v !== null && v !== ackedBefore.get(amended[i] as string))
  await waitFor('the new and amended cases acknowledged on the primary alone', async () => await client.hlen(acked) === expected && await amendedAcked(), { timeoutMs: 120_000 })
  const seconds = await failOver(t, set, hub, () => { set.replica.resume() })

  const inLedger = new Map(Object.entries(await client.hgetall(acked)))
  const onPlatform = await canonicalTarget(world.platform).versions(world.agency.agencyCode)
  const lostNew = [...onPlatform.keys()].filter(n => !inLedger.has(n))
  const lostAmendments = amended.filter(n => inLedger.get(n) === ackedBefore.get(n))
  t.equal(onPlatform.size, expected, 'the platform holds every case the hub acknowledged')
  t.equal(lostNew.length, expected - first, 'the promoted replica lost the acknowledgement of every case added while it was frozen')
  t.same(lostAmendments, amended, 'and of every amendment: its ledger has the older versions')

  // The cases the ledger never heard of are the platform's and the source's alike: nothing to
  // repair (the cursor was rolled back with them, the next pull reads them again). The amended
  // ones are: the ledger's newest version is older than what source and platform hold.
  const found = await hub.reconcileNow(AGENCY, { repair: true })
  t.same(counts(found), { ...Object.fromEntries(FINDING_KINDS.map(k => [k, 0])), source_changed_unsynced: amended.length }, 'reconciliation finds exactly the amended cases whose acknowledgement was lost')
  const named = found.findings.source_changed_unsynced.samples
  t.ok(named.length === Math.min(SAMPLE_SIZE, amended.length) && named.every(n => amended.includes(n)), `naming them (${named.length} samples, all amended cases)`)
  t.equal(found.repair?.enqueued, amended.length, 'repair re-sends them')
  // This wait once ran out with 8 of the 25 repairs answered "stale": the counter of version
  // sequences had gone back with the lost writes, so the repairs were numbered below the
  // amendments the platform held (fixed: sequences are floored at Redis's clock, see
  // test/reconcile/version-sequence.int.test.ts). The state is printed if it happens again.
  await waitFor('the repairs to be acknowledged', async () => (await agencyLag(hub.ledger, AGENCY)).pendingChanges === 0, {
    timeoutMs: 120_000,
    describe: async () => JSON.stringify({ lag: await agencyLag(hub.ledger, AGENCY), platform: world.platform.stats().totals }),
  })
  await hub.pullNow(AGENCY)
  await waitFor('the ledger to know every acknowledged case again', async () => await client.hlen(acked) === expected && (await agencyLag(hub.ledger, AGENCY)).pendingChanges === 0, { timeoutMs: 120_000 })
  const after = await hub.reconcileNow(AGENCY)
  t.equal(total(after), 0, `a second reconciliation finds nothing (${JSON.stringify(counts(after))})`)
  const drift = versionDrift(await sourceVersions(world.agency.url, DEMO_MAPPING), await canonicalTarget(world.platform).versions(world.agency.agencyCode))
  t.same(drift, { notNewest: [], extra: [] }, 'the platform holds exactly the source\'s valid cases, each in its newest version')
  const totals = world.platform.stats().totals
  t.equal(totals.stored, expected, 'stored = the source\'s valid cases')
  t.equal(totals.applied, expected + amended.length, 'each case written once, each amendment once')
  t.equal(totals.reapplied, 0, 'no version written twice')
  t.comment(`forced loss: cases ${expected}, acknowledgements lost ${lostNew.length + lostAmendments.length} (${lostNew.length} new cases, ${lostAmendments.length} amendments), cases repaired ${found.repair?.enqueued ?? 0}, duplicates ${totals.reapplied}, seconds from kill to readyz green ${seconds.toFixed(1)}`)
})
