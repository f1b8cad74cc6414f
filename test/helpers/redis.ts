import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { deleteKeysWithPrefix } from '../../src/redis/delete-prefix.js'

/** The Redis the tests use: REDIS_URL, or the machine's local one. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/**
 * A key prefix of this test's own, so test files can run in parallel on one Redis; its
 * keys are deleted at teardown.
 */
export function testPrefix (t: { teardown: (fn: () => Promise<void>) => void }, label: string): string {
  const prefix = `cbt-${label}-${process.pid}-${randomBytes(3).toString('hex')}`
  t.teardown(async () => { await deleteKeys(prefix) })
  return prefix
}

export async function deleteKeys (prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL)
  try {
    await deleteKeysWithPrefix(redis, prefix)
  } finally {
    redis.disconnect()
  }
}
