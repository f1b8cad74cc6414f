/**
 * End-to-end benchmark: cases from several agency simulators through the hub (pull, map,
 * validate, ledger, queue, push) into the platform simulator — at full speed and at a
 * steady 500 cases/s — against a ceiling measured in the same run: a direct pipe between
 * the same simulators (read a page, map it, post it as a batch; no queue, no ledger, no
 * validation). The simulators run in a process of their own (test/bench/e2e-sims.ts), a
 * fresh one for each of the three runs, so neither the hub nor the pipe shares its event
 * loop with them. The full-speed comparison runs three times (the median ratio, with min and
 * max, and the load average at start and end). Run alone:
 * npx tsx test/bench/e2e.ts [--cases 100000] [--agencies 4] [--runs 3] [--steady-seconds 20]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import { builtInRegistry } from '../../adapters/index.js'
import { deleteKeys } from '../helpers/redis.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { latencySummary, machineInfo, printTable, writeResult } from './bench-kit.js'
import { platformStored, startSimulators, stopSimulators, TOKEN, validCount, type BenchAgency, hubConfig } from './e2e-sim-process.js'

/** The ceiling: page → map → post, per agency in parallel, nothing in between. */
async function directPipe (agencies: readonly BenchAgency[], platformUrl: string, pageSize: number): Promise<number> {
  const dispatcher = new Agent({ connections: 8 })
  const started = performance.now()
  await Promise.all(agencies.map(async agency => {
    const mapping = compileMapping(readFileSync(agency.mappingFile, 'utf8'), agency.mappingFile)
    let token: string | null = null
    let batch = 0
    do {
      const url = new URL('/api/cases', agency.url)
      url.searchParams.set('pageSize', String(pageSize))
      if (token !== null) url.searchParams.set('pageToken', token)
      const res = await request(url, { dispatcher })
      const body = await res.body.json() as { data: { list: Record<string, unknown>[]; nextPageToken: string | null } }
      token = body.data.nextPageToken
      const cases = body.data.list.map(r => mapping.map(r)).flatMap(o => o.kind === 'mapped' ? [o.value] : [])
      const post = await request(new URL('/api/v1/cases/batch', platformUrl), {
        method: 'POST', dispatcher,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'idempotency-key': `${agency.id}-${batch++}` },
        body: JSON.stringify({ cases }),
      })
      await post.body.text()
    } while (token !== null)
  }))
  const seconds = (performance.now() - started) / 1000
  await dispatcher.close()
  return seconds
}

/** The hub at full speed: every case is at the source when the hub starts. */
async function hubFullSpeed (dir: string, agencies: readonly BenchAgency[], platformUrl: string, pageSize: number): Promise<{ seconds: number; latencies: number[] }> {
  const prefix = `cbbench-e2e-${process.pid}`
  await deleteKeys(prefix)
  const config = await loadConfig(hubConfig(dir, prefix, agencies, platformUrl, pageSize, { url: TEST_REDIS_URL }), builtInRegistry(), { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN })
  const expected = validCount(agencies)
  const latencies: number[] = []
  let done: () => void = () => {}
  const finished = new Promise<void>(resolve => { done = resolve })
  const started = Date.now()
  const hub = await startHub({
    config, registry: builtInRegistry(), logger: silentLogger(),
    onAcknowledged: (_agency, items, ackedAtMs) => {
      for (let i = 0; i < items.length; i++) latencies.push(ackedAtMs - started)
      if (latencies.length >= expected) done()
    },
  })
  await finished
  const seconds = (Date.now() - started) / 1000
  await hub.close()
  await deleteKeys(prefix)
  return { seconds, latencies }
}

/**
 * How often the hub pulls each agency in the steady runs: a case waits for the next pull, so
 * this bounds the latency from below — with pulls every second the wait alone is up to a
 * second. So the steady load runs three times: pulls every second (comparable with earlier
 * runs), every 200 ms and every 100 ms (src/sync/pull-schedule.ts; 100 ms is the shortest
 * period the config accepts), to show what a half-second goal needs.
 */
