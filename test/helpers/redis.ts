import { randomBytes } from 'node:crypto'
import { Redis, type RedisOptions } from 'ioredis'
import { deleteKeysWithPrefix } from '../../src/redis/delete-prefix.js'
import type { RedisClient } from '../../src/redis/redis-client.js'

/** The Redis the tests use: REDIS_URL, or the machine's local one. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/**
 * The Redis a test's hubs and checks use: the machine's one by default, or a Sentinel set or
 * Cluster the test started itself (test/helpers/redis-sentinel.ts, redis-cluster.ts).
 */
export interface TestRedis {
  /** The hub config's `redis` section for it, keyPrefix and requirePersistence aside. */
  readonly section: Readonly<Record<string, unknown>>
  /** A client of the test's own (the caller disconnects it). */
  connect (opts?: RedisOptions): RedisClient
}

/** The machine's Redis at TEST_REDIS_URL (hub configs read it from that environment variable). */
export const LOCAL_REDIS: TestRedis = {
  section: { url: { env: 'TEST_REDIS_URL' } },
  connect: opts => new Redis(TEST_REDIS_URL, opts ?? {}),
}

/**
 * A key prefix of this test's own, so test files can run in parallel on one Redis; its
 * keys are deleted at teardown.
 */
export function testPrefix (t: { teardown: (fn: () => Promise<void>) => void }, label: string, redis: TestRedis = LOCAL_REDIS): string {
  const prefix = `cbt-${label}-${process.pid}-${randomBytes(3).toString('hex')}`
  t.teardown(async () => { await deleteKeys(prefix, redis) })
  return prefix
}

export async function deleteKeys (prefix: string, redis: TestRedis = LOCAL_REDIS): Promise<void> {
  const client = redis.connect()
  try {
    // A Cluster client learns its masters on its first command.
    await client.ping()
    await deleteKeysWithPrefix(client, prefix)
  } finally {
    client.disconnect()
  }
}
