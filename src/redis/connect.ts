import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { RedisAuthError, RedisPolicyError } from '../errors.js'

/**
 * The hub's Redis client. `maxRetriesPerRequest: null` is what BullMQ workers need: a
 * command waits for Redis to come back instead of failing, so an outage pauses the hub
 * rather than crashing it.
 */
export function connectRedis (url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: times => Math.min(times * 200, 5000),
  })
  let down = false
  redis.on('error', err => {
    if (!down) logger.error({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'redis connection problem; retrying')
    down = true
  })
  redis.on('ready', () => {
    if (down) logger.info('redis connection is back')
    down = false
  })
  return redis
}

const AUTH_REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b/

/**
 * One command that needs a login, so a wrong password or user in `redis.url` ends the start
 * with one clear line (RedisAuthError) instead of a stack trace from the first real command.
 */
export async function checkRedisLogin (redis: Redis): Promise<void> {
  try {
    await redis.exists('casebridge:login-probe')
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (AUTH_REFUSED.test(message)) {
      const { host, port } = redis.options
      throw new RedisAuthError(`Redis at ${host ?? '?'}:${port ?? '?'} refused the hub's login (${message.split(' ')[0] ?? ''}): check the password and user in redis.url (or the environment variable it comes from)`, { cause: err })
    }
    throw err
  }
}

/**
 * Refuse a Redis that would evict queue or ledger keys (BullMQ requires noeviction) and
 * say loudly when it keeps nothing on disk: a restart would then lose the ledger.
 */
export async function checkRedisPolicy (redis: Redis, opts: { requirePersistence: boolean; logger: Logger }): Promise<void> {
  let policy: string | undefined
  let aof: string | undefined
  let save: string | undefined
  await checkRedisLogin(redis)
  try {
    policy = (await redis.config('GET', 'maxmemory-policy') as string[])[1]
    aof = (await redis.config('GET', 'appendonly') as string[])[1]
    save = (await redis.config('GET', 'save') as string[])[1]
  } catch (err) {
    opts.logger.warn({ err }, 'cannot read the Redis configuration (CONFIG GET refused); make sure maxmemory-policy is noeviction and AOF is on')
    return
  }
  if (policy !== undefined && policy !== 'noeviction') {
    throw new RedisPolicyError(`Redis maxmemory-policy is "${policy}"; the hub requires "noeviction" (evicted queue or ledger keys would lose cases). Set it with: CONFIG SET maxmemory-policy noeviction, and in redis.conf`)
  }
  const persistent = aof === 'yes' || (save !== undefined && save.trim() !== '')
  if (!persistent) {
    const message = 'Redis keeps nothing on disk (appendonly no, no save points): a Redis restart loses the ledger, cursors and queued pushes. Production needs appendonly yes with appendfsync everysec.'
    if (opts.requirePersistence) throw new RedisPolicyError(message + ' (set redis.requirePersistence: false to run anyway)')
    opts.logger.warn(message)
  }
}