const STEADY_SCHEDULES = [
  { key: 'steady', schedule: '*/1 * * * * *' },
  { key: 'steadyEvery200ms', schedule: 'every 200ms' },
  { key: 'steadyEvery100ms', schedule: 'every 100ms' },
] as const

/** The hub under a steady load: the bench adds cases at the source at `rate`/s and times each to its acknowledgement. */
async function hubSteady (dir: string, rate: number, durationS: number, agencyCount: number, schedule: string): Promise<{ latencies: number[]; added: number }> {
  const sims = await startSimulators(dir, agencyCount, 0)
  const agencies = sims.agencies
  const prefix = `cbbench-steady-${process.pid}`
  await deleteKeys(prefix)
  const config = await loadConfig(hubConfig(dir, prefix, agencies, sims.platformUrl, 500, { url: TEST_REDIS_URL }, () => schedule), builtInRegistry(), { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN })
  const appearedAt = new Map<string, number>()
  const latencies: number[] = []
  const hub = await startHub({
    config, registry: builtInRegistry(), logger: silentLogger(),
    onAcknowledged: (agencyId, items, ackedAtMs) => {
      for (const item of items) {
        const at = appearedAt.get(`${agencyId}/${item.caseNumber}`)
        if (at !== undefined) latencies.push(ackedAtMs - at)
      }
    },
  })
  const tickMs = 100
  const perTick = Math.max(1, Math.round(rate * tickMs / 1000 / agencies.length))
  const ticks = Math.round(durationS * 1000 / tickMs)
  const start = performance.now()
  let added = 0
  for (let tick = 0; tick < ticks; tick++) {
    await Promise.all(agencies.map(async agency => {
      const before = Date.now()
      const res = await request(new URL('/__sim/cases', agency.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: perTick }) })
      const records = await res.body.json() as { AJBH: string }[]
      for (const r of records) appearedAt.set(`${agency.id}/${r.AJBH}`, before)
      added += records.length
    }))
    const next = start + (tick + 1) * tickMs
    const wait = next - performance.now()
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait)) // pacing the load generator, not waiting for a result
  }
  const deadline = Date.now() + 30_000
  while (latencies.length < added && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
  await hub.close()
  await deleteKeys(prefix)
  await stopSimulators(sims)
  return { latencies, added }
}

/** One full-speed comparison: the direct pipe, then the hub, each on fresh simulators holding the same cases. */
async function fullSpeedRun (dir: string, opts: { agencies: number; pageSize: number }, perAgency: number): Promise<FullSpeedRun> {
  let sims = await startSimulators(dir, opts.agencies, perAgency)
  const expected = validCount(sims.agencies)
  const ceilingSeconds = await directPipe(sims.agencies, sims.platformUrl, opts.pageSize)
  const ceilingStored = await platformStored(sims)
  await stopSimulators(sims)

  sims = await startSimulators(dir, opts.agencies, perAgency)
  const full = await hubFullSpeed(dir, sims.agencies, sims.platformUrl, opts.pageSize)
  const hubStored = await platformStored(sims)
  await stopSimulators(sims)
  const hubRate = expected / full.seconds
  const ceilingRate = ceilingStored / ceilingSeconds
  return {
    expected, seconds: full.seconds, casesPerSecond: Math.round(hubRate), stored: hubStored,
    ceilingSeconds, ceilingCasesPerSecond: Math.round(ceilingRate), ratioToCeiling: Number((hubRate / ceilingRate).toFixed(3)),
    latencyMs: latencySummary(full.latencies),
  }
}

interface FullSpeedRun {
  readonly expected: number
  readonly seconds: number
  readonly casesPerSecond: number
  readonly stored: number
  readonly ceilingSeconds: number
  readonly ceilingCasesPerSecond: number
  readonly ratioToCeiling: number
  readonly latencyMs: ReturnType<typeof latencySummary>
}

/** The run whose ratio is the median of the runs' (an odd number of them). */
function medianRun (runs: readonly FullSpeedRun[]): FullSpeedRun {
  return [...runs].sort((a, b) => a.ratioToCeiling - b.ratioToCeiling)[Math.floor(runs.length / 2)] as FullSpeedRun
}

