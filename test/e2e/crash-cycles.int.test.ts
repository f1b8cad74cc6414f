/**
 * Crash cycles: the hub runs as a child process and dies by SIGKILL at a crash point
 * (src/crash-points.ts) chosen by a seeded PRNG — every step of pull, map, enqueue, ledger
 * write, push and acknowledgement in turn, at a random visit of it — then restarts. After
 * the last, uncrashed, run the platform must hold exactly the source's valid cases, each
 * written once, and quarantine exactly the invalid ones.
 *
 * CASEBRIDGE_CRASH_SEED replays a run; CASEBRIDGE_CRASH_CYCLES (default 20) and
 * CASEBRIDGE_CRASH_ROUNDS (default 1; `npm run test:soak` runs 25 rounds of 20) scale it.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { agencyKeys } from '../../src/ledger/keys.js'
import { CRASH_POINTS, type CrashPoint } from '../../src/crash-points.js'
import { startWorld, TEST_REDIS_URL } from '../helpers/world.js'
import { spawnHub } from '../helpers/hub-process.js'
import { waitFor } from '../helpers/wait-for.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'

const AGENCY = 'market-regulation-peixian'
const CYCLES = Number(process.env.CASEBRIDGE_CRASH_CYCLES ?? 20)
const ROUNDS = Number(process.env.CASEBRIDGE_CRASH_ROUNDS ?? 1)
const SEED = Number(process.env.CASEBRIDGE_CRASH_SEED ?? Date.now() % 1_000_000)

t.comment(`crash seed ${SEED} (replay with CASEBRIDGE_CRASH_SEED=${SEED}), ${ROUNDS} round(s) of ${CYCLES} cycles`)
const rng = new Rng(SEED)

for (let round = 1; round <= ROUNDS; round++) {
  t.test(`round ${round}: a hub killed at ${CYCLES} seeded crash points across the sync path loses nothing, writes nothing twice, quarantines exactly the invalid`, { timeout: 900_000 }, async t => {
    const world = await startWorld(t, 'cycles', { agency: { records: 3000, seed: 100 + round, latencyMs: 5 }, platform: { seed: round, latencyMs: 30 } })
    // Small pages and batches: many visits of every crash point per sync.
    const config = world.writeConfig({ push: { batchSize: 20, concurrency: 2, lockDurationMs: 1500, attempts: 50, backoff: { delayMs: 50, jitter: 0.5 } }, pageSize: 60, logLevel: 'info' })
    const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number; invalidCases: { caseNumber: string }[] }
    const expected = source.records - source.invalidByDesign
    const synced = (): boolean => world.platform.stats().totals.stored === expected

    // Every point in turn (in a seeded order), each at a random visit: 1st to 4th.
    let order: CrashPoint[] = []
    const died: Record<string, number> = {}
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      if (order.length === 0) order = [...CRASH_POINTS].map(point => ({ point, key: rng.next() })).sort((a, b) => a.key - b.key).map(p => p.point)
      const point = order.shift() as CrashPoint
      const visit = rng.int(1, 4)
      const hub = spawnHub(config, { ...world.env, CASEBRIDGE_CRASH_AT: `${point}:${visit}` })
      t.teardown(() => { hub.child.kill('SIGKILL') })
      // The hub dies at its crash point, or the sync completes before the point is reached.
      const outcome = await Promise.race([
        hub.exited.then(exit => ({ exit })),
        waitFor('the sync to complete', synced, { timeoutMs: 120_000, intervalMs: 50 }).then(() => ({ exit: undefined })),
      ])
      if (outcome.exit === undefined) {
        hub.child.kill('SIGKILL')
        await hub.exited
        t.comment(`cycle ${cycle}: ${point}:${visit} not reached before the sync was complete`)
        continue
      }
      t.equal(outcome.exit.signal, 'SIGKILL', `cycle ${cycle}: died by SIGKILL at ${point}:${visit}`, { output: hub.output().slice(-2000) })
      died[point] = (died[point] ?? 0) + 1
    }
    const crashes = Object.values(died).reduce((a, b) => a + b, 0)
    t.comment(`crashes by point: ${JSON.stringify(died)}; platform held ${world.platform.stats().totals.stored} of ${expected} before the last run`)
    t.ok(crashes >= Math.ceil(CYCLES * 0.75), `most cycles died at their crash point mid-sync (${crashes} of ${CYCLES})`)
    t.ok(Object.keys(died).length >= Math.min(CRASH_POINTS.length, Math.floor(CYCLES / 2)), `crashes landed at many different points (${Object.keys(died).length})`)

    const last = spawnHub(config, world.env)
    t.teardown(() => { last.child.kill('SIGKILL') })
    await last.started
    await waitFor('the platform to hold every valid case after the crashes', synced, {
      timeoutMs: 120_000, intervalMs: 100, describe: () => `${JSON.stringify(world.platform.stats().totals)}; hub output: ${last.output().slice(-3000)}`,
    })
    const redis = new Redis(TEST_REDIS_URL)
    t.teardown(() => { redis.disconnect() })
    const keys = agencyKeys(world.prefix, AGENCY)
    // The last acknowledgements reach the ledger just after the platform stored the cases.
    await waitFor('the ledger to hold an acknowledgement for every valid case', async () => await redis.hlen(keys.acked) === expected, { timeoutMs: 30_000 })
    last.child.kill('SIGTERM')
    t.equal((await last.exited).code, 0, 'the last hub stops cleanly on SIGTERM')

    const totals = world.platform.stats().totals
    t.equal(totals.stored, expected, 'none missing: stored = the source\'s valid cases')
    t.equal(totals.applied, expected, 'none written twice: applied = number of cases')
    t.equal(totals.unchanged, 0, 'no case re-sent under a new idempotency key (a replay reuses the key, the platform suppresses it)')
    t.equal(totals.rejected, 0, 'nothing invalid reached the platform')
    t.same((await redis.hkeys(keys.quarantine)).sort(), source.invalidCases.map(c => c.caseNumber).sort(), 'quarantine holds exactly the invalid cases')
    t.equal(await redis.hlen(keys.deadLetters), 0, 'no dead letters')
  })
}
