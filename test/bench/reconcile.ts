/**
 * Reconciliation benchmark: 1,000,000 cases of one agency on the platform simulator and in
 * the ledger, 0.1 % drift planted on the platform (deleted, edited, orphans), reconciled
 * ledger ⇄ platform (a) by bucket digests and (b) by full listing — each in its own
 * process, so its peak RSS is its own — against a baseline measured in the same run: a
 * bare paged listing of the same platform, parsing every page and comparing nothing.
 * The platform simulator runs in a child process of its own (its million cases are not
 * counted in the hub's memory).
 *
 * Then the full three-way comparison, which adds what digests cannot spare — the source's
 * whole listing through the current mapping and validation — on a smaller agency
 * (--three-way, 200,000 by default; 0 skips it), against a bare listing of that source.
 *
 *   npx tsx test/bench/reconcile.ts [--cases 1000000] [--drift 0.001] [--three-way 200000] [--cpu-prof]
 *
 * Prints a table and writes test/bench/results/reconcile.json. Goals (issue 5): ≤ 30 s
 * with digests, ≤ 5 min by full listing, peak RSS ≤ 512 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { Agent, request } from 'undici'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { fingerprint } from '../../src/ledger/fingerprint.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { queuePrefix } from '../../src/ledger/keys.js'
import { silentLogger } from '../../src/logging/logger.js'
import { validateCase } from '../../src/schema/validate-case.js'
import { AlarmService } from '../../src/alarms/alarm-service.js'
import { reconcileAgency } from '../../src/reconcile/reconcile-agency.js'
import type { ReconcileConfig } from '../../src/reconcile/reconcile-config.js'
import type { ReconcileResult } from '../../src/reconcile/findings.js'
import { pushQueueName } from '../../src/delivery/push-job.js'
import { projectRoot } from '../../src/paths.js'
import { httpBatchTarget } from '../../adapters/http-batch-target.js'
import { httpPullSource } from '../../adapters/http-pull-source.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { mapRecords } from '../../src/sync/map-records.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'

const TOKEN = 'bench-reconcile-token'
const AGENCY = 'bench-reconcile'
/** The three-way phase's agency: the demo mapping's. */
const SOURCE_AGENCY = 'market-regulation-peixian'

function agencySource (url: string): SourceAdapter {
  return httpPullSource.create({ kind: 'http-pull', baseUrl: url, path: '/api/cases', pageSize: 1000, timeoutMs: 60_000, retries: 2, params: {}, response: {} } as never, { logger: silentLogger(), name: SOURCE_AGENCY, input: () => { throw new Error('unused') } })
}
const SELF = fileURLToPath(import.meta.url)

/** A small valid canonical case: the platform holds a million of them. */
function benchCase (i: number, variant = ''): CanonicalCase {
  return {
    schemaVersion: 1,
    agency: { code: DEMO_AGENCY_CODE, name: '沛县市场监督管理局' },
    caseNumber: `SCJG-320322-B-${String(i).padStart(7, '0')}`,
    regionCode: '320322',
    classification: { field: 'market_regulation', procedure: 'summary', cause: `未按规定公示信息${variant}` },
    parties: [{ kind: 'person', name: '张某某', idNumber: '320322198503144213' }],
    penalties: [{ kind: 'warning' }],
    dates: { filed: '2024-03-05T09:30:00+08:00' },
    status: 'filed',
    transfer: { suspectedCrime: false },
  } as CanonicalCase
}

interface Measured { mode: string; wallMs: number; peakRssMb: number; cases: number; compared: number; listed: number; findings?: Record<string, number> }

// ---------------------------------------------------------------- one measured run (child)