export async function benchEndToEnd (opts: { cases: number; agencies: number; pageSize: number; steadyRate: number; steadySeconds: number; runs: number }): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'casebridge-bench-'))
  try {
    const loadAtStart = loadavg()[0] as number
    const perAgency = Math.ceil(opts.cases / opts.agencies)
    // Each run on fresh simulators, so each starts from the same state; the machine is shared
    // and noisy, so the figure is the median of the runs, with their spread beside it.
    const runs: FullSpeedRun[] = []
    for (let i = 0; i < opts.runs; i++) {
      runs.push(await fullSpeedRun(dir, opts, perAgency))
      process.stdout.write(`run ${i + 1} of ${opts.runs}: hub ${runs[i]?.casesPerSecond} cases/s, pipe ${runs[i]?.ceilingCasesPerSecond} cases/s, ratio ${runs[i]?.ratioToCeiling}\n`)
    }
    const median = medianRun(runs)
    const ratios = runs.map(r => r.ratioToCeiling)

    const steadyRuns: Record<string, Record<string, unknown>> = {}
    const steadyRows: (string | number)[][] = []
    for (const { key, schedule } of STEADY_SCHEDULES) {
      const steady = await hubSteady(dir, opts.steadyRate, opts.steadySeconds, opts.agencies, schedule)
      const latencyMs = latencySummary(steady.latencies)
      steadyRuns[key] = { targetRate: opts.steadyRate, seconds: opts.steadySeconds, schedule, added: steady.added, acknowledged: steady.latencies.length, latencyMs }
      steadyRows.push([`hub, steady ${opts.steadyRate}/s (pulls: ${schedule})`, opts.steadySeconds, Math.round(steady.latencies.length / opts.steadySeconds), '', latencyMs.p50, latencyMs.p95, latencyMs.p99])
    }
    const loadAtEnd = loadavg()[0] as number
    const { expected: _expected, ...medianFigures } = median
    const result = {
      cases: median.expected,
      agencies: opts.agencies,
      loadAverage1m: { atStart: Number(loadAtStart.toFixed(2)), atEnd: Number(loadAtEnd.toFixed(2)) },
      fullSpeed: {
        ...medianFigures,
        runs: runs.length,
        ratios: { median: median.ratioToCeiling, min: Math.min(...ratios), max: Math.max(...ratios), each: ratios },
        each: runs.map(({ expected: _e, latencyMs, ...r }) => ({ ...r, latencyP99Ms: latencyMs.p99 })),
      },
      ...steadyRuns,
    }
    printTable(`End to end: ${median.expected.toLocaleString('en-US')} valid cases from ${opts.agencies} agencies, ${runs.length} runs (load average ${result.loadAverage1m.atStart} → ${result.loadAverage1m.atEnd})`, [
      ['run', 'seconds', 'cases/s', 'vs ceiling', 'p50 ms', 'p95 ms', 'p99 ms'],
      ...runs.flatMap((r, i) => [
        [`${i + 1}: direct pipe (ceiling)`, r.ceilingSeconds, r.ceilingCasesPerSecond, 1, '', '', ''],
        [`${i + 1}: hub, full speed`, r.seconds, r.casesPerSecond, r.ratioToCeiling, r.latencyMs.p50, r.latencyMs.p95, r.latencyMs.p99],
      ]),
      ['median (min … max)', '', median.casesPerSecond, `${median.ratioToCeiling} (${Math.min(...ratios)} … ${Math.max(...ratios)})`, '', '', ''],
      ...steadyRows,
    ])
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, agencies: { type: 'string', default: '4' }, 'steady-seconds': { type: 'string', default: '20' }, runs: { type: 'string', default: '3' } } })
  const result = await benchEndToEnd({ cases: Number(values.cases), agencies: Number(values.agencies), pageSize: 500, steadyRate: 500, steadySeconds: Number(values['steady-seconds']), runs: Number(values.runs) })
  const file = writeResult('e2e', { machine: await machineInfo(TEST_REDIS_URL), ...result })
  process.stdout.write(`\nwrote ${file}\n`)
}
