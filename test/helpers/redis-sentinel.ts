import type { ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'
import { tempDir } from './temp-files.js'
import { waitFor } from './wait-for.js'
import { PRODUCTION_REDIS_ARGS, spawnRedisServer, stopChild, waitForRedis } from './redis-server.js'
import { freePort } from '../../fixtures/sim-shared/free-port.js'

/** The name the sentinels watch the primary under (the hub's `redis.name`). */
export const SENTINEL_MASTER_NAME = 'casebridge'

export interface SentinelServer {
  readonly port: number
  /** kill -9: what the process held and had not replicated or fsynced is gone. */
  kill (): Promise<void>
  /** SIGSTOP / SIGCONT: frozen, it neither replicates nor answers the sentinels. */
  pause (): void
  resume (): void
}

export interface OwnSentinelSet {
  /** The sentinels, for the hub's `redis.sentinels`. */
  readonly sentinels: readonly { host: string; port: number }[]
  readonly primary: SentinelServer
  readonly replica: SentinelServer
  /** The port the sentinels say the primary is on now. */
  currentPrimaryPort (): Promise<number | undefined>
}

/**
 * A primary, one replica (both AOF, as production runs them) and three sentinels
 * (`redis-server --sentinel`, quorum 2) on free loopback ports, each with its own folder,
 * stopped and removed at teardown. The sentinels are tuned quick for tests: the primary is
 * down after 1 s without an answer, a failover is retried after 4 s.
 */
export async function startOwnSentinelSet (t: { teardown: (fn: () => Promise<void> | void) => void }): Promise<OwnSentinelSet> {
  const children: ChildProcess[] = []
  t.teardown(async () => { for (const child of children) { child.kill('SIGCONT'); await stopChild(child) } })
  const server = async (args: readonly string[]): Promise<SentinelServer & { child: ChildProcess }> => {
    const port = await freePort()
    const child = spawnRedisServer(port, tempDir(t, 'casebridge-sentinel-set-').dir, [...PRODUCTION_REDIS_ARGS, ...args])
    children.push(child)
    await waitForRedis(port)
    return { port, child, kill: async () => { child.kill('SIGCONT'); await stopChild(child) }, pause: () => { child.kill('SIGSTOP') }, resume: () => { child.kill('SIGCONT') } }
  }
  const primary = await server([])
  const replica = await server(['--replicaof', '127.0.0.1', String(primary.port)])
  await waitFor('the replica to be in sync with the primary', async () => (await info(replica.port, 'replication')).includes('master_link_status:up'), { timeoutMs: 15_000 })
  const sentinels: { host: string; port: number }[] = []
  for (let i = 0; i < 3; i++) {
    const port = await freePort()
    const folder = tempDir(t, 'casebridge-sentinel-')
    // A sentinel rewrites its config file (what it learned): it must be its own, writable.
    const conf = folder.write('sentinel.conf', [
      `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primary.port} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 2000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
      '',
    ].join('\n'))
    children.push(spawnRedisServer(port, folder.dir, [conf, '--sentinel']))
    await waitForRedis(port, { sentinel: true })
    sentinels.push({ host: '127.0.0.1', port })
  }
  // A failover needs the sentinels to know each other (quorum, leader election) and the replica.
  await waitFor('the sentinels to know each other and the replica', async () => {
    for (const s of sentinels) {
      const known = await sentinelCommand(s.port, ['SENTINEL', 'SENTINELS', SENTINEL_MASTER_NAME]) as unknown[]
      const replicas = await sentinelCommand(s.port, ['SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME]) as unknown[]
      if (known.length < 2 || replicas.length < 1) return false
    }
    return true
  }, { timeoutMs: 30_000, intervalMs: 200 })
  return {
    sentinels, primary, replica,
    async currentPrimaryPort () {
      for (const s of sentinels) {
        const addr = await sentinelCommand(s.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME]).catch(() => undefined) as [string, string] | undefined
        if (addr !== undefined) return Number(addr[1])
      }
      return undefined
    },
  }
}

async function withProbe<T> (port: number, fn: (probe: Redis) => Promise<T>): Promise<T> {
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await probe.connect()
    return await fn(probe)
  } finally {
    probe.disconnect()
  }
}

async function info (port: number, section: string): Promise<string> {
  return await withProbe(port, async probe => await probe.info(section))
}

async function sentinelCommand (port: number, args: readonly string[]): Promise<unknown> {
  return await withProbe(port, async probe => await probe.call(args[0] as string, ...args.slice(1)))
}
