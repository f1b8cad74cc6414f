/**
 * Redis, the hub's only state, fails: killed mid-sync (losing what was not yet fsynced to
 * its AOF), or gone for half a minute — and a Redis set up to lose data is refused.
 * Each test runs its own redis-server (test/helpers/redis-server.ts).
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { Ledger } from '../../src/ledger/ledger.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { startWorld, type World } from '../helpers/world.js'
import { spawnHub, type HubProcess } from '../helpers/hub-process.js'
import { startOwnRedis } from '../helpers/redis-server.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'
const TOKEN = 'redis-faults-operator'
const admin = { tokens: [{ id: 'ops', role: 'operator', sha256: hashToken(TOKEN) }] }
// Reconciliation judges every record (no minimum age) and runs only when asked.
const agency = { reconcile: { minAgeSeconds: 0, schedule: '0 0 0 1 1 *' } }

async function validCases (world: World): Promise<number> {
  const s = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  return s.records - s.invalidByDesign
}

async function readyz (hub: HubProcess): Promise<number> {
  return (await fetch(`${hub.adminUrl()}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(() => ({ status: 0 }))).status
}

t.test('Redis killed with SIGKILL mid-sync and restarted: the hub carries on, and after the next reconciliation nothing is missing and nothing was written twice', { timeout: 300_000 }, async t => {
  const redis = await startOwnRedis(t)
  const world = await startWorld(t, 'redis-kill', { agency: { records: 2000, seed: 61 }, platform: { seed: 11, latencyMs: 30 } })
  const expected = await validCases(world)
  const config = world.writeConfig({ push: { batchSize: 50, concurrency: 2, attempts: 50 }, pageSize: 100, logLevel: 'info', admin, agency })
  const env = { ...world.env, TEST_REDIS_URL: redis.url }
  const hub = spawnHub(config, env)
  t.teardown(() => { hub.child.kill('SIGKILL') })
  await hub.started

  await waitFor('the sync to be under way', () => world.platform.stats().totals.stored >= 400, { timeoutMs: 60_000, intervalMs: 10 })
  await redis.kill()
  const storedAtKill = world.platform.stats().totals.stored
  t.ok(storedAtKill < expected, `Redis died mid-sync (${storedAtKill} of ${expected} stored)`)
  await waitFor('the hub to notice', () => hub.output().includes('redis connection problem'), { timeoutMs: 15_000 })
  await redis.start()

  await waitFor('the platform to hold every valid case', () => world.platform.stats().totals.stored === expected, { timeoutMs: 120_000, intervalMs: 100, describe: () => JSON.stringify(world.platform.stats().totals) })
  t.equal(hub.child.exitCode, null, 'the hub did not crash')
  t.match(hub.output(), /redis connection is back/, 'it says when Redis is back')

  // What Redis lost (up to a second of writes) the cursor rule replays and reconciliation checks.
  const res = await fetch(`${hub.adminUrl()}/api/agencies/${AGENCY}/reconcile`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ repair: true }) })
  t.equal(res.status, 200, 'a reconciliation with repair ran')
  const report = await res.json() as { findings: Record<string, { count: number }> }
  t.equal(report.findings.missing_in_target?.count ?? 0, 0, 'the reconciliation finds no case of the source missing on the platform')
  t.equal(report.findings.orphan_in_target?.count ?? 0, 0, 'and none on the platform the source lacks')
  const totals = world.platform.stats().totals
  t.equal(totals.stored, expected, 'stored = the source\'s valid cases')
  t.equal(totals.applied, expected, 'applied = number of cases: a replay after the loss re-sent nothing under a new key')

  const client = new Redis(redis.url)
  t.teardown(() => { client.disconnect() })
  await waitFor('the ledger to know every acknowledgement again', async () => await new Ledger(client, world.prefix).ackedCount(AGENCY) === expected, { timeoutMs: 60_000 })
  hub.child.kill('SIGTERM')
  t.equal((await hub.exited).code, 0, 'the hub stops cleanly afterwards')
})

t.test('Redis unreachable for 30 s: readyz fails all along, the hub says why and stays up, and recovers by itself', { timeout: 180_000 }, async t => {
  const redis = await startOwnRedis(t)
  const world = await startWorld(t, 'redis-away', { agency: { records: 300, seed: 62 }, platform: { seed: 12 } })
  const expected = await validCases(world)
  const config = world.writeConfig({ logLevel: 'info', admin })
  const hub = spawnHub(config, { ...world.env, TEST_REDIS_URL: redis.url })
  t.teardown(() => { hub.child.kill('SIGKILL') })
  await hub.started
  await waitFor('the first sync', () => world.platform.stats().totals.stored === expected, { timeoutMs: 60_000 })
  t.equal(await readyz(hub), 200, 'ready while Redis is up')

  await redis.kill()
  const downFrom = Date.now()
  let polls = 0
  // Half a minute of outage, looked at every second: never ready, never dead.
  while (Date.now() - downFrom < 30_000) {
    const status = await readyz(hub)
    t.equal(status, 503, `readyz answers 503 at ${Math.round((Date.now() - downFrom) / 1000)} s`)
    t.equal(hub.child.exitCode, null, 'the hub is still running')
    polls++
    await waitFor('a second to pass', () => Date.now() - downFrom >= polls * 1000, { intervalMs: 50 })
  }
  t.match(hub.output(), /redis connection problem/, 'the log says Redis is the problem')
  const liveness = await fetch(`${hub.adminUrl()}/healthz`)
  t.equal(liveness.status, 200, 'healthz stays 200: the process is alive, a restart would not help')

  await redis.start()
  await waitFor('readyz to be 200 again', async () => await readyz(hub) === 200, { timeoutMs: 30_000, intervalMs: 200 })
  // The log line comes through the child's stdout pipe, and from the connection's own 'ready'
  // event, not from the readiness check: it may arrive a moment after the first 200.
  await waitFor('the log to say Redis is back', () => /redis connection is back/.test(hub.output()), { timeoutMs: 10_000, intervalMs: 50 })
  // And it syncs again: an edit at the source reaches the platform.
  const edited = await fetch(`${world.agency.url}/__sim/cases/SCJG-320322-2024-000002`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AQZY: 'Redis 恢复后补充的案情摘要' }) })
  t.equal(edited.status, 200)
  await waitFor('the edit to be delivered', () => world.platform.stats().totals.applied === expected + 1, { timeoutMs: 60_000, describe: () => JSON.stringify(world.platform.stats().totals) })
  hub.child.kill('SIGTERM')
  t.equal((await hub.exited).code, 0, 'the hub stops cleanly')
})

t.test('the hub refuses a Redis that may evict keys, and warns loudly about one that keeps nothing on disk', async t => {
  const world = await startWorld(t, 'redis-policy')
  const evicting = await startOwnRedis(t, ['--maxmemory-policy', 'allkeys-lru'])
  const refused = spawnHub(world.writeConfig(), { ...world.env, TEST_REDIS_URL: evicting.url })
  t.teardown(() => { refused.child.kill('SIGKILL') })
  const exit = await refused.exited
  t.equal(exit.code, 2, 'it exits at start (code 2: configuration)')
  t.match(refused.output(), /maxmemory-policy is "allkeys-lru"; the hub requires "noeviction"/, 'naming the policy and what it needs')

  const volatile = await startOwnRedis(t, ['--appendonly', 'no'])
  const warned = spawnHub(world.writeConfig({ logLevel: 'info' }), { ...world.env, TEST_REDIS_URL: volatile.url })
  t.teardown(() => { warned.child.kill('SIGKILL') })
  await warned.started
  const warning = warned.output().split('\n').find(line => line.includes('Redis keeps nothing on disk'))
  t.ok(warning, 'it warns that a Redis restart would lose the ledger')
  t.match(warning ?? '', /"level":40/, 'at warning level')
  t.match(warning ?? '', /appendonly yes with appendfsync everysec/, 'saying what production needs')
  warned.child.kill('SIGTERM')
  await warned.exited
})
