/**
 * Several hub processes, measured: the same agencies synced by 1, 2 and 3 hub processes
 * (`casebridge run`, each its own process) sharing one Redis, then sharing a three-master
 * Redis Cluster. Reports cases/s (from the moment every hub has started to the last case
 * stored, counting the cases stored after that moment: a hub run from source takes seconds to
 * start, and the first one would otherwise sync alone meanwhile), the start-up time, the
 * Redis CPU seconds and commands per case (summed over the Cluster's masters), and the cases
 * the platform was written more than once (must be 0). Each Redis is the benchmark's own
 * (free loopback ports, own folders), so no other Redis user's commands are counted. On a
 * 2-core machine the hubs, Redis and the simulators compete for the cores: the figure to
 * read is that throughput does not fall and nothing is doubled, not linear scaling.
 * Run alone: npx tsx test/bench/multi-hub.ts [--per-agency 10000] [--agencies 4]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { request } from 'undici'
import { dataNodes, type RedisClient } from '../../src/redis/redis-client.js'
import { startOwnRedis } from '../helpers/redis-server.js'
import { startOwnCluster } from '../helpers/redis-cluster.js'
import { spawnHub, type HubProcess } from '../helpers/hub-process.js'
import { waitFor } from '../helpers/wait-for.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'
import { hubConfig, startSimulators, stopSimulators, TOKEN, validCount } from './e2e-sim-process.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'

const { values } = parseArgs({ options: { 'per-agency': { type: 'string', default: '10000' }, agencies: { type: 'string', default: '4' } } })
const PER_AGENCY = Number(values['per-agency'])
const AGENCIES = Number(values.agencies)

/** What the benchmark's Redis servers started hold until the end. */
const teardowns: (() => Promise<void> | void)[] = []
const t = { teardown: (fn: () => Promise<void> | void): void => { teardowns.push(fn) } }

interface RedisUnderTest { name: string; section: Record<string, unknown>; client: RedisClient }

/** Commands processed and CPU seconds used, summed over the data nodes. */
async function redisCounters (client: RedisClient): Promise<{ commands: number; cpu: number }> {
  let commands = 0
  let cpu = 0
  for (const node of dataNodes(client)) {
    const info = await node.info()
    commands += Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0)
    cpu += Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0)
  }
  return { commands, cpu }
}

async function platformTotals (url: string): Promise<{ stored: number; applied: number }> {
  const res = await request(new URL('/__sim/stats', url))
  return (await res.body.json() as { totals: { stored: number; applied: number } }).totals
}

async function run (redis: RedisUnderTest, hubs: number, dir: string): Promise<(string | number)[]> {
  const sims = await startSimulators(dir, AGENCIES, PER_AGENCY)
  const prefix = `cbbench-multi-${hubs}-${process.pid}`
  const file = hubConfig(dir, prefix, sims.agencies, sims.platformUrl, 500, redis.section, undefined, 'info')
  const expected = validCount(sims.agencies)
  const before = await redisCounters(redis.client)
  const started = Date.now()
  const processes: HubProcess[] = []
  for (let i = 0; i < hubs; i++) processes.push(spawnHub(file, { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN }))
  await Promise.all(processes.map(async p => await p.started))
  const allStarted = Date.now()
  const storedBefore = (await platformTotals(sims.platformUrl)).stored
  await waitFor(`${expected} cases stored`, async () => (await platformTotals(sims.platformUrl)).stored >= expected, { timeoutMs: 240_000, intervalMs: 100 })
  const seconds = (Date.now() - allStarted) / 1000
  const after = await redisCounters(redis.client)
  const totals = await platformTotals(sims.platformUrl)
  for (const hub of processes) { hub.child.kill('SIGTERM'); await hub.exited }
  await stopSimulators(sims)
  const perCase = (n: number): number => Math.round(n / expected * 1000) / 1000
  return [redis.name, hubs, expected, Math.round((allStarted - started) / 100) / 10, storedBefore, Math.round((expected - storedBefore) / seconds), perCase(after.commands - before.commands), Math.round((after.cpu - before.cpu) / expected * 1e6), totals.applied - totals.stored]
}

const dir = mkdtempSync(join(tmpdir(), 'casebridge-bench-multi-'))
const rows: (string | number)[][] = []
try {
  const single = await startOwnRedis(t)
  const singleClient = new Redis(single.url)
  teardowns.push(() => { singleClient.disconnect() })
  const cluster = await startOwnCluster(t)
  const targets: RedisUnderTest[] = [
    { name: 'one Redis', section: { url: single.url }, client: singleClient },
    { name: 'Cluster (3 masters)', section: { cluster: { nodes: cluster.nodes } }, client: cluster.client },
  ]
  for (const redis of targets) for (const hubs of [1, 2, 3]) rows.push(await run(redis, hubs, dir))
} finally {
  for (const fn of teardowns.reverse()) await fn()
  rmSync(dir, { recursive: true, force: true })
}
const header = ['redis', 'hub processes', 'cases', 'start-up s', 'stored meanwhile', 'cases/s', 'redis commands/case', 'redis CPU µs/case', 'cases written twice']
printTable(`Several hub processes (${AGENCIES} agencies × ${PER_AGENCY} cases)`, [header, ...rows])
const file = writeResult('multi-hub', {
  machine: await machineInfo(TEST_REDIS_URL),
  agencies: AGENCIES, perAgency: PER_AGENCY,
  runs: rows.map(r => Object.fromEntries(header.map((h, i) => [h, r[i]]))),
})
process.stdout.write(`wrote ${file}\n`)
if (rows.some(r => r[8] !== 0)) process.exitCode = 1
