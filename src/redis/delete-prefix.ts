import { dataNodes, type RedisClient } from './redis-client.js'

/** Delete every key under `prefix:` (SCAN, never KEYS: it does not block a busy Redis; on a Cluster, each master in turn). */
export async function deleteKeysWithPrefix (redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0
  for (const node of dataNodes(redis)) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      // One UNLINK per key, pipelined: on a Cluster the keys of one node still span many slots.
      const replies = keys.length === 0 ? [] : await node.pipeline(keys.map(key => ['unlink', key])).exec() ?? []
      for (const [, count] of replies) deleted += Number(count ?? 0)
    } while (cursor !== '0')
  }
  return deleted
}
