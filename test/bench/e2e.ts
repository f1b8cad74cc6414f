/**
 * End-to-end benchmark: cases from several agency simulators through the hub (pull, map,
 * validate, ledger, queue, push) into the platform simulator — at full speed and at a
 * steady 500 cases/s — against a ceiling measured in the same run: a direct pipe between
 * the same simulators (read a page, map it, post it as a batch; no queue, no ledger, no
 * validation). The simulators run in a process of their own (test/bench/e2e-sims.ts), a
 * fresh one for each of the three runs, so neither the hub nor the pipe shares its event
 * loop with them. Run alone: npx tsx test/bench/e2e.ts [--cases 100000] [--agencies 4]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import { uniformCreditCheckChar } from '../../src/schema/check-digits.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { deleteKeys } from '../helpers/redis.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { latencySummary, machineInfo, printTable, writeResult } from './bench-kit.js'

const TOKEN = 'bench-token'
const DEMO_MAPPING = readFileSync(join(projectRoot, 'mappings', 'market-regulation-peixian.yaml'), 'utf8')

interface BenchAgency { id: string; code: string; mappingFile: string; url: string; records: number; invalidByDesign: number }

/** The simulators' process: the agencies (with the mapping file of each) and the platform. */
interface Simulators { agencies: BenchAgency[]; platformUrl: string; child: ChildProcess }

/** One mapping file per simulated agency: the demo mapping with its own id and credit code. */
function agencyMapping (dir: string, i: number): { id: string; code: string; file: string } {
  const first17 = `113203220141659${String(i).padStart(2, '0')}`
  const code = first17 + uniformCreditCheckChar(first17)
  const id = `bench-agency-${i}`
  const file = join(dir, `${id}.yaml`)
  writeFileSync(file, DEMO_MAPPING.replace('agency: market-regulation-peixian', `agency: ${id}`).replace('"11320322014165834G"', `"${code}"`))
  return { id, code, file }
}

async function startSimulators (dir: string, count: number, perAgency: number): Promise<Simulators> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'bench', 'e2e-sims.ts'), '--agencies', String(count), '--per-agency', String(perAgency), '--token', TOKEN],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  const ready = await new Promise<{ agencies: { url: string; records: number; invalidByDesign: number }[]; platformUrl: string }>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as never)
    })
    child.once('exit', code => reject(new Error(`the simulators' process exited (${code}) before listening`)))
  })
  const agencies = ready.agencies.map((a, i) => {
    const m = agencyMapping(dir, i)
    return { id: m.id, code: m.code, mappingFile: m.file, ...a }
  })
  return { agencies, platformUrl: ready.platformUrl, child }
}

async function stopSimulators (sims: Simulators): Promise<void> {
  if (sims.child.exitCode !== null || sims.child.signalCode !== null) return
  const exited = once(sims.child, 'exit')
  sims.child.kill('SIGTERM')
  await exited
}

async function platformStored (sims: Simulators): Promise<number> {
  const res = await request(new URL('/__sim/stats', sims.platformUrl))
  return (await res.body.json() as { totals: { stored: number } }).totals.stored
}

function validCount (agencies: readonly BenchAgency[]): number {
  return agencies.reduce((n, a) => n + a.records - a.invalidByDesign, 0)
}

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

function hubConfig (dir: string, prefix: string, agencies: readonly BenchAgency[], platformUrl: string, pageSize: number): string {
  const file = join(dir, `hub-${prefix}.yaml`)
  writeFileSync(file, JSON.stringify({
    hub: { name: 'bench' },
    redis: { url: TEST_REDIS_URL, keyPrefix: prefix, requirePersistence: false },
    admin: { host: '127.0.0.1', port: 0 },
    logging: { level: 'error' },
    push: { batchSize: pageSize, concurrency: 8, attempts: 10, backoff: { delayMs: 200, jitter: 0.5 } },
    targets: { platform: { kind: 'http-batch', baseUrl: platformUrl, token: { env: 'BENCH_PLATFORM_TOKEN' } } },
    agencies: agencies.map(a => ({ id: a.id, mapping: a.mappingFile, schedule: '*/1 * * * * *', target: 'platform', source: { kind: 'http-pull', baseUrl: a.url, pageSize } })),
  }))
  return file
}

