import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`

/**
 * At most one hub process pulls an agency at a time: a Redis lock with an owner token,
 * renewed while the pull runs and expiring by itself if the owner dies.
 */
export async function withPullLock<T> (redis: Redis, key: string, ttlMs: number, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const token = randomUUID()
  const got = await redis.set(key, token, 'PX', ttlMs, 'NX')
  if (got !== 'OK') return { ran: false }
  const renew = setInterval(() => { redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined) }, Math.max(500, Math.floor(ttlMs / 3)))
  try {
    return { ran: true, value: await fn() }
  } finally {
    clearInterval(renew)
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined)
  }
}
