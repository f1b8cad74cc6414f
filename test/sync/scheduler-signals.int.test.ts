/**
 * The pull scheduler gives every pull in flight an abort signal of its own: a province hub
 * pulls hundreds of agencies at once, and one shared signal collected their listeners until
 * Node warned (MaxListenersExceededWarning, seen with 60 agencies in test/bench/province.ts).
 * Stopping the scheduler still aborts every pull in flight.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { silentLogger } from '../../src/logging/logger.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { PullScheduler, type ScheduledAgency } from '../../src/sync/scheduler.js'
import type { PullSummary } from '../../src/sync/pull-agency.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'

const AGENCIES = 40

t.test(`${AGENCIES} pulls at once: each its own signal, no listener warning, and stop aborts them all`, async t => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, testPrefix(t, 'scheduler-signals'))
  const warnings: string[] = []
  const onWarning = (w: Error): void => { warnings.push(`${w.name}: ${w.message}`) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })

  const signals: AbortSignal[] = []
  let started!: () => void
  const allStarted = new Promise<void>(resolve => { started = resolve })
  const agencies: ScheduledAgency[] = Array.from({ length: AGENCIES }, (_, i) => ({
    id: `agency-${i}`,
    schedule: '0 0 0 1 1 *',
    paused: async () => false,
    // A pull that waits for its signal, listening on it twice (as a request and a page read would).
    pull: async (signal: AbortSignal) => {
      signals.push(signal)
      if (signals.length === AGENCIES) started()
      await new Promise<void>(resolve => {
        signal.addEventListener('abort', () => resolve(), { once: true })
        signal.addEventListener('abort', () => undefined, { once: true })
      })
      return {} as PullSummary
    },
    recordOutcome: async () => {},
  }))
  const scheduler = new PullScheduler(ledger, agencies, silentLogger())
  const pulls = agencies.map(async a => await scheduler.trigger(a.id))
  await allStarted
  t.equal(new Set(signals).size, AGENCIES, 'every pull has a signal of its own')
  t.ok(signals.every(s => !s.aborted), 'none aborted while the scheduler runs')
  await scheduler.stop()
  t.ok(signals.every(s => s.aborted), 'stop aborted every pull in flight')
  await Promise.all(pulls)
  // A warning is emitted on the next tick of the event loop.
  await new Promise(resolve => setImmediate(resolve))
  t.same(warnings.filter(w => w.includes('MaxListeners')), [], 'no MaxListenersExceededWarning')
  t.equal(await scheduler.trigger('agency-0'), undefined, 'a stopped scheduler starts no pull')
})
