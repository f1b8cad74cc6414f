import { Cluster, type Redis } from 'ioredis'

/**
 * The hub's connection to Redis: one server or a Sentinel-watched primary (a `Redis`), or
 * a Redis Cluster (a `Cluster`). Both take the same commands, MULTI and scripts; code that
 * must tell them apart — a SCAN or a CONFIG GET answers for one node only — asks
 * {@link dataNodes}.
 */
export type RedisClient = Redis | Cluster

/** The servers that hold the data: the Cluster's masters, or the one server. */
export function dataNodes (redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis]
}

export function isCluster (redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster
}
