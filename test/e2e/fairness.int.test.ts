/**
 * One agency must not hold the others up: not by a huge back-fill, not by a retry storm of
 * its own — and an operator can stop such a storm (pause the agency, clear its retries)
 * without losing a case.
 */
import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { creditCode } from '../../fixtures/agency-sim/identity.js'
import { DEMO_AGENCY_CODE, DEMO_REGION_CODE } from '../../fixtures/agency-sim/index.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { pushQueueName } from '../../src/delivery/push-job.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { startWorld, type World } from '../helpers/world.js'
import { waitFor } from '../helpers/wait-for.js'
import { Ledger } from '../../src/ledger/ledger.js'

const BIG = 'market-regulation-peixian'
const SMALL = 'market-regulation-small'
const SMALL_CODE = creditCode('11', DEMO_REGION_CODE, '01416599')
const OPERATOR_TOKEN = 'fairness-operator-token'
// CASEBRIDGE_TEST_NO_WINDOW=1 shows what this test guards against (the small agency waits behind the back-fill).
const WINDOW = process.env.CASEBRIDGE_TEST_NO_WINDOW === '1' ? { agencyWindow: 100_000 } : {}

async function startTestHub (t: Test, configFile: string, world: World): Promise<Hub> {
  const config = await loadConfig(configFile, builtInRegistry(), world.env)
  const withToken = { ...config, admin: { ...config.admin, tokens: [{ id: 'ops', role: 'operator' as const, sha256: hashToken(OPERATOR_TOKEN) }] } }
  const hub = await startHub({ config: withToken, registry: builtInRegistry(), logger: silentLogger() })
  t.teardown(async () => await hub.close())
  return hub
}

