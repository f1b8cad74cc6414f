/**
 * The platform misbehaves the ways real ones do — a long outage, 429 storms, answers slower
 * than the hub's timeout, a 5xx after it stored the batch, a record it always refuses — and
 * the hub still delivers every case once, waits when asked, and loses nothing.
 */
import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld, type World } from '../helpers/world.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

async function startTestHub (t: Test, world: World, push: Record<string, unknown>): Promise<Hub> {
  const config = await loadConfig(world.writeConfig({ push: { backoff: { delayMs: 100, jitter: 0.5, maxDelayMs: 2000 }, ...push } }), builtInRegistry(), world.env)
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger() })
  t.teardown(async () => await hub.close())
  return hub
}

async function validCases (world: World): Promise<number> {
  const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  return source.records - source.invalidByDesign
}

const batchRequests = (world: World): ReturnType<World['platform']['requests']> => world.platform.requests().filter(r => r.method === 'POST' && r.path === '/api/v1/cases/batch')

t.test('a 60 s platform outage mid-sync drains after recovery, with nothing lost and nothing written twice', async t => {
  const world = await startWorld(t, 'outage', { agency: { records: 800, seed: 31 }, platform: { seed: 2, latencyMs: 40 } })
  const expected = await validCases(world)
  const hub = await startTestHub(t, world, { batchSize: 25, concurrency: 2, attempts: 30 })
  await waitFor('the sync to be under way', () => world.platform.stats().totals.stored > 0, { timeoutMs: 30_000, intervalMs: 10 })
  const down = await fetch(`${world.platform.url}/__sim/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ durationMs: 60_000 }) })
  t.equal(down.status, 200, 'outage started')
  const outageEnds = Date.now() + 60_000
  const storedAtStart = world.platform.stats().totals.stored
  t.ok(storedAtStart < expected, `the outage began mid-sync (${storedAtStart} of ${expected} stored)`)

  await waitFor('every valid case stored after the outage', () => world.platform.stats().totals.stored === expected, { timeoutMs: 110_000, intervalMs: 200, describe: () => JSON.stringify(world.platform.stats().totals) })
  const drainedAfterMs = Date.now() - outageEnds
  t.ok(drainedAfterMs < 20_000, `the backlog drained within 20 s of the platform's return (${drainedAfterMs} ms)`)
  const totals = world.platform.stats().totals
  t.ok(totals.outageRejections > 0, `the hub met the outage (${totals.outageRejections} requests refused)`)
  t.equal(totals.applied, expected, 'applied = number of cases')
  t.equal(totals.unchanged, 0, 'no case sent twice under different keys')
  await waitFor('every acknowledgement in the ledger', async () => await hub.ledger.ackedCount(AGENCY) === expected)
  t.same(await hub.ledger.deadLetters(AGENCY), [], 'the outage dead-lettered nothing')
})

t.test('under a 429 storm no request is sent before the Retry-After the platform asked for', async t => {
  const world = await startWorld(t, 'storm', { agency: { records: 300, seed: 32 }, platform: { seed: 3, rateLimit: { capacity: 2, refillPerSecond: 1 } } })
  const expected = await validCases(world)
  // One push at a time, so no request can already be on its way when a 429 arrives.
  await startTestHub(t, world, { batchSize: 20, concurrency: 1, attempts: 30 })
  await waitFor('every valid case stored', () => world.platform.stats().totals.stored === expected, { timeoutMs: 90_000, intervalMs: 200, describe: () => JSON.stringify(world.platform.stats().totals) })

  const requests = batchRequests(world)
  const limited = requests.filter(r => r.status === 429)
  t.ok(limited.length >= 5, `a storm: ${limited.length} answers were 429`)
  const early = limited.flatMap(r => {
    const next = requests.find(n => n.arrivedAt >= r.answeredAt && n !== r)
    const allowedAt = r.answeredAt + (r.retryAfterMs ?? 0)
    return next !== undefined && next.arrivedAt < allowedAt ? [`${next.arrivedAt - r.answeredAt} ms after a 429 asking for ${r.retryAfterMs} ms`] : []
  })
  t.same(early, [], 'every request after a 429 waited at least its Retry-After')
  t.equal(world.platform.stats().totals.applied, expected, 'applied = number of cases')
})

t.test('an answer slower than the timeout is retried with the same idempotency key and not written twice', async t => {
  const world = await startWorld(t, 'slow', { agency: { records: 200, seed: 33 }, platform: { seed: 4, slowAnswers: { count: 3, delayMs: 4000 } } })
  const expected = await validCases(world)
  const hub = await startTestHub(t, world, { batchSize: 20, concurrency: 2, attempts: 20, jobTimeoutMs: 1000 })
  // The platform stores a slow batch at once; the hub knows only once its retry is answered.
  await waitFor('every case acknowledged to the hub', async () => await hub.ledger.ackedCount(AGENCY) === expected, { timeoutMs: 60_000, intervalMs: 100, describe: () => JSON.stringify(world.platform.stats().totals) })

  // The three late answers finish their delay after the hub has long moved on.
  await waitFor('the platform to end its three late answers', () => batchRequests(world).filter(r => r.status === 499).length >= 3, { timeoutMs: 15_000 })
  const requests = batchRequests(world)
  const byKey = new Map<string, number>()
  for (const r of requests) byKey.set(r.idempotencyKey ?? '', (byKey.get(r.idempotencyKey ?? '') ?? 0) + 1)
  const slow = requests.filter(r => r.status === 499)
  t.equal(slow.length, 3, 'three batches were given up by the hub before the platform answered')
  for (const r of slow) t.ok((byKey.get(r.idempotencyKey ?? '') ?? 0) >= 2, `the slow batch ${r.idempotencyKey?.slice(0, 20)}… was sent again under the same key`)
  const totals = world.platform.stats().totals
  t.ok(totals.duplicatesSuppressed > 0, `the platform recognised the repeats (${totals.duplicatesSuppressed} records)`)
  t.equal(totals.applied, expected, 'applied = number of cases')
  t.equal(totals.unchanged, 0, 'no retry under a new key')
})

t.test('a 5xx after the platform stored the batch does not make a second write', async t => {
  const world = await startWorld(t, 'after-store', { agency: { records: 400, seed: 34 }, platform: { seed: 5, failAfterStoreRate: 0.4 } })
  const expected = await validCases(world)
  const hub = await startTestHub(t, world, { batchSize: 20, concurrency: 2, attempts: 30 })
  // The platform holds every case as soon as each batch's first try is stored; the retries of
  // the batches answered 500 come later, so wait for the hub to have every acknowledgement.
  await waitFor('every case acknowledged to the hub', async () => await hub.ledger.ackedCount(AGENCY) === expected, { timeoutMs: 60_000, intervalMs: 100, describe: () => JSON.stringify(world.platform.stats().totals) })
  const totals = world.platform.stats().totals
  t.equal(totals.stored, expected, 'every valid case stored')
  t.ok(totals.failuresInjected > 0, `500s after storing were injected (${totals.failuresInjected})`)
  t.ok(totals.duplicatesSuppressed > 0, 'the retries were recognised by their idempotency key')
  t.equal(totals.applied, expected, 'applied = number of cases')
  t.equal(totals.unchanged, 0, 'no retry under a new key')
})

t.test('a poison record the platform refuses goes to dead letters without holding up its batch or its agency', async t => {
  const poison = ['SCJG-320322-2024-000042', 'SCJG-320322-2024-000043']
  const world = await startWorld(t, 'poison', { agency: { records: 300, seed: 35 }, platform: { seed: 6, poisonCaseNumbers: poison } })
  const expected = await validCases(world)
  const hub = await startTestHub(t, world, { batchSize: 20, concurrency: 2, attempts: 10 })
  await waitFor('every other case stored', () => world.platform.stats().totals.stored === expected - poison.length, { timeoutMs: 60_000, intervalMs: 100, describe: () => JSON.stringify(world.platform.stats().totals) })
  await waitFor('the poison records in dead letters', async () => (await hub.ledger.deadLetters(AGENCY)).length === poison.length)
  const dead = await hub.ledger.deadLetters(AGENCY)
  t.same(dead.map(d => d.caseNumber).sort(), poison, 'exactly the refused records are dead letters')
  for (const d of dead) {
    t.match(d.reason, 'refused by the platform', `${d.caseNumber}: the platform's reason is kept`)
    t.equal(d.attempts, 1, `${d.caseNumber}: dead-lettered at once (retrying a refusal cannot help)`)
  }
  // Every other case — the poison records' batch-mates among them — was stored and acknowledged.
  await waitFor('the ledger to acknowledge the rest', async () => await hub.ledger.ackedCount(AGENCY) === expected - poison.length)
  t.equal(world.platform.stats().totals.applied, expected - poison.length, 'every other case written once')
})