/** The hub at full speed: every case is at the source when the hub starts. */
async function hubFullSpeed (dir: string, agencies: readonly BenchAgency[], platformUrl: string, pageSize: number): Promise<{ seconds: number; latencies: number[] }> {
  const prefix = `cbbench-e2e-${process.pid}`
  await deleteKeys(prefix)
  const config = await loadConfig(hubConfig(dir, prefix, agencies, platformUrl, pageSize), builtInRegistry(), { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN })
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

/** The hub under a steady load: the bench adds cases at the source at `rate`/s and times each to its acknowledgement. */
async function hubSteady (dir: string, rate: number, durationS: number, agencyCount: number): Promise<{ latencies: number[]; added: number }> {
  const sims = await startSimulators(dir, agencyCount, 0)
  const agencies = sims.agencies
  const prefix = `cbbench-steady-${process.pid}`
  await deleteKeys(prefix)
  const config = await loadConfig(hubConfig(dir, prefix, agencies, sims.platformUrl, 500), builtInRegistry(), { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN })
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

export async function benchEndToEnd (opts: { cases: number; agencies: number; pageSize: number; steadyRate: number; steadySeconds: number }): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'casebridge-bench-'))
  try {
    const perAgency = Math.ceil(opts.cases / opts.agencies)
    // Fresh simulators for each run, so each starts from the same state.
    let sims = await startSimulators(dir, opts.agencies, perAgency)
    const expected = validCount(sims.agencies)
    const ceilingSeconds = await directPipe(sims.agencies, sims.platformUrl, opts.pageSize)
    const ceilingStored = await platformStored(sims)
    await stopSimulators(sims)

    sims = await startSimulators(dir, opts.agencies, perAgency)
    const full = await hubFullSpeed(dir, sims.agencies, sims.platformUrl, opts.pageSize)
    const hubStored = await platformStored(sims)
    await stopSimulators(sims)

    const steady = await hubSteady(dir, opts.steadyRate, opts.steadySeconds, opts.agencies)

    const hubRate = expected / full.seconds
    const ceilingRate = ceilingStored / ceilingSeconds
    const result = {
      cases: expected,
      agencies: opts.agencies,
      fullSpeed: {
        seconds: full.seconds, casesPerSecond: Math.round(hubRate), stored: hubStored,
        ceilingSeconds, ceilingCasesPerSecond: Math.round(ceilingRate), ratioToCeiling: Number((hubRate / ceilingRate).toFixed(3)),
        latencyMs: latencySummary(full.latencies),
      },
      steady: { targetRate: opts.steadyRate, seconds: opts.steadySeconds, added: steady.added, acknowledged: steady.latencies.length, latencyMs: latencySummary(steady.latencies) },
    }
    printTable(`End to end: ${expected.toLocaleString('en-US')} valid cases from ${opts.agencies} agencies`, [
      ['run', 'seconds', 'cases/s', 'vs ceiling', 'p50 ms', 'p95 ms', 'p99 ms'],
      ['direct pipe (ceiling)', ceilingSeconds, Math.round(ceilingRate), 1, '', '', ''],
      ['hub, full speed', full.seconds, Math.round(hubRate), result.fullSpeed.ratioToCeiling, result.fullSpeed.latencyMs.p50, result.fullSpeed.latencyMs.p95, result.fullSpeed.latencyMs.p99],
      [`hub, steady ${opts.steadyRate}/s`, opts.steadySeconds, Math.round(steady.latencies.length / opts.steadySeconds), '', result.steady.latencyMs.p50, result.steady.latencyMs.p95, result.steady.latencyMs.p99],
    ])
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, agencies: { type: 'string', default: '4' }, 'steady-seconds': { type: 'string', default: '20' } } })
  const result = await benchEndToEnd({ cases: Number(values.cases), agencies: Number(values.agencies), pageSize: 500, steadyRate: 500, steadySeconds: Number(values['steady-seconds']) })
  const file = writeResult('e2e', { machine: await machineInfo(TEST_REDIS_URL), ...result })
  process.stdout.write(`\nwrote ${file}\n`)
}
