import { randomUUID } from 'node:crypto'
import type { RedisClient } from './redis-client.js'

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`

/** A lock held: its key and the owner's token, for writes that must check they still own it. */
export interface Lease { readonly key: string; readonly token: string }

/**
 * A Redis lock with an owner token, renewed while `fn` runs and expiring by itself if the
 * owner dies: at most one holder at a time across hub processes. `fn` gets the lease:
 * writes that must not happen once the lock is someone else's — a process paused past its
 * lock, then woken — check it in Redis (the ledger's version numbering does).
 */
export async function withLock<T> (redis: RedisClient, key: string, ttlMs: number, fn: (lease: Lease) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const token = randomUUID()
  const got = await redis.set(key, token, 'PX', ttlMs, 'NX')
  if (got !== 'OK') return { ran: false }
  const renew = setInterval(() => { redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined) }, Math.max(500, Math.floor(ttlMs / 3)))
  try {
    return { ran: true, value: await fn({ key, token }) }
  } finally {
    clearInterval(renew)
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined)
  }
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** {@link withLock}, waiting up to `waitMs` for the holder to finish; `undefined` when the lock stayed taken that long. */
export async function withLockWaiting<T> (redis: RedisClient, key: string, ttlMs: number, waitMs: number, fn: (lease: Lease) => Promise<T>): Promise<{ value: T } | undefined> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const outcome = await withLock(redis, key, ttlMs, fn)
    if (outcome.ran) return { value: outcome.value }
    if (Date.now() > deadline) return undefined
    await sleep(250)
  }
}
