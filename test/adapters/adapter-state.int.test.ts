import t from 'tap'
import { Redis } from 'ioredis'
import { redisAdapterState } from '../../src/ledger/adapter-state.js'
import { agencyKeys } from '../../src/ledger/keys.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'

t.test('an adapter\'s state lives in one hash under the agency\'s hash-tagged keys and survives a new client', async t => {
  const prefix = testPrefix(t, 'adapter-state')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => { redis.disconnect() })
  const key = agencyKeys(prefix, 'ecology-peixian').adapterState
  t.equal(key, `${prefix}:{ecology-peixian}:adapter-state`, 'in the agency\'s cluster slot')
  const state = redisAdapterState(redis, key)
  t.equal(await state.get('content:abc'), undefined, 'absent key reads undefined')
  t.equal(await state.has('content:abc'), false)
  await state.set('content:abc', '{"file":"a.csv"}')
  t.equal(await state.has('content:abc'), true)
  const other = new Redis(TEST_REDIS_URL)
  t.teardown(() => { other.disconnect() })
  t.equal(await redisAdapterState(other, key).get('content:abc'), '{"file":"a.csv"}', 'read back by another client (a restarted hub)')
  t.equal(await redisAdapterState(other, agencyKeys(prefix, 'other-agency').adapterState).has('content:abc'), false, 'another agency does not see it')
  await state.delete('content:abc')
  t.equal(await state.has('content:abc'), false, 'deleted')
})
