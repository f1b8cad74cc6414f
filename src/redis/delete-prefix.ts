import type { Redis } from 'ioredis'

/** Delete every key under `prefix:` (SCAN, never KEYS: it does not block a busy Redis). */
export async function deleteKeysWithPrefix (redis: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) deleted += await redis.unlink(...keys)
  } while (cursor !== '0')
  return deleted
}
