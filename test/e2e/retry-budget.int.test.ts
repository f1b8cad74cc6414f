/**
 * The push retry budget is a duration from the first attempt (push.retryForSeconds), kept in
 * the job's data: a job is retried past any count of attempts while within it, is
 * dead-lettered once it has passed, and a restarted hub keeps the first hub's clock.
 */
import t from 'tap'
import type { Queue } from 'bullmq'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { PushJobData } from '../../src/delivery/push-job.js'
import { startWorld } from '../helpers/world.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'
const RETRY_FOR_SECONDS = 6
/** The count of attempts that used to be the whole budget (config/production.example.yaml). */
const OLD_ATTEMPTS = 12

async function firstAttemptAt (queue: Queue<PushJobData>): Promise<number | undefined> {
  const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'prioritized'])
  return jobs.map(j => j?.data.firstAttemptAtMs).find(ms => typeof ms === 'number')
}

t.test('a failing push is retried past 12 attempts within retryForSeconds, dead-lettered once it has passed, and a restart does not reset the clock', async t => {
  const world = await startWorld(t, 'retry-budget', { agency: { records: 5, seed: 4 }, platform: { failureRate: 1 } })
  // No attempts ceiling: time alone decides. Short waits, so many attempts fit in the budget.
  const file = world.writeConfig({ push: { attempts: undefined, retryForSeconds: RETRY_FOR_SECONDS, batchSize: 50, concurrency: 1, backoff: { delayMs: 20, jitter: 0, maxDelayMs: 50 } } })
  const config = await loadConfig(file, builtInRegistry(), world.env)
  const start = async (): Promise<Hub> => await startHub({ config, registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  let hub = await start()
  t.teardown(async () => await hub.close())
  await hub.pullNow(AGENCY)
  const queue = (): Queue<PushJobData> => hub.agencies.get(AGENCY)!.queue

  await waitFor(`more than ${OLD_ATTEMPTS} failed pushes`, () => world.platform.stats().totals.failuresInjected > OLD_ATTEMPTS, { timeoutMs: 20_000 })
  t.same(await hub.ledger.deadLetters(AGENCY), [], `past ${OLD_ATTEMPTS} attempts and within retryForSeconds: nothing dead-lettered`)
  const firstMs = await waitFor('the first attempt time in the job data', async () => await firstAttemptAt(queue()))

  // A restart while retrying: the budget still counts from the first hub's first attempt.
  await hub.close()
  const restartedMs = Date.now()
  hub = await start()
  t.equal(await firstAttemptAt(queue()), firstMs, 'the job still carries its first attempt time')

  const dead = await waitFor('the cases in dead letters', async () => {
    const entries = await hub.ledger.deadLetters(AGENCY)
    return entries.length > 0 ? entries : undefined
  }, { timeoutMs: 30_000 })
  const deadMs = Date.parse(dead[0]!.deadLetteredAt)
  t.ok(deadMs - firstMs >= RETRY_FOR_SECONDS * 1000, `dead-lettered ${deadMs - firstMs} ms after the first attempt: not before retryForSeconds`)
  t.ok(deadMs < restartedMs + RETRY_FOR_SECONDS * 1000, 'the restart granted no fresh budget')
  t.ok(dead.every(d => d.attempts > OLD_ATTEMPTS), `each after more than ${OLD_ATTEMPTS} attempts (${dead[0]!.attempts})`)
  t.match(dead[0]!.reason, /CB_ERR_/, 'the reason carries the error code')
  t.equal(world.platform.stats().totals.stored, 0, 'nothing stored: every push failed')
})
