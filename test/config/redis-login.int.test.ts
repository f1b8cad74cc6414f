import t, { type Test } from 'tap'
import { checkRedisPolicy, connectRedis } from '../../src/redis/connect.js'
import { silentLogger } from '../../src/logging/logger.js'
import { spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { freePort } from '../../fixtures/sim-shared/free-port.js'
import { waitFor } from '../helpers/wait-for.js'

/** A redis-server of the test's own that wants a password (the shared helper's readiness probe logs in without one). */
async function redisWithPassword (t: Test, password: string): Promise<{ port: number }> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', password], { stdio: 'ignore' })
  t.teardown(() => { child.kill('SIGKILL') })
  await waitFor(`redis-server on port ${port}`, async () => {
    const probe = new Redis({ port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => {})
    try { return await probe.connect().then(async () => await probe.ping()) === 'PONG' } catch { return false } finally { probe.disconnect() }
  })
  return { port }
}

t.test('a wrong Redis password ends the start with one clear line naming redis.url, not a stack trace', async t => {
  const own = await redisWithPassword(t, 'the-right-password')
  for (const url of [`redis://:wrong@127.0.0.1:${own.port}`, `redis://127.0.0.1:${own.port}`]) {
    const redis = connectRedis({ url }, silentLogger())
    t.teardown(() => redis.disconnect())
    const error = await checkRedisPolicy(redis, { requirePersistence: false, logger: silentLogger() }).then(() => undefined, (err: unknown) => err)
    t.match(error, { code: 'CB_ERR_REDIS_AUTH', family: 'config', message: new RegExp(`^Redis at 127\\.0\\.0\\.1:${own.port} refused the hub's login \\((WRONGPASS|NOAUTH)\\): check the password and user in redis\\.url`) }, url.includes('wrong') ? 'wrong password' : 'no password')
    t.notMatch((error as Error).message, /\n|wrong@/, 'one line, and the password is not repeated')
  }
  const good = connectRedis({ url: `redis://:the-right-password@127.0.0.1:${own.port}` }, silentLogger())
  t.teardown(() => good.disconnect())
  await checkRedisPolicy(good, { requirePersistence: false, logger: silentLogger() })
  t.pass('the right password starts')
})
