/**
 * The hub on a Redis Cluster of three masters (test/helpers/redis-cluster.ts): every Lua
 * script and MULTI it runs must keep to one slot — the agency's keys share `{agency}`, the
 * alarms `{alarms}`, the queues `{bull}` — or Redis answers CROSSSLOT. The demo's three
 * agencies are synced (quarantine included), cases the platform never accepts go to dead
 * letters, a crash-cycle run kills the hub at least 5 times, a reconciliation drift run
 * reports, alarms and repairs; at the end no master has ever answered CROSSSLOT (its
 * errorstats say) and no hub log mentions it.
 */
import t, { type Test } from 'tap'
import { Cluster } from 'ioredis'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { agencyKeys } from '../../src/ledger/keys.js'
import { builtInRegistry } from '../../adapters/index.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'
import { creditCode } from '../../fixtures/agency-sim/identity.js'
import { DEMO_REGION_CODE } from '../../fixtures/agency-sim/index.js'
import { startOwnCluster } from '../helpers/redis-cluster.js'
import type { TestRedis } from '../helpers/redis.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { spawnHub } from '../helpers/hub-process.js'
import { waitFor } from '../helpers/wait-for.js'
import { startWorld, type World } from '../helpers/world.js'
import { crashCycles } from './crash-cycle-run.js'
import { driftRun } from '../reconcile/drift-run.js'

const AGENCY = 'market-regulation-peixian'
const SEED = Number(process.env.CASEBRIDGE_CRASH_SEED ?? Date.now() % 1_000_000)

const cluster = await startOwnCluster(t)
const onCluster: TestRedis = {
  section: { cluster: { nodes: cluster.nodes } },
  connect: opts => new Cluster([...cluster.nodes], { redisOptions: opts ?? {} }),
}
/** Every hub log of this file, scanned for CROSSSLOT at the end. */
const hubLogs: string[] = []

async function sourceStats (url: string): Promise<{ records: number; invalidByDesign: number }> {
  return await (await fetch(`${url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
}

async function startLoggedHub (t: Test, world: World, overrides: Parameters<World['writeConfig']>[0]): Promise<Awaited<ReturnType<typeof startHub>>> {
  const capture = capturingLogger('info')
  const config = await loadConfig(world.writeConfig(overrides), builtInRegistry(), world.env)
  const hub = await startHub({ config, registry: builtInRegistry(), logger: capture.logger })
  t.teardown(async () => { await hub.close(); hubLogs.push(capture.entries().map(e => JSON.stringify(e)).join('\n')) })
  return hub
}

t.test('the demo\'s three agencies sync through a hub process on the Cluster: every valid case once, the invalid ones quarantined, the queues under a hash tag', async t => {
  const world = await startWorld(t, 'cluster-sync', { agency: { records: 400, seed: 7 }, redis: onCluster })
  const second = await world.addAgency('market-regulation-fengxian', creditCode('11', DEMO_REGION_CODE, '01416601'), { records: 300, seed: 8 })
  const third = await world.addAgency('market-regulation-suining', creditCode('11', DEMO_REGION_CODE, '01416602'), { records: 200, seed: 9 })
  const sources = await Promise.all([world.agency.url, second.url, third.url].map(sourceStats))
  const expected = sources.reduce((n, s) => n + s.records - s.invalidByDesign, 0)
  const hub = spawnHub(world.writeConfig({ moreAgencies: [second, third], logLevel: 'info' }), world.env)
  t.teardown(() => { hub.child.kill('SIGKILL') })
  await hub.started
  await waitFor('the platform to hold every valid case of the three agencies', () => world.platform.stats().totals.stored === expected, { timeoutMs: 60_000, describe: () => `${JSON.stringify(world.platform.stats().totals)}; ${hub.output().slice(-1500)}` })
  const totals = world.platform.stats().totals
  t.equal(totals.stored, expected, `stored = the valid cases of the three agencies (${expected})`)
  t.equal(totals.applied, expected, 'each written once')
  const client = onCluster.connect()
  t.teardown(() => { client.disconnect() })
  const ids = [AGENCY, second.id, third.id]
  await waitFor('the ledgers to record every acknowledgement', async () => {
    const acked = await Promise.all(ids.map(async id => await client.hlen(agencyKeys(world.prefix, id).acked)))
    return acked.reduce((a, b) => a + b, 0) === expected
  }, { timeoutMs: 30_000 })
  const quarantined = await Promise.all(ids.map(async id => await client.hlen(agencyKeys(world.prefix, id).quarantine)))
  t.same(quarantined, sources.map(s => s.invalidByDesign), 'each agency\'s quarantine holds exactly its invalid cases')
  t.equal(await client.exists(`${world.prefix}:{bull}:push-platform:meta`), 1, 'the push queue lives under the hash-tagged prefix')
  hub.child.kill('SIGTERM')
  t.equal((await hub.exited).code, 0, 'the hub stops cleanly')
  hubLogs.push(hub.output())
})

t.test('cases the platform keeps answering "retryable" are dead-lettered on the Cluster', async t => {
  const world = await startWorld(t, 'cluster-dead', { agency: { records: 40, seed: 4 }, platform: { recordRetryableRate: 1 }, redis: onCluster })
  const hub = await startLoggedHub(t, world, { push: { attempts: 3, batchSize: 20, backoff: { delayMs: 20, jitter: 0 } } })
  const source = await sourceStats(world.agency.url)
  const expected = source.records - source.invalidByDesign
  const dead = await waitFor('every valid case to be dead-lettered', async () => {
    const entries = await hub.ledger.deadLetters(AGENCY)
    return entries.length === expected ? entries : undefined
  }, { timeoutMs: 30_000 })
  t.ok(dead.every(d => d.attempts === 3), 'each after exactly 3 attempts')
  t.equal((await hub.ledger.counters(AGENCY)).deadLettered, expected, 'counted')
})

t.test('a hub killed at least 5 times across the sync path on the Cluster loses nothing and writes nothing twice', { timeout: 600_000 }, async t => {
  t.comment(`crash seed ${SEED} (replay with CASEBRIDGE_CRASH_SEED=${SEED})`)
  await crashCycles(t, { kind: 'canonical', round: 1, cycles: 7, records: 1200, outageMs: 0, minCrashes: 5 }, { rng: new Rng(SEED), seed: SEED, label: 'cluster-cycles', redis: onCluster, hubOutputs: hubLogs })
})

t.test('a reconciliation on the Cluster reports the scripted drift exactly, alarms once per kind, and repair restores equality', async t => {
  await driftRun(t, 'canonical', 'cluster-drift', onCluster)
})

t.test('no Cluster master ever answered CROSSSLOT, and no hub log mentions it', async t => {
  const masters = cluster.client.nodes('master')
  t.equal(masters.length, 3, 'three masters')
  const stats = await Promise.all(masters.map(async m => await m.info('errorstats')))
  const crossslot = stats.map(s => Number(/errorstat_CROSSSLOT:count=(\d+)/.exec(s)?.[1] ?? 0))
  t.same(crossslot, [0, 0, 0], 'CROSSSLOT errors per master (INFO errorstats)')
  t.ok(hubLogs.length >= 7, `hub logs collected (${hubLogs.length})`)
  t.notOk(hubLogs.some(log => log.includes('CROSSSLOT')), 'no hub log mentions CROSSSLOT')
})
