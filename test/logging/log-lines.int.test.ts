/**
 * Issue 21, logs: every line says which process wrote it (two hub instances in one log
 * stream could not be told apart), and a pull that fails the same way tick after tick logs
 * its stack once, then one short line per retry — the stack again only for a new cause.
 */
import t from 'tap'
import { hostname } from 'node:os'
import { Redis } from 'ioredis'
import { capturingLogger } from '../helpers/log-capture.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { PullScheduler, type ScheduledAgency } from '../../src/sync/scheduler.js'
import { RemoteUnavailableError } from '../../src/errors.js'
import type { PullSummary } from '../../src/sync/pull-agency.js'

t.test('every log line, a child logger\'s too, carries the pid and hostname of its process', async t => {
  const { logger, entries } = capturingLogger('info')
  logger.info('root line')
  logger.child({ agency: 'a1' }).warn('child line')
  t.same(entries().map(e => [e.msg, e.pid, e.hostname]), [['root line', process.pid, hostname()], ['child line', process.pid, hostname()]])
})

t.test('a pull failing with the same cause logs the stack once; a new cause, or the first failure after a success, logs it again', async t => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, testPrefix(t, 'log-retries'))
  // What the agency answers, one pull after another.
  const answers: Array<Error | 'ok'> = [
    new RemoteUnavailableError('agency system answered HTTP 503'),
    new RemoteUnavailableError('agency system answered HTTP 503'),
    new RemoteUnavailableError('agency system answered HTTP 503'),
    new RemoteUnavailableError('connect ECONNREFUSED 10.0.0.5:443'),
    'ok',
    new RemoteUnavailableError('connect ECONNREFUSED 10.0.0.5:443'),
  ]
  let pulls = 0
  const agency: ScheduledAgency = {
    id: 'flaky-agency',
    schedule: '0 0 0 1 1 *',
    paused: async () => false,
    pull: async () => {
      const answer = answers[pulls++]
      if (answer !== 'ok') throw answer ?? new Error('more pulls than answers')
      return {} as PullSummary
    },
    recordOutcome: async () => {},
  }
  const { logger, entries } = capturingLogger('info')
  const scheduler = new PullScheduler(ledger, [agency], logger)
  t.teardown(async () => await scheduler.stop())
  for (let i = 0; i < answers.length; i++) await scheduler.trigger(agency.id)

  const failed = entries().filter(e => e.msg.startsWith('pull failed'))
  t.equal(failed.length, 5, 'one line per failed pull, no more')
  const withStack = failed.map(e => typeof (e.err as { stack?: unknown } | undefined)?.stack === 'string')
  t.same(withStack, [true, false, false, true, true], 'the stack: first 503, first refusal, and the first failure after a success')
  t.same(failed[1]?.cause, { type: 'RemoteUnavailableError', code: 'CB_ERR_REMOTE_UNAVAILABLE', message: 'agency system answered HTTP 503' }, 'a repeated cause is named by class, code and message')
  t.equal(failed[1]?.repeated, true, 'and marked as repeated')
})

t.test('at debug level every failure keeps its stack', async t => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, testPrefix(t, 'log-retries-debug'))
  const agency: ScheduledAgency = {
    id: 'down-agency', schedule: '0 0 0 1 1 *', paused: async () => false,
    pull: async () => { throw new RemoteUnavailableError('agency system answered HTTP 503') },
    recordOutcome: async () => {},
  }
  const { logger, entries } = capturingLogger('debug')
  const scheduler = new PullScheduler(ledger, [agency], logger)
  t.teardown(async () => await scheduler.stop())
  for (let i = 0; i < 3; i++) await scheduler.trigger(agency.id)
  const failed = entries().filter(e => e.msg.startsWith('pull failed'))
  t.same(failed.map(e => typeof (e.err as { stack?: unknown } | undefined)?.stack === 'string'), [true, true, true])
})
