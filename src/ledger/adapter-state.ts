import type { RedisClient } from '../redis/redis-client.js'
import type { AdapterState } from '../contracts/adapter-registry.js'

/**
 * An adapter's key-value state as one Redis HASH (the agency's `adapter-state` key, in the
 * agency's hash slot). Adapters hold no Redis connection: the hub hands each source this
 * view of its own hash and nothing else.
 */
export function redisAdapterState (redis: RedisClient, hashKey: string): AdapterState {
  return {
    async get (key) { return (await redis.hget(hashKey, key)) ?? undefined },
    async set (key, value) { await redis.hset(hashKey, key, value) },
    async has (key) { return (await redis.hexists(hashKey, key)) === 1 },
    async delete (key) { await redis.hdel(hashKey, key) },
  }
}

/** The same contract in memory, for tools that run an adapter outside a hub (and unit tests). */
export function memoryAdapterState (): AdapterState & { readonly entries: ReadonlyMap<string, string> } {
  const entries = new Map<string, string>()
  return {
    entries,
    async get (key) { return entries.get(key) },
    async set (key, value) { entries.set(key, value) },
    async has (key) { return entries.has(key) },
    async delete (key) { entries.delete(key) },
  }
}
