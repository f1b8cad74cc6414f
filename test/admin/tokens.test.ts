import t from 'tap'
import { BadTokenLimiter } from '../../src/admin/auth/bad-token-limiter.js'
import { hashToken, roleAtLeast, TokenTable } from '../../src/admin/auth/tokens.js'
import { ConfigError } from '../../src/errors.js'

t.test('a token is found by its hash only, with its id and role', async t => {
  const table = new TokenTable([{ id: 'ops-1', role: 'operator', sha256: hashToken('s3cret-ops') }, { id: 'view-1', role: 'viewer', sha256: hashToken('s3cret-view').toUpperCase() }])
  t.same(table.find('s3cret-ops'), { id: 'ops-1', role: 'operator' })
  t.same(table.find('s3cret-view'), { id: 'view-1', role: 'viewer' }, 'an upper-case hash in config works too')
  t.equal(table.find('s3cret-op'), undefined)
  t.equal(table.find(hashToken('s3cret-ops')), undefined, 'the hash itself is not a token')
})

t.test('a config that holds a token instead of its hash, or an id twice, is refused naming the entry', async t => {
  t.throws(() => new TokenTable([{ id: 'ops-1', role: 'operator', sha256: 'my-clear-token' }]), ConfigError)
  try {
    new TokenTable([{ id: 'a', role: 'admin', sha256: hashToken('x') }, { id: 'a', role: 'viewer', sha256: hashToken('y') }])
    t.fail('duplicate ids must be refused')
  } catch (err) {
    t.type(err, ConfigError)
    t.match((err as ConfigError).problems[0], 'admin.tokens[1].id: "a" is used twice')
  }
})

t.test('roles are ordered viewer < operator < admin', async t => {
  t.ok(roleAtLeast('admin', 'operator'))
  t.ok(roleAtLeast('operator', 'operator'))
  t.notOk(roleAtLeast('viewer', 'operator'))
  t.notOk(roleAtLeast('operator', 'admin'))
})

t.test('the bad-token bucket empties after the burst and refills at the configured rate, per address', async t => {
  let now = 0
  const limiter = new BadTokenLimiter(3, 6, 2, () => now) // 6 per minute: one every 10 s
  for (let i = 0; i < 3; i++) { t.equal(limiter.retryAfterMs('10.0.0.1'), 0); limiter.failed('10.0.0.1') }
  t.equal(limiter.retryAfterMs('10.0.0.1'), 10_000, 'empty: wait for one refill')
  t.equal(limiter.retryAfterMs('10.0.0.2'), 0, 'another address is not affected')
  now = 5_000
  t.equal(limiter.retryAfterMs('10.0.0.1'), 5_000)
  now = 10_000
  t.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'one allowance is back')
  limiter.failed('10.0.0.2')
  limiter.failed('10.0.0.3')
  t.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'beyond maxAddresses the least recently touched bucket is forgotten')
})
