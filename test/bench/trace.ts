/**
 * Trace benchmark (issue 20): what a per-case trace costs.
 *  - bytes per event in Redis (MEMORY USAGE of every trace key of a dedicated prefix, the
 *    chain heads included) for cases carrying the five events of a delivered case (seen,
 *    mapped, enqueued, attempt, acknowledged), with the details a real pull writes;
 *  - the append rate as the ledger appends (heads read, SM3 in Node, the script links), in
 *    MULTIs of 200 events, and the rate of the Lua fallback (SM3 computed in Redis);
 *  - end-to-end throughput at full speed with `trace.enabled` false and true, alternating,
 *    in the same run (the same simulators' process, fresh for each run).
 * Run alone: npx tsx test/bench/trace.ts [--cases 20000] [--e2e-cases 40000] [--runs 2]
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { appendPreparedIn, prepareTrace, traceCommands } from '../../src/trace/trace-append.js'
import { traceKeys } from '../../src/trace/trace-keys.js'
import type { TraceEventInput } from '../../src/trace/trace-event.js'
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'
import { hubConfig, platformStored, startSimulators, stopSimulators, TOKEN, validCount } from './e2e-sim-process.js'

const hex = (s: string): string => createHash('sha256').update(s).digest('hex')

/** The five events of a delivered case, with details as a pull and a push write them. */
function deliveredCase (n: number): TraceEventInput[] {
  const caseNumber = `SCJG-320322-2026-${String(n).padStart(6, '0')}`
  const fingerprint = hex(`fp${n}`)
  const sequence = 1_765_000_000_000_000 + n
  return [
    { caseNumber, kind: 'seen', details: { rawHash: hex(`raw${n}`), origin: { cursor: `2026-12-06 10:${String(n % 60).padStart(2, '0')}:00|${caseNumber}` } } },
    { caseNumber, kind: 'mapped', details: { mappingVersion: '2026-11-02.3', fingerprint, missing: ['/transfer/transferDate'], absent: [] } },
    { caseNumber, kind: 'enqueued', details: { sequence, idempotencyKey: `market-regulation-peixian.${hex(`k${n}`).slice(0, 40)}` } },
    { caseNumber, kind: 'attempt', details: { attempt: `j${hex(`j${n}`).slice(0, 16)}#${hex(`a${n}`).slice(0, 8)}`, outcome: 'accepted', answer: 'accepted', sequence } },
    { caseNumber, kind: 'acknowledged', details: { sequence, platformAt: '2026-12-06T02:10:00.123Z', hubAtMs: 1_765_000_000_123 } },
  ]
}

async function memoryAndAppend (cases: number): Promise<Record<string, number>> {
  const redis = new Redis(TEST_REDIS_URL)
  traceCommands(redis)
  const prefix = `cbbench-trace-${process.pid}`
  await deleteKeys(prefix)
  const keys = traceKeys(prefix, 'bench-agency')
  const perTx = 40 // cases per MULTI: 200 events
  const started = performance.now()
  for (let i = 0; i < cases; i += perTx) {
    const prepared = await prepareTrace(redis, keys, Array.from({ length: Math.min(perTx, cases - i) }, (_, j) => deliveredCase(i + j)).flat())
    const tx = redis.multi()
    appendPreparedIn(tx, keys, prepared)
    await tx.exec()
  }
  const seconds = (performance.now() - started) / 1000
  let listBytes = 0
  for (let i = 0; i < cases; i++) listBytes += Number(await redis.memory('USAGE', keys.events(deliveredCase(i)[0]!.caseNumber), 'SAMPLES', '0') ?? 0)
  const headBytes = Number(await redis.memory('USAGE', keys.head, 'SAMPLES', '0') ?? 0)
  const sample = await redis.lindex(keys.events(deliveredCase(0)[0]!.caseNumber), 3) ?? ''
  await deleteKeys(prefix)
  redis.disconnect()
  const events = cases * 5
  const perEvent = (listBytes + headBytes) / events
  return {
    cases, events, appendSeconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(events / seconds),
    bytesPerEvent: Math.round(perEvent), bytesPerCase: Math.round((listBytes + headBytes) / cases),
    headBytesPerCase: Math.round(headBytes / cases), eventTextBytes: Buffer.byteLength(sample),
    budgetMbFor1MCases5Events: Math.round(perEvent * 5_000_000 / 1024 / 1024),
  }
}

async function fullSpeed (dir: string, perAgency: number, agencies: number, tracing: boolean): Promise<{ seconds: number; casesPerSecond: number; stored: number }> {
  const sims = await startSimulators(dir, agencies, perAgency)
  const prefix = `cbbench-trace-e2e-${process.pid}`
  await deleteKeys(prefix)
  const file = hubConfig(dir, prefix, sims.agencies, sims.platformUrl, 500, { url: TEST_REDIS_URL })
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  writeFileSync(file, JSON.stringify({ ...doc, trace: { enabled: tracing } }))
  const config = await loadConfig(file, builtInRegistry(), { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN })
  const expected = validCount(sims.agencies)
  let acked = 0
  let done: () => void = () => {}
  const finished = new Promise<void>(resolve => { done = resolve })
  const started = Date.now()
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger(), onAcknowledged: (_a, items) => { acked += items.length; if (acked >= expected) done() } })
  await finished
  const seconds = (Date.now() - started) / 1000
  await hub.close()
  const stored = await platformStored(sims)
  await deleteKeys(prefix)
  await stopSimulators(sims)
  return { seconds, casesPerSecond: Math.round(expected / seconds), stored }
}

const args = parseArgs({ options: { cases: { type: 'string' }, 'e2e-cases': { type: 'string' }, runs: { type: 'string' }, agencies: { type: 'string' } } }).values
const memory = await memoryAndAppend(Number(args.cases ?? 20_000))
printTable('Trace: bytes per event in Redis, append rate', [['figure', 'value'], ...Object.entries(memory)])
const dir = mkdtempSync(join(tmpdir(), 'cb-bench-trace-'))
const agencies = Number(args.agencies ?? 4)
const perAgency = Math.round(Number(args['e2e-cases'] ?? 40_000) / agencies)
const runs: { tracing: boolean; seconds: number; casesPerSecond: number; stored: number }[] = []
for (let i = 0; i < Number(args.runs ?? 2); i++) {
  for (const tracing of [false, true]) {
    const r = await fullSpeed(dir, perAgency, agencies, tracing)
    runs.push({ tracing, ...r })
    process.stdout.write(`run ${i + 1}, tracing ${tracing ? 'on' : 'off'}: ${r.casesPerSecond} cases/s (${r.seconds} s, ${r.stored} stored)\n`)
  }
}
rmSync(dir, { recursive: true, force: true })
const mean = (on: boolean): number => Math.round(runs.filter(r => r.tracing === on).reduce((s, r) => s + r.casesPerSecond, 0) / runs.filter(r => r.tracing === on).length)
const endToEnd = { cases: perAgency * agencies, agencies, runs, offCasesPerSecond: mean(false), onCasesPerSecond: mean(true), ratioOnToOff: Number((mean(true) / mean(false)).toFixed(3)) }
printTable('Trace: e2e full speed, tracing off vs on (same run)', [['run', 'tracing', 'seconds', 'cases/s'], ...runs.map((r, i) => [Math.floor(i / 2) + 1, r.tracing ? 'on' : 'off', r.seconds, r.casesPerSecond]), ['mean', 'on ÷ off', '', endToEnd.ratioOnToOff]])
process.stdout.write(`wrote ${writeResult('trace', { machine: await machineInfo(TEST_REDIS_URL), memory, endToEnd })}\n`)
