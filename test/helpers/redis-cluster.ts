import { execFile, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { Cluster, Redis } from 'ioredis'
import { tempDir } from './temp-files.js'
import { waitFor } from './wait-for.js'
import { PRODUCTION_REDIS_ARGS, spawnRedisServer, stopChild, waitForRedis } from './redis-server.js'
import { freePort } from '../../fixtures/sim-shared/free-port.js'

export interface OwnCluster {
  /** The masters, for the hub's `redis.cluster.nodes`. */
  readonly nodes: readonly { host: string; port: number }[]
  /** A client of the test's own (closed at teardown). */
  readonly client: Cluster
}

/**
 * A Redis Cluster of the test's own: `masters` redis-servers on free loopback ports (each
 * with its own data folder, AOF on, its bus on a free port of its own), joined by
 * `redis-cli --cluster create` with no replicas. Stopped and removed at teardown.
 */
export async function startOwnCluster (t: { teardown: (fn: () => Promise<void> | void) => void }, masters = 3): Promise<OwnCluster> {
  const children: ChildProcess[] = []
  t.teardown(async () => { for (const child of children) await stopChild(child) })
  const nodes: { host: string; port: number }[] = []
  for (let i = 0; i < masters; i++) {
    const [port, bus] = [await freePort(), await freePort()]
    const data = tempDir(t, 'casebridge-cluster-')
    children.push(spawnRedisServer(port, data.dir, [...PRODUCTION_REDIS_ARGS, '--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']))
    nodes.push({ host: '127.0.0.1', port })
  }
  for (const node of nodes) await waitForRedis(node.port)
  await promisify(execFile)('redis-cli', ['--cluster', 'create', ...nodes.map(n => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 })
  // Every node must have learned the whole slot map before a client can rely on any of them.
  await waitFor('every cluster node to report cluster_state:ok', async () => {
    for (const node of nodes) {
      const probe = new Redis({ ...node, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      try {
        await probe.connect()
        if (!(await probe.cluster('INFO')).includes('cluster_state:ok')) return false
      } catch {
        return false
      } finally {
        probe.disconnect()
      }
    }
    return true
  }, { timeoutMs: 30_000, intervalMs: 100 })
  const client = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 3 } })
  t.teardown(() => { client.disconnect() })
  await client.ping()
  return { nodes, client }
}
