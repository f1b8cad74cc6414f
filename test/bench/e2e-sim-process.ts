/**
 * The simulators of the end-to-end benchmarks in a process of their own
 * (test/bench/e2e-sims.ts): several agencies, each with its mapping file (the demo mapping
 * under its own id and credit code), and the platform. Used by e2e.ts and multi-hub.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import { uniformCreditCheckChar } from '../../src/schema/check-digits.js'
import { projectRoot } from '../../src/paths.js'

export const TOKEN = 'bench-token'
const DEMO_MAPPING = readFileSync(join(projectRoot, 'mappings', 'market-regulation-peixian.yaml'), 'utf8')

export interface BenchAgency { id: string; code: string; mappingFile: string; url: string; records: number; invalidByDesign: number }

/** The simulators' process: the agencies (with the mapping file of each) and the platform. */
export interface Simulators { agencies: BenchAgency[]; platformUrl: string; child: ChildProcess }

/** One mapping file per simulated agency: the demo mapping with its own id and credit code. */
function agencyMapping (dir: string, i: number): { id: string; code: string; file: string } {
  const first17 = `113203220141${65900 + i}` // 17 characters for up to 34,100 agencies; the first 100 as before
  const code = first17 + uniformCreditCheckChar(first17)
  const id = `bench-agency-${i}`
  const file = join(dir, `${id}.yaml`)
  writeFileSync(file, DEMO_MAPPING.replace('agency: market-regulation-peixian', `agency: ${id}`).replace('"11320322014165834G"', `"${code}"`))
  return { id, code, file }
}

export async function startSimulators (dir: string, count: number, perAgency: number): Promise<Simulators> {
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

export async function stopSimulators (sims: Simulators): Promise<void> {
  if (sims.child.exitCode !== null || sims.child.signalCode !== null) return
  const exited = once(sims.child, 'exit')
  sims.child.kill('SIGTERM')
  await exited
}

export async function platformStored (sims: Simulators): Promise<number> {
  const res = await request(new URL('/__sim/stats', sims.platformUrl))
  return (await res.body.json() as { totals: { stored: number } }).totals.stored
}

export function validCount (agencies: readonly BenchAgency[]): number {
  return agencies.reduce((n, a) => n + a.records - a.invalidByDesign, 0)
}


/**
 * A hub config for the benchmark's agencies and platform, on the Redis `redis` (a config `redis`
 * section without the prefix). `logLevel` 'info' for a hub run as a process whose "hub started"
 * line the benchmark waits for (nothing is logged at info per page).
 */
export function hubConfig (dir: string, prefix: string, agencies: readonly BenchAgency[], platformUrl: string, pageSize: number, redis: Record<string, unknown>, schedule: (i: number) => string = () => '*/1 * * * * *', logLevel: 'error' | 'info' = 'error'): string {
  const file = join(dir, `hub-${prefix}.yaml`)
  writeFileSync(file, JSON.stringify({
    hub: { name: 'bench' },
    redis: { ...redis, keyPrefix: prefix, requirePersistence: false },
    admin: { host: '127.0.0.1', port: 0 },
    logging: { level: logLevel },
    push: { batchSize: pageSize, concurrency: 8, attempts: 10, backoff: { delayMs: 200, jitter: 0.5 } },
    targets: { platform: { kind: 'http-batch', baseUrl: platformUrl, token: { env: 'BENCH_PLATFORM_TOKEN' } } },
    agencies: agencies.map((a, i) => ({ id: a.id, mapping: a.mappingFile, schedule: schedule(i), target: 'platform', source: { kind: 'http-pull', baseUrl: a.url, pageSize } })),
  }))
  return file
}
