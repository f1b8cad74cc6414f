/**
 * Province scale: 300 simulated agencies (small volumes each), each on its own schedule
 * (every 30 s, at a second of its own), synced by one hub process on a Redis of the
 * benchmark's own for a few minutes. Measures the scheduler's overhead once everything is
 * synced (pull ticks per second, Redis commands per tick), memory per agency in the hub
 * (heap) and in Redis (used_memory, ledger included), fairness (how long the slowest agency
 * took until all its cases were acknowledged), and one reconciliation of all agencies.
 * Run alone: npx tsx test/bench/province.ts [--agencies 300] [--per-agency 20] [--seconds 120]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { ReconcileResult } from '../../src/reconcile/findings.js'
import { startOwnRedis } from '../helpers/redis-server.js'
import { waitFor } from '../helpers/wait-for.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'
import { hubConfig, platformStored, startSimulators, stopSimulators, TOKEN } from './e2e-sim-process.js'

const { values } = parseArgs({ options: { agencies: { type: 'string', default: '300' }, 'per-agency': { type: 'string', default: '20' }, seconds: { type: 'string', default: '120' } } })
const AGENCIES = Number(values.agencies)
const PER_AGENCY = Number(values['per-agency'])
const SECONDS = Number(values.seconds)
const INTERVAL_S = 30

const teardowns: (() => Promise<void> | void)[] = []
const t = { teardown: (fn: () => Promise<void> | void): void => { teardowns.push(fn) } }
const dir = mkdtempSync(join(tmpdir(), 'casebridge-bench-province-'))

async function redisFigures (redis: Redis): Promise<{ commands: number; memory: number }> {
  const info = await redis.info()
  return { commands: Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0), memory: Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) }
}

try {
  const own = await startOwnRedis(t)
  const redis = new Redis(own.url)
  teardowns.push(() => { redis.disconnect() })
  const sims = await startSimulators(dir, AGENCIES, PER_AGENCY)
  teardowns.push(async () => { await stopSimulators(sims) })
  // Each agency every 30 s, at its own second: the schedules spread over the interval.
  const file = hubConfig(dir, 'cbbench-province', sims.agencies, sims.platformUrl, 200, { url: own.url }, i => `${i % INTERVAL_S},${(i % INTERVAL_S) + INTERVAL_S} * * * * *`)
  const config = await loadConfig(file, builtInRegistry(), { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN })
  const valid = new Map(sims.agencies.map(a => [a.id, a.records - a.invalidByDesign]))
  const expected = [...valid.values()].reduce((a, b) => a + b, 0)
  const redisBefore = await redisFigures(redis)
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const acked = new Map<string, number>()
  const doneAt = new Map<string, number>()
  const started = Date.now()
  const hub = await startHub({
    config, registry: builtInRegistry(), logger: silentLogger(),
    onAcknowledged: (agencyId, items, ackedAtMs) => {
      const n = (acked.get(agencyId) ?? 0) + items.length
      acked.set(agencyId, n)
      if (n >= (valid.get(agencyId) ?? 0) && !doneAt.has(agencyId)) doneAt.set(agencyId, ackedAtMs - started)
    },
  })
  teardowns.push(async () => { await hub.close() })
  await waitFor(`all ${expected} cases stored`, async () => await platformStored(sims) >= expected && doneAt.size === AGENCIES, { timeoutMs: SECONDS * 1000 + 120_000, intervalMs: 500 })
  const syncedS = (Date.now() - started) / 1000
  // The steady state: every agency synced, its ticks find nothing new.
  const ticksOf = async (): Promise<number> => (await Promise.all(sims.agencies.map(async a => (await hub.ledger.pullRuns(a.id)).length))).reduce((x, y) => x + y, 0)
  const steadyFrom = Date.now()
  const ticksBefore = await ticksOf()
  const steadyRedis = await redisFigures(redis)
  const steadyS = Math.max(INTERVAL_S * 2, SECONDS - syncedS)
  await new Promise(resolve => setTimeout(resolve, steadyS * 1000)) // a measurement window, not a wait for an event
  const ticks = await ticksOf() - ticksBefore
  const redisAfter = await redisFigures(redis)
  const steadySeconds = (Date.now() - steadyFrom) / 1000
  globalThis.gc?.()
  const heapAfter = process.memoryUsage().heapUsed
  // A scheduled reconciliation of the agency may be running right now: wait for it to end.
  const reconcileWhenFree = async (id: string): Promise<ReconcileResult> => {
    for (;;) {
      try {
        return await hub.reconcileNow(id)
      } catch (err) {
        if ((err as { code?: string }).code !== 'CB_ERR_RECONCILE_BUSY') throw err
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    }
  }
  const reconcileFrom = Date.now()
  const results: ReconcileResult[] = []
  for (const a of sims.agencies) results.push(await reconcileWhenFree(a.id))
  const reconcileS = (Date.now() - reconcileFrom) / 1000
  // Drift kinds only: the simulated decisions are years old, so every decided case is a late entry by the default 7-day rule.
  const drift = (r: ReconcileResult): number => Object.entries(r.findings).filter(([k]) => k !== 'late_entry').reduce((n, [, f]) => n + f.count, 0)
  const clean = results.filter(r => drift(r) === 0 && r.target !== 'not-compared').length
  const lateEntries = results.reduce((n, r) => n + r.findings.late_entry.count, 0)
  const lags = [...doneAt.values()].sort((a, b) => a - b)
  const figures = {
    agencies: AGENCIES, casesPerAgency: PER_AGENCY, validCases: expected,
    firstSyncSeconds: syncedS,
    slowestAgencySeconds: (lags[lags.length - 1] ?? NaN) / 1000, medianAgencySeconds: (lags[Math.floor(lags.length / 2)] ?? NaN) / 1000,
    steadySeconds, ticksPerSecond: ticks / steadySeconds, redisCommandsPerTick: (redisAfter.commands - steadyRedis.commands) / Math.max(1, ticks),
    hubHeapKbPerAgency: (heapAfter - heapBefore) / 1024 / AGENCIES, redisKbPerAgency: (redisAfter.memory - redisBefore.memory) / 1024 / AGENCIES,
    reconcileAllSeconds: reconcileS, reconciledWithoutDrift: clean, lateEntriesReported: lateEntries,
  }
  printTable(`Province scale: ${AGENCIES} agencies × ${PER_AGENCY} cases, each pulled every ${INTERVAL_S} s`, [['figure', 'value'], ...Object.entries(figures).map(([k, v]) => [k, Math.round(v * 100) / 100])])
  const out = writeResult('province', { machine: await machineInfo(own.url), ...figures })
  process.stdout.write(`wrote ${out}\n`)
  if (clean !== AGENCIES) process.exitCode = 1
} finally {
  for (const fn of teardowns.reverse()) await fn()
  rmSync(dir, { recursive: true, force: true })
}
