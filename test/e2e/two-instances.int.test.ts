/**
 * Two hub processes on one Redis: every case delivered once, every scheduled pull tick run
 * by one of them only, and the jobs of a killed one taken over by the other.
 */
import t from 'tap'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { Ledger } from '../../src/ledger/ledger.js'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { pushQueueName } from '../../src/delivery/push-job.js'
import { startWorld, TEST_REDIS_URL, type World } from '../helpers/world.js'
import { spawnHub } from '../helpers/hub-process.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

async function validCases (world: World): Promise<number> {
  const s = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  return s.records - s.invalidByDesign
}

t.test('two hubs on one Redis deliver every case once and run each scheduled pull tick once between them', { timeout: 180_000 }, async t => {
  const world = await startWorld(t, 'two-hubs', { agency: { records: 1500, seed: 51 }, platform: { seed: 9, latencyMs: 20 } })
  const config = world.writeConfig({ push: { batchSize: 50, concurrency: 2 }, pageSize: 100, logLevel: 'info' })
  // The second hub's clock is 400 ms behind, as on another host: its cron fires after the
  // first hub's pull of the same tick has ended, and only the tick claim stops a second run.
  const hubs = [spawnHub(config, world.env), spawnHub(config, world.env, { clockSkewMs: -400 })]
  for (const hub of hubs) t.teardown(() => { hub.child.kill('SIGKILL') })
  await Promise.all(hubs.map(async h => await h.started))
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => { redis.disconnect() })
  const ledger = new Ledger(redis, world.prefix)

  // Let both run side by side through the sync and at least 8 ticks of the one-second schedule.
  const firstRuns = (await ledger.pullRuns(AGENCY)).length
  await waitFor('eight scheduled pulls', async () => (await ledger.pullRuns(AGENCY)).filter(r => r.tick !== undefined).length >= firstRuns + 8, { timeoutMs: 60_000, intervalMs: 200 })
  const expectedNow = await validCases(world)
  await waitFor('the two to have synced every valid case', async () => world.platform.stats().totals.stored === expectedNow && await ledger.ackedCount(AGENCY) === expectedNow, { timeoutMs: 60_000, intervalMs: 100 })
  for (const hub of hubs) hub.child.kill('SIGTERM')
  for (const hub of hubs) t.equal((await hub.exited).code, 0, 'a hub stops cleanly on SIGTERM')

  const runs = (await ledger.pullRuns(AGENCY)).filter(r => r.tick !== undefined)
  const ticks = runs.map(r => r.tick as string)
  t.same(ticks.filter((tick, i) => ticks.indexOf(tick) !== i), [], `no scheduled tick was pulled twice (${runs.length} scheduled pulls)`)

  // The two synced the agency between them while they ran: every case stored once.
  const expected = await validCases(world)
  t.equal(world.platform.stats().totals.stored, expected, 'every valid case stored')
  const totals = world.platform.stats().totals
  t.equal(totals.applied, expected, 'applied = number of cases: none delivered twice by the two processes')
  t.equal(totals.unchanged, 0, 'no case sent twice under different keys')
})

t.test('the push jobs of a killed hub are taken over by the other after the stall interval', { timeout: 180_000 }, async t => {
  // Slow answers keep batches in flight long enough to kill a hub in the middle of them.
  const world = await startWorld(t, 'takeover', { agency: { records: 600, seed: 52 }, platform: { seed: 10, latencyMs: 800 } })
  const expected = await validCases(world)
  const lockDurationMs = 2000
  const config = world.writeConfig({ push: { batchSize: 25, concurrency: 3, lockDurationMs, attempts: 20 }, logLevel: 'info' })
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(world.prefix) })
  t.teardown(async () => { await queue.close(); redis.disconnect() })

  const doomed = spawnHub(config, world.env)
  t.teardown(() => { doomed.child.kill('SIGKILL') })
  await doomed.started
  await waitFor('the first hub to have pushes in flight', async () => await queue.getActiveCount() >= 3, { timeoutMs: 30_000, intervalMs: 20 })
  // A job's lock holds "<worker id>:<n>" of the worker running it: learn the first hub's workers now, while only it runs.
  const lockOf = async (id: string | undefined): Promise<string | null> => await redis.get(queue.toKey(`${id ?? ''}:lock`))
  const workerOf = (token: string | null): string => token?.replace(/:\d+$/, '') ?? ''
  const doomedWorkers = new Set((await Promise.all((await queue.getActive()).map(async j => workerOf(await lockOf(j.id))))).filter(w => w !== ''))
  t.ok(doomedWorkers.size >= 1, 'the first hub\'s push workers are known by their lock tokens')
  const survivor = spawnHub(config, world.env)
  t.teardown(() => { survivor.child.kill('SIGKILL') })
  await survivor.started
  // The survivor takes jobs too once it runs: the orphans are the jobs the first hub's workers hold.
  const active = await queue.getActive()
  const orphaned = (await Promise.all(active.map(async j => doomedWorkers.has(workerOf(await lockOf(j.id))) ? j.id : undefined))).filter(id => id !== undefined)
  doomed.child.kill('SIGKILL')
  t.equal((await doomed.exited).signal, 'SIGKILL', 'the first hub died mid-push')
  const killedAt = Date.now()
  t.ok(orphaned.length >= 1, `it left ${orphaned.length} active job(s) behind`)

  await waitFor('the orphaned jobs to be taken over', async () => {
    const states = await Promise.all(orphaned.map(async id => await (await queue.getJob(id as string))?.getState() ?? 'completed'))
    return states.every(s => s === 'completed')
  }, { timeoutMs: 60_000, intervalMs: 100 })
  const tookMs = Date.now() - killedAt
  t.ok(tookMs < lockDurationMs * 3 + 5000, `taken over and finished within the stall interval and a push (${tookMs} ms)`)
  await waitFor('the survivor to say it took stalled jobs over', () => /push job stalled/.test(survivor.output()), { timeoutMs: 30_000, intervalMs: 100 })
  t.match(survivor.output(), /push job stalled: the process running it stopped renewing its lock/, 'the survivor says it took stalled jobs over')

  await waitFor('every valid case stored', () => world.platform.stats().totals.stored === expected, { timeoutMs: 60_000, intervalMs: 100 })
  const ledger = new Ledger(redis, world.prefix)
  await waitFor('every acknowledgement in the ledger', async () => await ledger.ackedCount(AGENCY) === expected, { timeoutMs: 30_000 })
  const totals = world.platform.stats().totals
  t.equal(totals.applied, expected, 'applied = number of cases: the taken-over batches were not written twice')
  t.equal(totals.unchanged, 0, 'the survivor re-sent them under the same idempotency keys')
  t.equal((await ledger.deadLetters(AGENCY)).length, 0, 'nothing dead-lettered')
})
