/**
 * What the hub tells operators about an agency's mapping, kept in Redis beside the ledger
 * (one HASH per agency, `mapping` in src/ledger/keys.ts; written and read through the
 * Ledger's methods) so every hub process and the admin API see it: the version in use, where it came from and when it was loaded, and — until a
 * good version loads — the last edit that was refused and why (`file:line:col: …`).
 */
import type { RedisClient } from '../redis/redis-client.js'
import type { CompiledMapping } from '../mapping/types.js'

export interface MappingStatus {
  /** `version:` of the mapping in use. */
  readonly version?: string
  readonly file?: string
  /** ISO time the mapping in use was loaded. */
  readonly loadedAt?: string
  /** The refusal of the last edit, `file:line:col: what is wrong`, while it is not fixed. */
  readonly error?: string
  /** ISO time of that refusal. */
  readonly errorAt?: string
}

/** A mapping version is in use now; an earlier refusal is settled by it. */
export async function recordMappingLoaded (redis: RedisClient, key: string, mapping: Pick<CompiledMapping, 'version' | 'file'>, at = new Date()): Promise<void> {
  await redis.multi()
    .hset(key, 'version', mapping.version, 'file', mapping.file, 'loadedAt', at.toISOString())
    .hdel(key, 'error', 'errorAt')
    .exec()
}

/** An edit was refused; the mapping in use stays what it was. */
export async function recordMappingRefused (redis: RedisClient, key: string, message: string, at = new Date()): Promise<void> {
  await redis.hset(key, 'error', message, 'errorAt', at.toISOString())
}

export async function readMappingStatus (redis: RedisClient, key: string): Promise<MappingStatus> {
  const raw = await redis.hgetall(key)
  const out: Record<string, string> = {}
  for (const name of ['version', 'file', 'loadedAt', 'error', 'errorAt'] as const) if (raw[name] !== undefined) out[name] = raw[name]
  return out
}
