import { execSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { Redis } from 'ioredis'
import { projectRoot } from '../../src/paths.js'

/** Shared plumbing of the benchmarks: machine facts, percentiles, tables, result files. */

export const RESULTS_DIR = join(projectRoot, 'test', 'bench', 'results')

export interface MachineInfo { cores: number; cpu: string; node: string; redis: string; commit: string; date: string }

export async function machineInfo (redisUrl: string): Promise<MachineInfo> {
  const redis = new Redis(redisUrl)
  try {
    const info = await redis.info('server')
    const commit = (() => { try { return execSync('git rev-parse --short HEAD', { cwd: projectRoot }).toString().trim() } catch { return 'unknown' } })()
    return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown', commit, date: new Date().toISOString() }
  } finally {
    redis.disconnect()
  }
}

export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? NaN
}

export function latencySummary (samples: number[]): { p50: number; p95: number; p99: number; max: number; count: number } {
  const sorted = [...samples].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, count: sorted.length }
}

/** Peak resident memory of this process so far, sampled (Node has no high-water mark of its own). */
export function rssSampler (intervalMs = 50): { peakMb: () => number; stop: () => void } {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, intervalMs)
  timer.unref()
  return { peakMb: () => Math.round(Math.max(peak, process.memoryUsage.rss()) / 1048576), stop: () => clearInterval(timer) }
}

export function printTable (title: string, rows: readonly (readonly (string | number)[])[]): void {
  const text = rows.map(r => r.map(c => typeof c === 'number' ? formatNumber(c) : c))
  const widths = text[0]?.map((_, i) => Math.max(...text.map(r => String(r[i] ?? '').length))) ?? []
  process.stdout.write(`\n${title}\n`)
  text.forEach((r, n) => {
    process.stdout.write(r.map((c, i) => i === 0 ? String(c).padEnd(widths[i] ?? 0) : String(c).padStart(widths[i] ?? 0)).join('  ') + '\n')
    if (n === 0) process.stdout.write(widths.map(w => '-'.repeat(w)).join('  ') + '\n')
  })
}

function formatNumber (n: number): string {
  if (!Number.isFinite(n)) return String(n)
  if (Number.isInteger(n)) return n.toLocaleString('en-US')
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)
}

export function writeResult (name: string, value: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `${name}.json`)
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n')
  return file
}

/**
 * Writes a GBK export of at least `targetBytes`, streaming (generating it costs no memory):
 * `head`, then `item(1)`, `item(2)` … in chunks of `perChunk`, then `tail`.
 */
export async function writeGbkExport (file: string, opts: { head: string; item: (n: number) => string; perChunk: number; tail: string; targetBytes: number }): Promise<{ bytes: number; items: number }> {
  const out = createWriteStream(file)
  let bytes = 0
  let items = 0
  const write = async (text: string): Promise<void> => {
    const chunk = iconv.encode(text, 'gbk')
    bytes += chunk.length
    if (!out.write(chunk)) await once(out, 'drain')
  }
  await write(opts.head)
  while (bytes < opts.targetBytes) {
    let text = ''
    for (let i = 0; i < opts.perChunk; i++) text += opts.item(++items)
    await write(text)
  }
  await write(opts.tail)
  out.end()
  await once(out, 'close')
  return { bytes, items }
}
