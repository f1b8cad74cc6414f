import { isCluster, type RedisClient } from './redis-client.js'

/**
 * BullMQ's own key prefix, under the hub's (`redis.keyPrefix`): the push and webhook queues
 * live there. On a Redis Cluster the prefix carries a hash tag (`{bull}`), as BullMQ's
 * documentation requires: its scripts touch several keys of a queue at once, which must
 * then share a slot. Only there: a single Redis keeps the queues it already has.
 */
export function queuePrefix (prefix: string, redis?: RedisClient): string {
  return redis !== undefined && isCluster(redis) ? `${prefix}:{bull}` : `${prefix}:bull`
}
