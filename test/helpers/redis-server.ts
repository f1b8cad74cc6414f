import { spawn, type ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'
import { tempDir } from './temp-files.js'
import { waitFor } from './wait-for.js'
import { freePort } from '../../fixtures/sim-shared/free-port.js'

export interface OwnRedis {
  readonly url: string
  readonly port: number
  /** Kill it the hard way (SIGKILL): what was not yet fsynced to the AOF is lost. */
  kill (): Promise<void>
  /** Start it again on the same port and data folder (it replays its AOF). */
  start (): Promise<void>
}

/** How production runs Redis: AOF fsynced every second, no RDB snapshots, never evict. */
export const PRODUCTION_REDIS_ARGS: readonly string[] = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction']

/** A redis-server (or, with `--sentinel` among `args`, a sentinel) on a loopback port, its files in `dir`. */
export function spawnRedisServer (port: number, dir: string, args: readonly string[]): ChildProcess {
  const child = spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' })
  child.once('error', err => { throw new Error(`redis-server could not start (is it installed? .ci/run installs it): ${err.message}`) })
  return child
}

/** Wait until the Redis on `port` answers (and, being a data node, has loaded its AOF). */
export async function waitForRedis (port: number, opts: { sentinel?: boolean; timeoutMs?: number } = {}): Promise<void> {
  await waitFor(`redis-server on port ${port}`, async () => {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    try {
      await probe.connect()
      if (opts.sentinel === true) return await probe.ping() === 'PONG'
      // Ready also means the AOF has been loaded.
      return (await probe.info('persistence')).includes('loading:0')
    } catch {
      return false
    } finally {
      probe.disconnect()
    }
  }, { timeoutMs: opts.timeoutMs ?? 15_000, intervalMs: 50 })
}

/** Signal a child and wait until it has exited (at once when it already has). */
export async function stopChild (child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

/**
 * A redis-server of the test's own on a free loopback port, by default as production runs
 * it (AOF, appendfsync everysec, noeviction); `args` add or override settings. Stopped at
 * teardown.
 */
export async function startOwnRedis (t: { teardown: (fn: () => Promise<void> | void) => void }, args: readonly string[] = []): Promise<OwnRedis> {
  const port = await freePort()
  const data = tempDir(t, 'casebridge-redis-')
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    child = spawnRedisServer(port, data.dir, [...PRODUCTION_REDIS_ARGS, ...args])
    await waitForRedis(port)
  }
  const kill = async (): Promise<void> => { await stopChild(child) }
  t.teardown(kill)
  await start()
  return { url, port, kill, start }
}
