/**
 * Issue 21, logs: while the platform fails the same way, each push retry logs one line; the
 * error's stack is in the first only (src/logging/repeated-causes.ts).
 */
import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld } from '../helpers/world.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

t.test('push retries against a platform failing the same way log the stack once, then one line each', async t => {
  const world = await startWorld(t, 'push-retry-log', { agency: { records: 10, seed: 3 }, platform: { failureRate: 1 } })
  const { logger, entries } = capturingLogger('info')
  const config = await loadConfig(world.writeConfig({ push: { batchSize: 50, concurrency: 1, attempts: 4, backoff: { delayMs: 50, jitter: 0, maxDelayMs: 200 } } }), builtInRegistry(), world.env)
  const hub = await startHub({ config, registry: builtInRegistry(), logger, schedule: false })
  t.teardown(async () => await hub.close())
  await hub.pullNow(AGENCY)
  await waitFor('the attempts used up: the cases in dead letters', async () => (await hub.ledger.deadLetters(AGENCY)).length > 0, { timeoutMs: 30_000 })

  const retries = entries().filter(e => e.msg === 'push failed; will retry with backoff')
  t.equal(retries.length, 3, 'one line for each of the three attempts before the last')
  const stacks = retries.map(e => typeof (e.err as { stack?: unknown } | undefined)?.stack === 'string')
  t.same(stacks, [true, false, false], 'the stack only the first time the cause appears')
  t.same(retries.slice(1).map(e => e.repeated), [true, true], 'the others say the cause is repeated')
  t.match(retries[1]?.cause, { type: String, code: 'CB_ERR_REMOTE_UNAVAILABLE', message: String }, 'and name it by class, code and message')
})
