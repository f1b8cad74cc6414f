/**
 * `npm run bench`: runs every benchmark in its own process (so each one's peak memory is
 * its own), one after the other, then writes test/bench/results/latest.json with the
 * figures, their ratios to the baselines measured in the same run, the machine, and the
 * performance goals with the figure each was measured at and whether it was met (goals.ts).
 * Benchmarks are never part of `npm test`. `npm run bench -- --only multiHub,provinceScale`
 * runs only the benchmarks named (their keys below), to keep a run within its time budget;
 * it updates their figures in latest.json and keeps the others' from the last full run.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { projectRoot } from '../../src/paths.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, RESULTS_DIR, printTable, writeResult } from './bench-kit.js'
import { goalsOf, goalTable } from './goals.js'

/** Each benchmark: its script, the name of the result file it writes, and a time limit. */
const BENCHMARKS = [
  { key: 'endToEnd', script: 'e2e.ts', result: 'e2e', limitS: 600 },
  { key: 'queueOverhead', script: 'queue-overhead.ts', result: 'queue-overhead', limitS: 120 },
  { key: 'mapping', script: 'mapping.ts', result: 'mapping', limitS: 120 },
  { key: 'reconcile', script: 'reconcile.ts', result: 'reconcile', limitS: 480 },
  { key: 'sftpIngest', script: 'sftp-ingest.ts', result: 'sftp-ingest', limitS: 240 },
  { key: 'xmlIngest', script: 'xml-ingest.ts', result: 'xml-ingest', limitS: 300 },
  { key: 'cursorOverlap', script: 'cursor-overlap.ts', result: 'cursor-overlap', limitS: 180 },
  { key: 'endToEndProfiles', script: 'e2e-profiles.ts', result: 'e2e-profiles', limitS: 420 },
  { key: 'multiHub', script: 'multi-hub.ts', result: 'multi-hub', limitS: 300 },
  { key: 'provinceScale', script: 'province.ts', result: 'province', limitS: 420 },
  { key: 'trace', script: 'trace.ts', result: 'trace', limitS: 300 },
] as const

async function runOne (script: string, limitS: number): Promise<{ code: number | null; seconds: number }> {
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'bench', script)], { cwd: projectRoot, stdio: 'inherit' })
  const timer = setTimeout(() => { process.stdout.write(`\n${script}: over its ${limitS} s limit, stopped\n`); child.kill('SIGKILL') }, limitS * 1000)
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  clearTimeout(timer)
  return { code, seconds: (Date.now() - started) / 1000 }
}

const only = parseArgs({ options: { only: { type: 'string' } } }).values.only?.split(',').filter(k => k !== '')
const unknown = (only ?? []).filter(k => !BENCHMARKS.some(b => b.key === k))
if (unknown.length > 0) throw new Error(`--only: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map(b => b.key).join(', ')}`)

const summary: (string | number)[][] = [['benchmark', 'status', 'seconds']]
const benchmarks: Record<string, unknown> = {}
for (const bench of BENCHMARKS.filter(b => only === undefined || only.includes(b.key))) {
  if (!existsSync(join(projectRoot, 'test', 'bench', bench.script))) {
    summary.push([bench.key, 'not present', ''])
    continue
  }
  const file = join(RESULTS_DIR, `${bench.result}.json`)
  rmSync(file, { force: true })
  process.stdout.write(`\n=== ${bench.key} (${bench.script}) ===\n`)
  const { code, seconds } = await runOne(bench.script, bench.limitS)
  if (code === 0 && existsSync(file)) {
    const { machine: _machine, ...figures } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    benchmarks[bench.key] = figures
    summary.push([bench.key, 'ok', seconds])
  } else {
    benchmarks[bench.key] = { failed: true, exitCode: code }
    summary.push([bench.key, `failed (exit ${code})`, seconds])
  }
}

// A run of some benchmarks (--only) updates theirs in latest.json and keeps the others' figures
// from the last full run, naming the partial run: it does not wipe the full record.
const machine = await machineInfo(TEST_REDIS_URL)
const previous = only === undefined ? undefined : previousLatest()
const allBenchmarks = previous === undefined ? benchmarks : { ...(previous.benchmarks as Record<string, unknown> | undefined), ...benchmarks }
const goals = goalsOf(allBenchmarks)
const latest = writeResult('latest', previous === undefined
  ? { machine, goals, benchmarks }
  : { ...previous, goals, benchmarks: allBenchmarks, partialRuns: [...((previous.partialRuns as unknown[] | undefined) ?? []), { only, machine }] })
printTable('Benchmarks', summary)
printTable('Goals (issue 17)', goalTable(goals))
process.stdout.write(`\nwrote ${latest}\n`)
if (summary.some(row => String(row[1]).startsWith('failed'))) process.exitCode = 1

/** latest.json as the last run left it, or undefined when there is none (or it is unreadable). */
function previousLatest (): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(RESULTS_DIR, 'latest.json'), 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}
