import t from 'tap'
import { setTimeout as delay } from 'node:timers/promises'
import { Rng } from '../../fixtures/sim-shared/prng.js'
import { Redis } from 'ioredis'
import { agencyKeys } from '../../src/ledger/keys.js'
import { startWorld, TEST_REDIS_URL } from '../helpers/world.js'
import { spawnHub } from '../helpers/hub-process.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'
const KILLS = 6

t.test('a hub killed with SIGKILL at random moments during a 2,000-case sync loses nothing and writes nothing twice', async t => {
  const seed = Number(process.env.CASEBRIDGE_CRASH_SEED ?? Date.now() % 1_000_000)
  t.comment(`crash seed ${seed} (replay with CASEBRIDGE_CRASH_SEED=${seed})`)
  const rng = new Rng(seed)
  // Latency on both sides stretches the sync over several seconds so kills land mid-flight.
  const world = await startWorld(t, 'crash', { agency: { records: 2000, seed: 21, latencyMs: 20 }, platform: { seed: 9, latencyMs: 120 } })
  const config = world.writeConfig({ push: { batchSize: 25, concurrency: 2, lockDurationMs: 2000, attempts: 50 }, pageSize: 100, schedule: '*/1 * * * * *', logLevel: 'info' })
  const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number; invalidCases: { caseNumber: string }[] }
  const expected = source.records - source.invalidByDesign

  let killedMidSync = 0
  for (let i = 0; i < KILLS; i++) {
    const hub = spawnHub(config, world.env)
    t.teardown(() => { hub.child.kill('SIGKILL') })
    await hub.started
    // Kill only once this run has made progress of its own, so every kill lands mid-sync,
    // then after a random extra moment (the point of this test: no chosen instant).
    const progressFrom = world.platform.stats().totals.stored
    await waitFor('this run to deliver something', () => world.platform.stats().totals.stored > progressFrom, { timeoutMs: 60_000, intervalMs: 20 })
    await delay(rng.int(0, 400))
    const before = world.platform.stats().totals.stored
    hub.child.kill('SIGKILL')
    const { signal } = await hub.exited
    t.equal(signal, 'SIGKILL', `kill ${i + 1}: the hub died by SIGKILL (platform held ${before} of ${expected})`)
    if (before < expected) killedMidSync++
  }
  t.ok(killedMidSync >= 5, `at least 5 kills landed before the sync was complete (${killedMidSync})`)

  const last = spawnHub(config, world.env)
  t.teardown(() => { last.child.kill('SIGKILL') })
  await last.started
  await waitFor('the platform to hold every valid case after the crashes', () => world.platform.stats().totals.stored === expected, {
    timeoutMs: 120_000, intervalMs: 250, describe: () => JSON.stringify(world.platform.stats().totals),
  })

  // Let the last hub drain whatever is still queued, then stop it the gentle way.
  last.child.kill('SIGTERM')
  const { code } = await last.exited
  t.equal(code, 0, 'SIGTERM stops the hub cleanly')

  const totals = world.platform.stats().totals
  t.equal(totals.stored, expected, 'none missing: stored = the source\'s valid cases')
  t.equal(totals.applied, expected, 'none written twice: applied = number of cases')
  t.equal(totals.rejected, 0, 'nothing invalid reached the platform')

  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => { redis.disconnect() })
  const keys = agencyKeys(world.prefix, AGENCY)
  const quarantined = new Set(await redis.hkeys(keys.quarantine))
  t.same([...quarantined].sort(), source.invalidCases.map(c => c.caseNumber).sort(), 'quarantine holds exactly the invalid cases')
  t.equal(await redis.hlen(keys.acked), expected, 'the ledger has an acknowledgement for every valid case')
  t.equal(await redis.hlen(keys.deadLetters), 0, 'no dead letters')
})
