import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld, type World } from '../helpers/world.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

async function startTestHub (t: Test, world: World, overrides: Parameters<World['writeConfig']>[0] = {}, schedule = true): Promise<Hub> {
  const config = await loadConfig(world.writeConfig(overrides), builtInRegistry(), world.env)
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger(), schedule })
  t.teardown(async () => await hub.close())
  return hub
}

async function agencyStats (world: World): Promise<{ records: number; invalidByDesign: number; invalidCases: { caseNumber: string; field: string }[] }> {
  return await (await fetch(`${world.agency.url}/__sim/stats`)).json() as never
}

t.test('every valid case reaches the platform once and every invalid one is quarantined with the field named', async t => {
  const world = await startWorld(t, 'sync', { agency: { records: 500, seed: 7 } })
  const hub = await startTestHub(t, world, {}, false) // pulls driven by the test, so their results can be read
  const source = await agencyStats(world)
  const first = await hub.pullNow(AGENCY)
  t.equal(first?.records, source.records, 'the first pull reads every source record')
  const expected = source.records - source.invalidByDesign
  t.ok(source.invalidByDesign >= 4, 'the source has invalid cases by design')

  await waitFor('the platform to hold every valid case', () => world.platform.stats().totals.stored === expected, { timeoutMs: 30_000, describe: () => JSON.stringify(world.platform.stats().totals) })
  const totals = world.platform.stats().totals
  t.equal(totals.stored, expected, 'stored = records − invalidByDesign')
  t.equal(totals.applied, totals.stored, 'each case written once')
  t.equal(totals.rejected, 0, 'the platform rejected nothing: invalid cases never left the hub')

  const quarantine = await hub.ledger.quarantine(AGENCY)
  t.equal(quarantine.length, source.invalidByDesign, 'quarantine holds exactly the invalid cases')
  for (const invalid of source.invalidCases) {
    const entry = quarantine.find(q => q.caseNumber === invalid.caseNumber)
    t.ok(entry, `${invalid.caseNumber} is in quarantine`)
    t.ok(entry?.problems.some(p => p.canonicalField === invalid.field), `${invalid.caseNumber}: the reason names ${invalid.field}`)
  }

  // A second pull finds nothing new to send: the ledger knows every version.
  const again = await hub.pullNow(AGENCY)
  t.equal(again?.changed, 0, 'an unchanged source enqueues nothing')
  t.equal(world.platform.stats().totals.applied, expected)
})

t.test('a case edited at the source is delivered again, once, and only that case', async t => {
  const world = await startWorld(t, 'update', { agency: { records: 120, seed: 3 } })
  const hub = await startTestHub(t, world)
  const source = await agencyStats(world)
  const expected = source.records - source.invalidByDesign
  await waitFor('initial sync', () => world.platform.stats().totals.stored === expected)
  const valid = (await hub.ledger.quarantine(AGENCY)).map(q => q.caseNumber)
  const target = ['SCJG-320322-2024-000002', 'SCJG-320322-2024-000003'].find(n => !valid.includes(n)) ?? ''
  const res = await fetch(`${world.agency.url}/__sim/cases/${target}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AQZY: '补充调查后更新的案情摘要' }) })
  t.equal(res.status, 200, 'source case edited')
  await hub.pullNow(AGENCY)
  await waitFor('the edit to be applied', () => world.platform.stats().totals.applied === expected + 1, { describe: () => JSON.stringify(world.platform.stats().totals) })
  t.equal(world.platform.stats().totals.stored, expected, 'no new case, the same one updated')
})

t.test('with 30 % of pushes failing and 429 bursts, every valid case ends stored once', async t => {
  const world = await startWorld(t, 'faults', {
    agency: { records: 1000, seed: 11 },
    platform: { seed: 5, failureRate: 0.3, rateLimit: { capacity: 4, refillPerSecond: 8 } },
  })
  await startTestHub(t, world, { push: { batchSize: 50, concurrency: 4 } })
  const source = await agencyStats(world)
  const expected = source.records - source.invalidByDesign
  await waitFor('every valid case stored despite the faults', () => world.platform.stats().totals.stored === expected, { timeoutMs: 90_000, describe: () => JSON.stringify(world.platform.stats().totals) })
  const totals = world.platform.stats().totals
  t.equal(totals.applied, expected, 'applied equals the number of cases: no case written twice')
  t.ok(totals.failuresInjected > 0, `failures were injected (${totals.failuresInjected})`)
  t.ok(totals.rateLimited > 0, `the platform answered 429 (${totals.rateLimited} times)`)
})

t.test('cases the platform keeps answering "retryable" go to the dead-letter set after the configured attempts, with the reason', async t => {
  const world = await startWorld(t, 'dead', { agency: { records: 40, seed: 4 }, platform: { recordRetryableRate: 1 } })
  const hub = await startTestHub(t, world, { push: { attempts: 3, batchSize: 20, backoff: { delayMs: 20, jitter: 0 } } })
  const source = await agencyStats(world)
  const expected = source.records - source.invalidByDesign
  const dead = await waitFor('every valid case to be dead-lettered', async () => {
    const entries = await hub.ledger.deadLetters(AGENCY)
    return entries.length === expected ? entries : undefined
  }, { timeoutMs: 20_000 })
  t.equal(world.platform.stats().totals.stored, 0, 'nothing stored')
  t.ok(dead.every(d => d.attempts === 3), 'each after exactly 3 attempts')
  t.ok(dead.every(d => /still not accepted after 3 attempts/.test(d.reason)), 'the reason says why')
  t.equal((await hub.ledger.counters(AGENCY)).deadLettered, expected, 'counted')
})

t.test('a push slower than the job timeout is aborted and retried, then dead-lettered with a timeout reason', async t => {
  const world = await startWorld(t, 'timeout', { agency: { records: 10, seed: 4 }, platform: { latencyMs: 2000 } })
  const hub = await startTestHub(t, world, { push: { attempts: 2, jobTimeoutMs: 200, backoff: { delayMs: 20, jitter: 0 } } })
  const dead = await waitFor('the timed-out cases in dead letters', async () => {
    const entries = await hub.ledger.deadLetters(AGENCY)
    return entries.length > 0 ? entries : undefined
  }, { timeoutMs: 20_000 })
  t.match(dead[0]?.reason, /CB_ERR_JOB_TIMEOUT: push to platform took longer than 200 ms/)
  t.equal(dead[0]?.attempts, 2)
})
