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
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', data.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', ...args], { stdio: 'ignore' })
    child.once('error', err => { throw new Error(`redis-server could not start (is it installed? .ci/run installs it): ${err.message}`) })
    await waitFor(`redis-server on port ${port}`, async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      try {
        await probe.connect()
        // Ready also means the AOF has been loaded.
        return (await probe.info('persistence')).includes('loading:0')
      } catch {
        return false
      } finally {
        probe.disconnect()
      }
    }, { timeoutMs: 15_000, intervalMs: 50 })
  }
  const kill = async (): Promise<void> => {
    const running = child
    if (running === undefined || running.exitCode !== null) return
    const exited = new Promise(resolve => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }
  t.teardown(kill)
  await start()
  return { url, port, kill, start }
}
