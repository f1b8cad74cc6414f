/**
 * Where push time goes: BullMQ's bare add+process of empty jobs, the same jobs carrying
 * 500 canonical cases each (serialisation through Redis), and the hub's real push path
 * (ledger check, HTTP to the platform simulator, per-record acknowledgement) — all on the
 * same Redis in the same run. Run alone: npx tsx test/bench/queue-overhead.ts
 */
import { Queue, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { generateAgencyCase } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { httpBatchTarget } from '../../adapters/http-batch-target.js'
import { createPushProcessor } from '../../src/delivery/push-processor.js'
import { enqueueVersions, type PushItem, type PushJobData } from '../../src/delivery/push-job.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { fingerprint } from '../../src/contracts/fingerprint.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { silentLogger } from '../../src/logging/logger.js'
import { validateCase } from '../../src/schema/validate-case.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'

const BATCH = 500

async function timeJobs<T> (name: string, prefix: string, jobs: { name: string; data: T; opts?: { jobId: string } }[], processor: (job: Job<T>) => Promise<unknown>): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue<T>(name, { connection: redis, prefix, defaultJobOptions: { removeOnComplete: true } })
  let done = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>(resolve => { finish = resolve })
  const started = performance.now()
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000) as never)
  const worker = new Worker<T>(name, async job => { await processor(job); if (++done === jobs.length) finish() }, { connection: redis, prefix, concurrency: 8 })
  await finished
  const seconds = (performance.now() - started) / 1000
  await worker.close()
  await queue.close()
  redis.disconnect()
  return seconds
}

function canonicalCases (count: number, mapping: Awaited<ReturnType<typeof loadMapping>>): CanonicalCase[] {
  const out: CanonicalCase[] = []
  for (let i = 0; out.length < count; i++) {
    const outcome = mapping.map(generateAgencyCase(7, i).record as unknown as Record<string, unknown>)
    if (outcome.kind !== 'mapped') continue
    const checked = validateCase(outcome.value)
    if (checked.ok) out.push(checked.value)
  }
  return out
}

export async function benchQueueOverhead (opts: { cases: number }): Promise<Record<string, unknown>> {
  const prefix = `cbbench-queue-${process.pid}`
  await deleteKeys(prefix)
  const mapping = await loadMapping(DEMO_MAPPING)
  const cases = canonicalCases(opts.cases, mapping)
  const items: PushItem[] = cases.map(c => ({ caseNumber: c.caseNumber, fingerprint: fingerprint(c), sequence: 0, firstSeenMs: Date.now(), case: c }))
  const batches = Math.ceil(items.length / BATCH)

  const bareEmpty = await timeJobs('bare-empty', prefix, Array.from({ length: batches * 10 }, (_, i) => ({ name: 'x', data: {}, opts: { jobId: `e${i}` } })), async () => {})
  const bareLoaded = await timeJobs('bare-loaded', prefix, Array.from({ length: batches }, (_, i) => ({ name: 'x', data: { items: items.slice(i * BATCH, (i + 1) * BATCH) } })), async () => {})

  // The hub's push path: enqueue like a pull does, deliver with the real processor and target.
  const platform = await startPlatformSimulator({ port: 0, tokens: ['t'] })
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const ledger = new Ledger(redis, prefix)
  const target = httpBatchTarget.create({ kind: 'http-batch', baseUrl: platform.url, path: '/api/v1/cases/batch', token: 't', timeoutMs: 30000, connections: 8 }, { logger: silentLogger(), name: 'platform', input: () => ({ encoding: 'utf-8' }) })
  const queue = new Queue<PushJobData>('push-platform', { connection: redis, prefix, defaultJobOptions: { removeOnComplete: true, attempts: 3 } })
  let acked = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>(resolve => { finish = resolve })
  const processor = createPushProcessor({ ledger, targets: new Map([['platform', target]]), queue, logger: silentLogger(), jobTimeoutMs: 30000, retry: { retryForMs: 3_600_000 }, onAcknowledged: (_a, done) => { acked += done.length; if (acked >= items.length) finish() } })
  const started = performance.now()
  await enqueueVersions(queue, ledger, { agencyId: 'bench', agencyCode: items[0]?.case.agency.code ?? '', targetId: 'platform' }, items.map(({ sequence: _, ...v }) => v), { batchSize: BATCH })
  const worker = new Worker<PushJobData>('push-platform', processor, { connection: redis, prefix, concurrency: 8 })
  await finished
  const hubSeconds = (performance.now() - started) / 1000
  await worker.close()
  await queue.close()
  await target.close()
  await platform.close()
  redis.disconnect()
  await deleteKeys(prefix)

  const perCaseUs = (seconds: number): number => Math.round(seconds * 1e6 / items.length)
  const result = {
    cases: items.length, batchSize: BATCH, batches,
    bareEmptyJobsPerSecond: Math.round(batches * 10 / bareEmpty),
    bareLoaded: { seconds: bareLoaded, casesPerSecond: Math.round(items.length / bareLoaded), perCaseUs: perCaseUs(bareLoaded) },
    hubPushPath: { seconds: hubSeconds, casesPerSecond: Math.round(items.length / hubSeconds), perCaseUs: perCaseUs(hubSeconds) },
    ratioHubToBareLoaded: Number((bareLoaded / hubSeconds).toFixed(3)),
  }
  printTable(`Queue overhead: ${items.length.toLocaleString('en-US')} cases in batches of ${BATCH}`, [
    ['path', 'seconds', 'cases/s', 'µs per case'],
    [`BullMQ bare, ${batches * 10} empty jobs`, bareEmpty, '', ''],
    ['BullMQ, jobs carrying the cases, no-op processor', bareLoaded, result.bareLoaded.casesPerSecond, result.bareLoaded.perCaseUs],
    ['hub push path (ledger + HTTP + platform)', hubSeconds, result.hubPushPath.casesPerSecond, result.hubPushPath.perCaseUs],
  ])
  process.stdout.write(`BullMQ bare: ${result.bareEmptyJobsPerSecond.toLocaleString('en-US')} empty jobs/s\n`)
  return result
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchQueueOverhead({ cases: 20000 })
  const file = writeResult('queue-overhead', { machine: await machineInfo(TEST_REDIS_URL), ...result })
  process.stdout.write(`\nwrote ${file}\n`)
}