async function measure (mode: string): Promise<Measured> {
  const url = process.env.BENCH_PLATFORM_URL ?? ''
  const prefix = process.env.BENCH_PREFIX ?? ''
  const cases = Number(process.env.BENCH_CASES)
  if (mode === 'baseline') {
    const dispatcher = new Agent({ connections: 2 })
    const started = performance.now()
    let listed = 0
    let token: string | null = null
    do {
      const u = new URL('/api/v1/cases', url)
      u.searchParams.set('agencyCode', DEMO_AGENCY_CODE)
      u.searchParams.set('pageSize', '1000')
      if (token !== null) u.searchParams.set('pageToken', token)
      const res = await request(u, { dispatcher, headers: { authorization: `Bearer ${TOKEN}` } })
      const body = await res.body.json() as { items: unknown[]; nextPageToken: string | null }
      listed += body.items.length
      token = body.nextPageToken
    } while (token !== null)
    const wallMs = performance.now() - started
    await dispatcher.close()
    return { mode, wallMs, peakRssMb: peakRssMb(), cases, compared: 0, listed }
  }
  if (mode === 'source-baseline') {
    const source = agencySource(process.env.BENCH_AGENCY_URL ?? '')
    const started = performance.now()
    let listed = 0
    for await (const page of source.listAll!(new AbortController().signal)) listed += page.length
    const wallMs = performance.now() - started
    await source.close()
    return { mode, wallMs, peakRssMb: peakRssMb(), cases, compared: 0, listed }
  }
  const threeWay = mode === 'three-way'
  const agencyId = threeWay ? SOURCE_AGENCY : AGENCY
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const logger = silentLogger()
  const ledger = new Ledger(redis, prefix)
  const target = httpBatchTarget.create({ kind: 'http-batch', baseUrl: url, path: '/api/v1/cases/batch', token: TOKEN, timeoutMs: 60_000, connections: 2, listPath: '/api/v1/cases', listPageSize: 1000, digests: true } as never, { logger, name: 'platform', input: () => { throw new Error('unused') } })
  const queue = new Queue(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(prefix) })
  const alarms = new AlarmService({ redis, keyPrefix: prefix, config: { webhooks: [], delivery: { attempts: 1, backoffMs: 1000 }, severity: {} }, hub: { name: 'bench', locale: 'en' }, logger, deliver: false })
  const config: ReconcileConfig = { enabled: true, schedule: '0 0 0 1 1 *', minAgeSeconds: 0, lagLimitSeconds: 3600, entryDeadlineDays: 7, autoRepair: false, unreachableAfterSeconds: 900, silentAfterSeconds: 86400, agencyCode: DEMO_AGENCY_CODE }
  // Ledger ⇄ platform: a source without a full listing; three-way: the agency simulator's API, listed in full.
  const source: SourceAdapter = threeWay ? agencySource(process.env.BENCH_AGENCY_URL ?? '') : { kind: 'none', pull: async function * () {}, close: async () => {} }
  const mapping = threeWay ? await loadMapping(DEMO_MAPPING) : undefined
  const started = performance.now()
  const result: ReconcileResult = await reconcileAgency({
    agencyId, config, source, target, targetId: 'platform', mapping: () => { if (mapping === undefined) throw new Error('unused'); return mapping }, ledger, redis, keyPrefix: prefix,
    queue, batchSize: 200, alarms, logger,
  }, { fullListing: mode === 'full-listing' })
  const wallMs = performance.now() - started
  await alarms.close()
  await queue.close()
  await target.close()
  await source.close()
  redis.disconnect()
  return {
    mode, wallMs, peakRssMb: peakRssMb(), cases, compared: result.counts.compared, listed: result.digest?.casesListed ?? result.counts.target,
    findings: Object.fromEntries(Object.entries(result.findings).map(([k, v]) => [k, v.count])),
  }
}

function peakRssMb (): number {
  return Math.round(process.resourceUsage().maxRSS / 1024)
}

// ---------------------------------------------------------------- orchestration (parent)

async function startPlatform (): Promise<{ child: ChildProcess; url: string }> {
  return await startSimulator(['fixtures/platform-sim/main.ts', '--port', '0', '--token', TOKEN, '--max-batch', '5000'])
}

async function startSimulator (args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', code => reject(new Error(`platform simulator exited (${code}) before listening`)))
  })
  return { child, url }
}

