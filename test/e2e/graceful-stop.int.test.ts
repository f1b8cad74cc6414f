/**
 * Stopping and running long: SIGTERM under load lets the pushes in flight finish and leaves
 * no job active behind; a run of 100,000 push jobs leaves Redis holding the ledger and
 * nothing of the jobs (completed ones are removed, the ledger is a few hundred bytes a case).
 */
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { Ledger } from '../../src/ledger/ledger.js'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { pushQueueName } from '../../src/delivery/push-job.js'
import { startWorld, TEST_REDIS_URL, type World } from '../helpers/world.js'
import { spawnHub } from '../helpers/hub-process.js'
import { startOwnRedis } from '../helpers/redis-server.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'
t.setTimeout(1_600_000)

async function validCases (world: World): Promise<number> {
  const s = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  return s.records - s.invalidByDesign
}

t.test('SIGTERM under load lets the pushes in flight finish and leaves no job active', { timeout: 180_000 }, async t => {
  const world = await startWorld(t, 'sigterm', { agency: { records: 1000, seed: 71 }, platform: { seed: 13, latencyMs: 600 } })
  const expected = await validCases(world)
  const config = world.writeConfig({ push: { batchSize: 25, concurrency: 4, lockDurationMs: 30_000 }, logLevel: 'info' })
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(world.prefix) })
  t.teardown(async () => { await queue.close(); redis.disconnect() })

  const hub = spawnHub(config, world.env)
  t.teardown(() => { hub.child.kill('SIGKILL') })
  await hub.started
  await waitFor('four pushes in flight', async () => await queue.getActiveCount() >= 4, { timeoutMs: 30_000, intervalMs: 10 })
  const inFlight = await queue.getActive()
  const storedBefore = world.platform.stats().totals.stored
  hub.child.kill('SIGTERM')
  const exit = await hub.exited
  t.equal(exit.code, 0, 'the hub exits cleanly')
  t.match(hub.output(), /SIGTERM: stopping gracefully/, 'it says it stops gracefully')

  t.equal(await queue.getActiveCount(), 0, 'no job is left active (none will have to be found stalled)')
  for (const job of inFlight) {
    const after = await queue.getJob(job.id as string)
    t.equal(after, undefined, `job ${job.id?.slice(0, 40)}… finished (completed jobs are removed) rather than abandoned`)
  }
  t.ok(world.platform.stats().totals.stored >= storedBefore + inFlight.reduce((n, j) => n + (j.data as { items: unknown[] }).items.length, 0) - 25,
    'the batches in flight reached the platform before the hub exited')
  const acked = await new Ledger(redis, world.prefix).ackedVersions(AGENCY, inFlight.flatMap(j => (j.data as { items: { caseNumber: string }[] }).items.map(i => i.caseNumber)))
  t.ok(acked.every(a => a !== undefined), 'and their acknowledgements are in the ledger')

  // A restart finishes the rest, without writing anything twice.
  const next = spawnHub(config, world.env)
  t.teardown(() => { next.child.kill('SIGKILL') })
  await waitFor('every valid case stored', () => world.platform.stats().totals.stored === expected, { timeoutMs: 120_000, intervalMs: 100 })
  t.equal(world.platform.stats().totals.applied, expected, 'applied = number of cases')
})

// One case a job: 100,000 push jobs (about two minutes on 2 cores). CASEBRIDGE_CASES_PER_JOB=10 runs the
// same cases in 10,000 jobs, for a quicker look.
const CASES_PER_JOB = Number(process.env.CASEBRIDGE_CASES_PER_JOB ?? 1)

t.test(`a run of 100,000 cases in ${100_000 / CASES_PER_JOB} push jobs keeps Redis bounded: no job left behind, the ledger a few hundred bytes a case`, { timeout: 600_000 }, async t => {
  // Redis of its own, so its memory is this run's alone.
  const redis = await startOwnRedis(t, ['--appendonly', 'no'])
  const cases = 100_000
  const world = await startWorld(t, 'many-jobs', { agency: { records: cases, seed: 72 }, platform: { seed: 14 } })
  const expected = await validCases(world)
  // The ledger's own bytes: the per-case trace is off here — its cost (bytes an event, the
  // budget of a million-case agency) is measured by test/bench/trace.ts and stated in src/README.md.
  const config = world.writeConfig({ push: { batchSize: CASES_PER_JOB, concurrency: 8, agencyWindow: Math.ceil(2000 / CASES_PER_JOB) }, pageSize: 500, logLevel: 'info' })
  writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>, trace: { enabled: false } }))
  const client = new Redis(redis.url)
  t.teardown(() => { client.disconnect() })
  const memory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1])
  const before = await memory()

  const hub = spawnHub(config, { ...world.env, TEST_REDIS_URL: redis.url })
  t.teardown(() => { hub.child.kill('SIGKILL') })
  await hub.started
  let peak = before
  const ledger = new Ledger(client, world.prefix)
  await waitFor('every case acknowledged', async () => {
    peak = Math.max(peak, await memory())
    return await ledger.ackedCount(AGENCY) === expected
  }, { timeoutMs: 540_000, intervalMs: 500, describe: () => JSON.stringify(world.platform.stats().totals) })
  hub.child.kill('SIGTERM')
  t.equal((await hub.exited).code, 0, 'the hub stops cleanly')

  t.equal(world.platform.stats().totals.applied, expected, `${expected} cases delivered, each once`)
  const jobKeys = (await client.keys(`${queuePrefix(world.prefix)}:*`)).filter(k => /:\d+$|:[^:]*\.[0-9a-f]{40}$/.test(k))
  t.same(jobKeys, [], 'no job hash is left in Redis (completed jobs are removed)')
  const after = await memory()
  const perCase = (after - before) / expected
  t.comment(`Redis used_memory: ${(before / 1e6).toFixed(1)} MB before, ${(peak / 1e6).toFixed(1)} MB at the peak, ${(after / 1e6).toFixed(1)} MB after; ${perCase.toFixed(0)} bytes a case`)
  // Measured: ~130 B each for seen and acked, ~115 the bucket index, ~110 the decision dates,
  // less for the (bounded) leaf digests, decision log and BullMQ's event stream — ~700 in all.
  t.ok(perCase < 1000, `the ledger stays compact: ${perCase.toFixed(0)} bytes a case`)
  // BullMQ trims its event stream to about 10,000 entries (XADD MAXLEN ~: whole stream nodes at a time).
  const events = await client.xlen(`${queuePrefix(world.prefix)}:push-platform:events`)
  t.ok(events <= 11_000, `the queue's event stream is capped (${events} entries after ${100_000 / CASES_PER_JOB} jobs and their events)`)
  t.ok(peak - after < 64e6, `the queue never held much: peak − after = ${((peak - after) / 1e6).toFixed(1)} MB`)
})
