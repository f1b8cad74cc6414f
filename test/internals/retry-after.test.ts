import t from 'tap'
import { httpStatusError, retryAfterMs } from '../../adapters/http-errors.js'
import { RateLimitedError, RemoteRefusedError, RemoteUnavailableError } from '../../src/errors.js'

t.test('Retry-After is read as seconds or as an HTTP date', async t => {
  t.equal(retryAfterMs('3'), 3000)
  t.equal(retryAfterMs('0.5'), 500)
  t.equal(retryAfterMs(undefined), 1000, 'absent: one second')
  t.equal(retryAfterMs('soon'), 1000, 'unreadable: one second')
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000)
})

t.test('HTTP statuses map to the error families the queue acts on', async t => {
  const limited = httpStatusError('platform', 429, '2', '')
  t.ok(limited instanceof RateLimitedError)
  t.equal((limited as RateLimitedError).retryAfterMs, 2000)
  t.ok(httpStatusError('platform', 503, undefined, '') instanceof RemoteUnavailableError)
  t.ok(httpStatusError('platform', 401, undefined, 'bad token') instanceof RemoteRefusedError)
  t.match(httpStatusError('platform', 413, undefined, 'too big').message, 'platform answered HTTP 413: too big')
})