async function post (url: string, path: string, method: string, body: unknown, dispatcher: Agent, key?: string): Promise<void> {
  const res = await request(new URL(path, url), {
    method, dispatcher,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${TOKEN}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`)
}

/** The platform and the ledger hold the same million cases, as after a complete sync. */
async function seed (url: string, prefix: string, cases: number): Promise<number> {
  const checked = validateCase(benchCase(0))
  if (!checked.ok) throw new Error(`the bench case is not valid: ${JSON.stringify(checked.problems)}`)
  const redis = new Redis(TEST_REDIS_URL)
  const ledger = new Ledger(redis, prefix)
  const dispatcher = new Agent({ connections: 2, headersTimeout: 300_000, bodyTimeout: 300_000 })
  const started = performance.now()
  const BATCH = 5000
  for (let first = 0; first < cases; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, cases - first) }, (_, i) => benchCase(first + i))
    const stored = post(url, '/api/v1/cases/batch', 'POST', { cases: batch }, dispatcher, `seed-${first}`)
    const items = batch.map(c => ({ caseNumber: c.caseNumber, fingerprint: fingerprint(c) }))
    await ledger.commitPage(AGENCY, { seen: items.map(i => ({ caseNumber: i.caseNumber, version: { fingerprint: i.fingerprint, mappingVersion: 'bench', firstSeenMs: 1 } })), quarantined: [], released: [], cursor: null, counts: {} })
    await ledger.acknowledge(AGENCY, items.map(i => ({ ...i, ackedAtMs: 2 })))
    await stored
    if ((first / BATCH) % 20 === 0) process.stdout.write(`  seeded ${first + batch.length} of ${cases}\n`)
  }
  await dispatcher.close()
  redis.disconnect()
  return (performance.now() - started) / 1000
}

/**
 * The three-way world: the agency simulator's cases, mapped through the demo mapping, on a
 * fresh platform and in the ledger, as after a complete sync; then half the drift as
 * silent edits at the source (no timestamp bump), half as deletions on the platform.
 */
async function seedThreeWay (agencyUrl: string, platformUrl: string, prefix: string, rate: number): Promise<{ valid: number; changedAtSource: number; deleted: number }> {
  const redis = new Redis(TEST_REDIS_URL)
  const ledger = new Ledger(redis, prefix)
  const dispatcher = new Agent({ connections: 2, headersTimeout: 300_000, bodyTimeout: 300_000 })
  const source = agencySource(agencyUrl)
  const mapping = await loadMapping(DEMO_MAPPING)
  const numbers: string[] = []
  let batch = 0
  for await (const page of source.listAll!(new AbortController().signal)) {
    const valid = [...mapRecords(SOURCE_AGENCY, mapping, page).valid.values()]
    await post(platformUrl, '/api/v1/cases/batch', 'POST', { cases: valid.map(v => v.case) }, dispatcher, `three-way-${batch++}`)
    await ledger.commitPage(SOURCE_AGENCY, { seen: valid.map(v => ({ caseNumber: v.caseNumber, version: { fingerprint: v.fingerprint, mappingVersion: mapping.version, firstSeenMs: 1 } })), quarantined: [], released: [], cursor: null, counts: {} })
    await ledger.acknowledge(SOURCE_AGENCY, valid.map(v => ({ caseNumber: v.caseNumber, fingerprint: v.fingerprint, ackedAtMs: 2 })))
    numbers.push(...valid.map(v => v.caseNumber))
  }
  await source.close()
  const half = Math.round(numbers.length * rate / 2)
  const step = Math.floor(numbers.length / (2 * half))
  for (let i = 0; i < 2 * half; i++) {
    const n = numbers[i * step] as string
    if (i % 2 === 0) await post(agencyUrl, `/__sim/cases/${n}`, 'PUT', { AQZY: `复核后更正的案情摘要（${n}）。`, keepTimestamp: true }, dispatcher)
    else await post(platformUrl, `/__sim/cases/${DEMO_AGENCY_CODE}/${n}`, 'DELETE', undefined, dispatcher)
  }
  await dispatcher.close()
  redis.disconnect()
  return { valid: numbers.length, changedAtSource: half, deleted: half }
}

/** 0.1 %: 40 % of it deleted on the platform, 30 % edited there, 30 % orphans added there. */
async function plantDrift (url: string, cases: number, rate: number): Promise<{ deleted: number; edited: number; orphans: number }> {
  const total = Math.round(cases * rate)
  const deleted = Math.round(total * 0.4)
  const edited = Math.round(total * 0.3)
  const orphans = total - deleted - edited
  const dispatcher = new Agent({ connections: 4 })
  const step = Math.floor(cases / total)
  const picks = Array.from({ length: deleted + edited }, (_, i) => i * step)
  for (const [n, i] of picks.entries()) {
    const c = benchCase(i)
    if (n < deleted) await post(url, `/__sim/cases/${DEMO_AGENCY_CODE}/${c.caseNumber}`, 'DELETE', undefined, dispatcher)
    else await post(url, `/__sim/cases/${DEMO_AGENCY_CODE}/${c.caseNumber}`, 'PUT', benchCase(i, '（平台端改动）'), dispatcher)
  }
  for (let o = 0; o < orphans; o++) await post(url, `/__sim/cases/${DEMO_AGENCY_CODE}/${benchCase(cases + o).caseNumber}`, 'PUT', benchCase(cases + o), dispatcher)
  await dispatcher.close()
  return { deleted, edited, orphans }
}

async function runChild (mode: string, env: NodeJS.ProcessEnv, cpuProf: boolean): Promise<Measured> {
  const args = [...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', 'test/bench/results/profiles'] : []), '--import', 'tsx', SELF, '--measure', mode]
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  const line = out.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !line.startsWith('{')) throw new Error(`${mode}: measuring process failed (exit ${code}): ${out.slice(-500)}`)
  return JSON.parse(line) as Measured
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { cases: { type: 'string' }, drift: { type: 'string' }, 'three-way': { type: 'string' }, 'cpu-prof': { type: 'boolean' }, measure: { type: 'string' } } })
  if (values.measure !== undefined) {
    process.stdout.write(JSON.stringify(await measure(values.measure)) + '\n')
    return
  }
  const cases = Number(values.cases ?? 1_000_000)
  const rate = Number(values.drift ?? 0.001)
  const threeWayRecords = Number(values['three-way'] ?? 200_000)
  const prefix = `cbb-reconcile-${process.pid}`
  const prefix3 = `${prefix}-3way`
  process.stdout.write(`reconciliation benchmark: ${cases.toLocaleString('en-US')} cases, ${rate * 100} % drift\n`)
  let platform = await startPlatform()
  let agency: { child: ChildProcess; url: string } | undefined
  try {
    const seedSeconds = await seed(platform.url, prefix, cases)
    const planted = await plantDrift(platform.url, cases, rate)
    process.stdout.write(`  seeded in ${seedSeconds.toFixed(0)} s; drift planted: ${JSON.stringify(planted)}\n`)
    const env = { ...process.env, BENCH_PLATFORM_URL: platform.url, BENCH_PREFIX: prefix, BENCH_CASES: String(cases) }
    const baseline = await runChild('baseline', env, false)
    const digests = await runChild('digests', env, values['cpu-prof'] === true)
    const full = await runChild('full-listing', env, values['cpu-prof'] === true)
    const expected = { missing_in_target: planted.deleted, target_differs: planted.edited, orphan_in_target: planted.orphans }
    const correct = (m: Measured): boolean => Object.entries(expected).every(([k, v]) => m.findings?.[k] === v)
    const row = (m: Measured, goalS: number | null) => ({
      wallSeconds: round(m.wallMs / 1000),
      ratioToBaseline: round(m.wallMs / baseline.wallMs),
      peakRssMb: m.peakRssMb,
      rssRatioToBaseline: round(m.peakRssMb / baseline.peakRssMb),
      casesReconciledPerSecond: Math.round(m.cases / (m.wallMs / 1000)),
      recordsComparedPerSecond: Math.round(m.compared / (m.wallMs / 1000)),
      comparedOneByOne: m.compared,
      casesListed: m.listed,
      ...(m.findings === undefined ? {} : { findings: m.findings, findingsCorrect: correct(m) }),
      ...(goalS === null ? {} : { goalSeconds: goalS, meetsGoals: m.wallMs / 1000 <= goalS && m.peakRssMb <= 512 && correct(m) }),
    })
    let threeWay: Record<string, unknown> | undefined
    const threeWayRows: (string | number)[][] = []
    if (threeWayRecords > 0) {
      platform.child.kill('SIGTERM')
      platform = await startPlatform()
      agency = await startSimulator(['fixtures/agency-sim/main.ts', '--port', '0', '--records', String(threeWayRecords), '--page-size-max', '1000', '--seed', '5'])
      const seeded = await seedThreeWay(agency.url, platform.url, prefix3, rate)
      process.stdout.write(`  three-way: ${seeded.valid} valid cases of ${threeWayRecords} records synced; drift: ${seeded.changedAtSource} changed at the source silently, ${seeded.deleted} deleted on the platform\n`)
      const env3 = { ...env, BENCH_PLATFORM_URL: platform.url, BENCH_AGENCY_URL: agency.url, BENCH_PREFIX: prefix3, BENCH_CASES: String(threeWayRecords) }
      const sourceBaseline = await runChild('source-baseline', env3, false)
      const three = await runChild('three-way', env3, values['cpu-prof'] === true)
      const threeCorrect = three.findings?.source_changed_unsynced === seeded.changedAtSource && three.findings?.missing_in_target === seeded.deleted
      threeWay = {
        records: threeWayRecords, validCases: seeded.valid, planted: seeded,
        baseline: { what: 'bare paged listing of the source (1,000 per page), parsed, nothing mapped or compared', wallSeconds: round(sourceBaseline.wallMs / 1000), peakRssMb: sourceBaseline.peakRssMb, recordsPerSecond: Math.round(threeWayRecords / (sourceBaseline.wallMs / 1000)) },
        wallSeconds: round(three.wallMs / 1000), ratioToBaseline: round(three.wallMs / sourceBaseline.wallMs), peakRssMb: three.peakRssMb,
        recordsReconciledPerSecond: Math.round(threeWayRecords / (three.wallMs / 1000)), recordsComparedPerSecond: Math.round(three.compared / (three.wallMs / 1000)),
        findings: three.findings, findingsCorrect: threeCorrect,
      }
      threeWayRows.push(
        ['3-way baseline: bare source listing', round(sourceBaseline.wallMs / 1000), 1, sourceBaseline.peakRssMb, Math.round(threeWayRecords / (sourceBaseline.wallMs / 1000)), 0, sourceBaseline.listed, '-'],
        ['3-way: source mapped + digests', round(three.wallMs / 1000), round(three.wallMs / sourceBaseline.wallMs), three.peakRssMb, Math.round(threeWayRecords / (three.wallMs / 1000)), Math.round(three.compared / (three.wallMs / 1000)), three.listed, String(threeCorrect)],
      )
      if (!threeCorrect) process.exitCode = 1
    }
    const result = {
      cases, driftRate: rate, planted, seedSeconds: round(seedSeconds),
      baseline: { what: 'bare paged listing of the platform (1,000 per page), parsed, nothing compared', ...row(baseline, null) },
      digests: row(digests, 30),
      fullListing: row(full, 300),
      ...(threeWay === undefined ? {} : { threeWay }),
    }
    printTable(`Reconcile ${cases.toLocaleString('en-US')} cases, ${rate * 100} % drift (ledger ⇄ platform)`, [
      ['mode', 'wall s', '× baseline', 'peak RSS MB', 'cases/s', 'compared/s', 'listed', 'correct'],
      ['baseline: bare listing', result.baseline.wallSeconds, 1, baseline.peakRssMb, result.baseline.casesReconciledPerSecond, 0, baseline.listed, '-'],
      ['digests', result.digests.wallSeconds, result.digests.ratioToBaseline, digests.peakRssMb, result.digests.casesReconciledPerSecond, result.digests.recordsComparedPerSecond, digests.listed, String(correct(digests))],
      ['full listing', result.fullListing.wallSeconds, result.fullListing.ratioToBaseline, full.peakRssMb, result.fullListing.casesReconciledPerSecond, result.fullListing.recordsComparedPerSecond, full.listed, String(correct(full))],
      ...threeWayRows,
    ])
    const file = writeResult('reconcile', { machine: await machineInfo(TEST_REDIS_URL), ...result })
    process.stdout.write(`\nwrote ${file}\n`)
    if (!correct(digests) || !correct(full)) process.exitCode = 1
  } finally {
    platform.child.kill('SIGTERM')
    agency?.child.kill('SIGTERM')
    await deleteKeys(prefix)
    await deleteKeys(prefix3)
  }
}

const round = (n: number): number => Math.round(n * 100) / 100

await main()