async function validOf (url: string): Promise<number> {
  const s = await (await fetch(`${url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  return s.records - s.invalidByDesign
}

const storedFor = (world: World, code: string): number => world.platform.stats().agencies[code]?.stored ?? 0

t.test('a 50,000-case back-fill of one agency does not hold up the 50 cases of another', { timeout: 600_000 }, async t => {
  // A platform slower than the pulls (250 ms a batch, two at a time): the back-fill queues up.
  const world = await startWorld(t, 'fair-backfill', { agency: { records: 50_000, seed: 41 }, platform: { seed: 7, latencyMs: 250 } })
  const small = await world.addAgency(SMALL, SMALL_CODE, { records: 50, seed: 42 })
  const [bigValid, smallValid] = [await validOf(world.agency.url), await validOf(small.url)]
  const config = world.writeConfig({ push: { batchSize: 250, concurrency: 2, attempts: 20, ...WINDOW }, pageSize: 500, moreAgencies: [small] })
  // The small agency is paused before the hub starts, so it joins only once the back-fill fills
  // the queue. (Paused after the start, its first pull at start could already have queued its
  // cases; paused pushes step aside, and resumed they rejoin behind more than the window.)
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(async () => { await redis.quit() })
  await new Ledger(redis, world.prefix).pause(SMALL, 'test')
  const hub = await startTestHub(t, config, world)
  await waitFor('the back-fill to be well under way', () => storedFor(world, DEMO_AGENCY_CODE) >= 10_000, { timeoutMs: 120_000, intervalMs: 20 })
  t.equal((await hub.ledger.counters(SMALL)).enqueued, 0, 'nothing of the small agency queued while it was paused')
  await hub.ledger.resume(SMALL)
  const joined = Date.now()
  // Counted from the moment the small agency's first cases are in the queue, not from the
  // resume: until its next pull tick has run, the back-fill rightly goes on alone (at up to
  // ~2,000 cases/s, so a second of tick and pull under load would otherwise count as waiting).
  await waitFor('the small agency\'s first cases queued', async () => (await hub.ledger.counters(SMALL)).enqueued > 0, { timeoutMs: 30_000, intervalMs: 10 })
  const bigAtJoin = storedFor(world, DEMO_AGENCY_CODE)
  const queuedAt = Date.now()

  await waitFor('the small agency to be complete', () => storedFor(world, SMALL_CODE) === smallValid, { timeoutMs: 120_000, intervalMs: 20, describe: () => JSON.stringify(world.platform.stats().agencies) })
  const smallSeconds = (Date.now() - joined) / 1000
  const bigAtThatMoment = storedFor(world, DEMO_AGENCY_CODE)
  t.comment(`resume → first cases queued ${queuedAt - joined} ms; → complete ${Date.now() - queuedAt} ms; back-fill in flight at the end ${await hub.ledger.inFlight(BIG)}`)
  // Ahead of the small agency's cases in the queue: at most the back-fill's window (8 batches of 250).
  t.ok(bigAtThatMoment - bigAtJoin <= 2 * 8 * 250, `the small agency waited behind no more than the back-fill's window: ${bigAtThatMoment - bigAtJoin} of its cases were delivered meanwhile`)
  t.ok(bigAtThatMoment < bigValid * 0.75, `the small agency was complete while the back-fill was far from done (${bigAtThatMoment} of ${bigValid})`)
  t.ok(smallSeconds < 15, `the small agency was complete within seconds of joining (${smallSeconds.toFixed(1)} s)`)

  await waitFor('the back-fill to complete', () => storedFor(world, DEMO_AGENCY_CODE) === bigValid, { timeoutMs: 400_000, intervalMs: 250, describe: () => JSON.stringify(world.platform.stats().totals) })
  t.equal(world.platform.stats().totals.applied, bigValid + smallValid, 'every case of both written once')
})

t.test('a retry storm of one agency does not hold up another, and an operator stops it — pause, clear retries — without losing a case', { timeout: 300_000 }, async t => {
  // The platform cannot take the big agency's cases (a partial outage): its pushes retry.
  const world = await startWorld(t, 'fair-storm', { agency: { records: 400, seed: 43 }, platform: { seed: 8, unavailableAgencies: [DEMO_AGENCY_CODE] } })
  const small = await world.addAgency(SMALL, SMALL_CODE, { records: 200, seed: 44, live: { intervalMs: 200, newPerTick: 2, updatesPerTick: 0 } })
  const stormValid = await validOf(world.agency.url)
  const config = world.writeConfig({ push: { batchSize: 20, concurrency: 2, attempts: 100, backoff: { delayMs: 200, jitter: 0.5, maxDelayMs: 1000 } }, moreAgencies: [small] })
  const hub = await startTestHub(t, config, world)
  const api = async (path: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${hub.adminUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' }, body: '{}' })
    t.equal(res.status, 200, `POST ${path} answers 200`)
    return await res.json() as Record<string, unknown>
  }
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(world.prefix) })
  t.teardown(async () => { await queue.close(); redis.disconnect() })
  const stormRequests = (since = 0): number => world.platform.requests(since).filter(r => r.idempotencyKey?.startsWith(`${BIG}.`) === true).length

  await waitFor('a storm of refused pushes of the failing agency', () => stormRequests() > 20, { timeoutMs: 60_000, intervalMs: 50 })
  await waitFor('the other agency to sync while the storm goes on', async () => storedFor(world, SMALL_CODE) >= await validOf(small.url) - 5, { timeoutMs: 60_000, intervalMs: 50 })
  t.equal(storedFor(world, DEMO_AGENCY_CODE), 0, 'nothing of the failing agency is stored')

  t.same(await api(`/api/agencies/${BIG}/pause`), { agency: BIG, paused: true, changed: true }, 'pause')
  const cleared = await api(`/api/agencies/${BIG}/retries/clear`)
  t.ok(Number(cleared.jobs) > 0, `retrying jobs taken out of the queue (${JSON.stringify(cleared)})`)
  // A job in the middle of an attempt when the retries were cleared finishes that attempt and,
  // paused, waits; clearing again takes it too.
  await waitFor('no retrying push of the failing agency left', async () => {
    const again = await api(`/api/agencies/${BIG}/retries/clear`)
    const left = (await queue.getDelayed(0, -1)).filter(j => (j.data as { agencyId: string }).agencyId === BIG && j.attemptsMade > 0)
    return Number(again.busy) === 0 && left.length === 0
  }, { timeoutMs: 30_000, intervalMs: 300 })
  const quietFrom = Date.now()
  const dead = await hub.ledger.deadLetters(BIG)
  // The delivery window kept the storm to 8 batches of 20 (the rest waits at the source, its cursor unmoved).
  t.ok(dead.length > 0 && dead.length <= 8 * 20 + 200, `the cleared cases are dead letters, no more than the agency's window and a page (${dead.length})`)
  t.ok(dead.every(d => d.reason.includes('retries cleared by ops')), 'each says who cleared its retries')

  // Paused: no pull, no push of that agency; the other one goes on.
  const smallBefore = storedFor(world, SMALL_CODE)
  await waitFor('the other agency to keep syncing', () => storedFor(world, SMALL_CODE) >= smallBefore + 10, { timeoutMs: 30_000, intervalMs: 50 })
  t.equal(stormRequests(quietFrom), 0, 'not one push of the paused agency since its retries were cleared')

  // The platform is fixed: resume, retry the dead letters, and every case arrives once.
  await fetch(`${world.platform.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unavailableAgencies: [] }) })
  t.same(await api(`/api/agencies/${BIG}/resume`), { agency: BIG, paused: false, changed: true }, 'resume')
  await api(`/api/agencies/${BIG}/dead-letters/retry`)
  await waitFor('every case of the stormed agency stored', () => storedFor(world, DEMO_AGENCY_CODE) === stormValid, { timeoutMs: 60_000, intervalMs: 100, describe: () => JSON.stringify(world.platform.stats().agencies) })
  await waitFor('its dead letters resolved', async () => (await hub.ledger.deadLetters(BIG)).length === 0, { timeoutMs: 30_000 })
  t.equal(world.platform.stats().agencies[DEMO_AGENCY_CODE]?.applied, stormValid, 'each of its cases written once')
})
