import t from 'tap'
import { pushBackoff } from '../../src/delivery/push-backoff.js'
import { RemoteUnavailableError } from '../../src/errors.js'

const opts = { delayMs: 100, jitter: 0.5, maxDelayMs: 2000 }

t.test('push retries back off exponentially, with jitter taking off at most its share', async t => {
  const none = pushBackoff(opts, () => 0)
  const most = pushBackoff(opts, () => 0.999999)
  t.same([1, 2, 3, 4].map(n => none(n)), [100, 200, 400, 800], 'without jitter: doubling from delayMs')
  t.same([1, 2, 3, 4].map(n => most(n)), [50, 100, 200, 400], 'full jitter takes off half (jitter 0.5)')
})

t.test('the wait between two attempts never exceeds maxDelayMs, however many attempts were made', async t => {
  const backoff = pushBackoff(opts, () => 0)
  t.equal(backoff(5), 1600)
  t.equal(backoff(6), 2000)
  t.equal(backoff(60), 2000, 'no overflow to Infinity after many attempts')
})

t.test('a 503 that says how long the platform is down is waited out at least that long', async t => {
  const backoff = pushBackoff(opts, () => 0)
  t.equal(backoff(1, 'casebridge-push', new RemoteUnavailableError('down', { retryAfterMs: 45_000 })), 45_000, 'Retry-After beyond the cap is honoured')
  t.equal(backoff(4, 'casebridge-push', new RemoteUnavailableError('down', { retryAfterMs: 300 })), 800, 'a shorter Retry-After does not shorten the backoff')
  t.equal(backoff(1, 'casebridge-push', new RemoteUnavailableError('down')), 100, 'without Retry-After: plain backoff')
})
