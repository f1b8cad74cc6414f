import { readFileSync } from 'node:fs'
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { Logger } from 'pino'
import type { LoadedConfig } from '../config/load-config.js'
import { RedisAuthError, RedisPolicyError } from '../errors.js'
import { dataNodes, type RedisClient } from './redis-client.js'

/** Where the hub's Redis is (the `redis` config section, its env references resolved): a URL, a Sentinel set or a Cluster. */
export type RedisSection = Pick<LoadedConfig['redis'], 'url'> & Partial<Pick<LoadedConfig['redis'], 'sentinels' | 'name' | 'sentinelPassword' | 'cluster' | 'username' | 'password' | 'tls'>>

/** Reconnect soon, then every 5 s at most: an outage or a failover pauses the hub, it does not end it. */
const backoff = (times: number): number => Math.min(times * 200, 5000)

/**
 * The hub's Redis client — the one place a connection is made. `maxRetriesPerRequest:
 * null` is what BullMQ workers need: a command waits for Redis to come back instead of
 * failing, so an outage pauses the hub rather than crashing it. With Sentinel, ioredis
 * asks the sentinels for the primary on every reconnect, so it follows a failover by
 * itself; with a Cluster it follows slot moves and failovers.
 */
export function connectRedis (section: RedisSection, logger: Logger): RedisClient {
  const redis = createClient(section)
  let down = false
  redis.on('error', err => {
    if (!down) logger.error({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'redis connection problem; retrying')
    down = true
  })
  redis.on('ready', () => {
    if (down) logger.info('redis connection is back')
    down = false
  })
  return redis
}

function createClient (section: RedisSection): RedisClient {
  const common: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: backoff }
  if (section.cluster === undefined && section.sentinels === undefined) return new Redis(section.url, common)
  const tls = section.tls === undefined
    ? undefined
    : { ...(section.tls.caFile === undefined ? {} : { ca: readFileSync(section.tls.caFile) }), ...(section.tls.servername === undefined ? {} : { servername: section.tls.servername }) }
  const login: RedisOptions = {
    ...(section.username === undefined ? {} : { username: section.username }),
    ...(section.password === undefined ? {} : { password: section.password }),
    ...(tls === undefined ? {} : { tls }),
  }
  if (section.cluster !== undefined) {
    return new Cluster(section.cluster.nodes, { redisOptions: { ...common, ...login }, clusterRetryStrategy: backoff, enableReadyCheck: true })
  }
  return new Redis({
    ...common,
    ...login,
    sentinels: section.sentinels,
    // The schema requires `name` beside `sentinels` (dependentRequired); ioredis refuses an empty one.
    name: section.name ?? '',
    sentinelRetryStrategy: backoff,
    ...(section.sentinelPassword === undefined ? {} : { sentinelPassword: section.sentinelPassword }),
    ...(tls === undefined ? {} : { enableTLSForSentinelMode: true, sentinelTLS: tls }),
  })
}

/** Where a client connects, for messages: host:port of a server, the Sentinel primary's name, or a Cluster's masters. */
function whereOf (redis: RedisClient): string {
  if (redis instanceof Cluster) return `the Redis Cluster (${redis.nodes('master').map(n => `${n.options.host ?? '?'}:${n.options.port ?? '?'}`).join(', ')})`
  const { host, port, sentinels, name } = redis.options
  return sentinels !== null && sentinels !== undefined && sentinels.length > 0 ? `the Redis primary "${name ?? '?'}" (through Sentinel)` : `Redis at ${host ?? '?'}:${port ?? '?'}`
}

const AUTH_REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b/

/**
 * One command that needs a login, so a wrong password or user in `redis.url` ends the start
 * with one clear line (RedisAuthError) instead of a stack trace from the first real command.
 */
export async function checkRedisLogin (redis: RedisClient): Promise<void> {
  try {
    await redis.exists('casebridge:login-probe')
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (AUTH_REFUSED.test(message)) {
      throw new RedisAuthError(`${whereOf(redis)} refused the hub's login (${message.split(' ')[0] ?? ''}): check the password and user in redis.url, redis.password or redis.username (or the environment variables they come from)`, { cause: err })
    }
    throw err
  }
}

/**
 * Refuse a Redis that would evict queue or ledger keys (BullMQ requires noeviction) and
 * say loudly when it keeps nothing on disk: a restart would then lose the ledger. On a
 * Cluster every master is asked: CONFIG is per node.
 */
export async function checkRedisPolicy (redis: RedisClient, opts: { requirePersistence: boolean; logger: Logger }): Promise<void> {
  await checkRedisLogin(redis)
  for (const node of dataNodes(redis)) await checkNodePolicy(node, opts)
}

async function checkNodePolicy (redis: Redis, opts: { requirePersistence: boolean; logger: Logger }): Promise<void> {
  let policy: string | undefined
  let aof: string | undefined
  let save: string | undefined
  try {
    policy = (await redis.config('GET', 'maxmemory-policy') as string[])[1]
    aof = (await redis.config('GET', 'appendonly') as string[])[1]
    save = (await redis.config('GET', 'save') as string[])[1]
  } catch (err) {
    opts.logger.warn({ err }, 'cannot read the Redis configuration (CONFIG GET refused); make sure maxmemory-policy is noeviction and AOF is on')
    return
  }
  if (policy !== undefined && policy !== 'noeviction') {
    throw new RedisPolicyError(`Redis maxmemory-policy is "${policy}"; the hub requires "noeviction" (evicted queue or ledger keys would lose cases). Set it with: CONFIG SET maxmemory-policy noeviction, and in redis.conf`)
  }
  const persistent = aof === 'yes' || (save !== undefined && save.trim() !== '')
  if (!persistent) {
    const message = 'Redis keeps nothing on disk (appendonly no, no save points): a Redis restart loses the ledger, cursors and queued pushes. Production needs appendonly yes with appendfsync everysec.'
    if (opts.requirePersistence) throw new RedisPolicyError(message + ' (set redis.requirePersistence: false to run anyway)')
    opts.logger.warn(message)
  }
}
