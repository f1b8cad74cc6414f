/**
 * Reconciliation benchmark (issue 5, issue 8 point 2): one agency of 1,000,000 valid cases
 * — the agency simulator's records through the demo mapping — held by the platform
 * simulator and by the hub's real ledger (Ledger.commitPage, then acknowledge: the Lua
 * scripts keep the bucket digests incrementally, as in a hub), as after a complete sync.
 * Seeding generates the very records the agency simulator holds (they are a pure function
 * of seed and index) in two processes, maps them with mapRecords as a pull does, and
 * stores them pipelined. Then 0.1 % drift: cases deleted and edited on the platform,
 * orphans added there, cases changed at the source without a new timestamp and deleted at
 * the source. Measured, each in a process of its own (so its peak RSS is its own):
 *
 *   platform baseline  a bare paged listing of the platform, parsed, nothing compared
 *   digests            ledger ⇄ platform by bucket digests (bisection)
 *   full listing       ledger ⇄ platform, every platform case listed and compared
 *   source baseline    a bare paged listing of the source, parsed, nothing mapped
 *   three-way          source (listed in full, through the current mapping) ⇄ ledger ⇄
 *                      platform by digests: what a scheduled run of a legacy source does
 *
 * Ratios are to the bare listing of the same side in the same run: the machine is shared,
 * absolute figures drift, ratios much less. The simulators run in processes of their own.
 *
 *   npx tsx test/bench/reconcile.ts [--cases 1000000] [--drift 0.001] [--three-way] [--cpu-prof]
 *
 * The source baseline and the three-way run (and with them the agency simulator and the
 * drift at the source) are measured only with --three-way: they add about four minutes,
 * which would take `npm run bench` over its 15-minute budget, and no goal is set for them.
 *
 * Prints a table and writes test/bench/results/reconcile.json with a `goalsMet` block.
 * Goals: ≤ 30 s with digests, ≤ 5 min by full listing, peak RSS ≤ 512 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { Agent, request } from 'undici'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { INVALID_EVERY } from '../../fixtures/agency-sim/defects.js'
import { generateAgencyCase } from '../../fixtures/agency-sim/generator.js'
import type { CompiledMapping } from '../../src/mapping/types.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { silentLogger } from '../../src/logging/logger.js'
import { AlarmService } from '../../src/alarms/alarm-service.js'
import { reconcileAgency } from '../../src/reconcile/reconcile-agency.js'
import type { ReconcileConfig } from '../../src/reconcile/reconcile-config.js'
import { FINDING_KINDS, type FindingKind, type ReconcileResult } from '../../src/reconcile/findings.js'
import { pushQueueName } from '../../src/delivery/push-job.js'
import { projectRoot } from '../../src/paths.js'
import { httpBatchTarget } from '../../adapters/http-batch-target.js'
import { httpPullSource } from '../../adapters/http-pull-source.js'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { mapRecords } from '../../src/pipeline/map-records.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'

const TOKEN = 'bench-reconcile-token'
const AGENCY = 'market-regulation-peixian'
const SELF = fileURLToPath(import.meta.url)
/** The hub's largest source page (schemas/adapters/http-pull.schema.json) and the platform's largest listing page. */
const SOURCE_PAGE = 1000
const PLATFORM_PAGE = 1000
/** The agency simulator's seed: its records are a pure function of (seed, index), so seeding can generate the same ones. */
const SEED = 5
/**
 * Seeding: records per chunk (small enough that a chunk in flight is young garbage, not
 * promoted to the old generation), and processes working on shares of the records.
 */
const SEED_CHUNK = 1000
const SEED_PROCESSES = 2
const GOALS = { digestsSeconds: 30, fullListingSeconds: 300, peakRssMb: 512 }

type Mode = 'platform-baseline' | 'digests' | 'full-listing' | 'source-baseline' | 'three-way'
interface Measured { mode: Mode; wallMs: number; peakRssMb: number; listed: number; result?: Pick<ReconcileResult, 'counts' | 'digest' | 'target' | 'source'> & { findings: Record<string, number> } }

function agencySource (url: string, pageSize: number): SourceAdapter & Required<Pick<SourceAdapter, 'listAll'>> {
  return httpPullSource.create(adapterConfigOf(httpPullSource, { kind: 'http-pull', baseUrl: url, pageSize, timeoutMs: 120_000, retries: 2 }),
    { logger: silentLogger(), name: AGENCY, input: () => { throw new Error('unused') } }) as SourceAdapter & Required<Pick<SourceAdapter, 'listAll'>>
}

function peakRssMb (): number {
  return Math.round(process.resourceUsage().maxRSS / 1024)
}

// ---------------------------------------------------------------- one measured run (child)

async function measure (mode: Mode): Promise<Measured> {
  const platformUrl = process.env.BENCH_PLATFORM_URL ?? ''
  const agencyUrl = process.env.BENCH_AGENCY_URL ?? ''
  const prefix = process.env.BENCH_PREFIX ?? ''
  if (mode === 'platform-baseline') {
    const dispatcher = new Agent({ connections: 2, bodyTimeout: 120_000, headersTimeout: 120_000 })
    const started = performance.now()
    let listed = 0
    let token: string | null = null
    do {
      const u = new URL('/api/v1/cases', platformUrl)
      u.searchParams.set('agencyCode', DEMO_AGENCY_CODE)
      u.searchParams.set('pageSize', String(PLATFORM_PAGE))
      if (token !== null) u.searchParams.set('pageToken', token)
      const res = await request(u, { dispatcher, headers: { authorization: `Bearer ${TOKEN}` } })
      const body = JSON.parse(await res.body.text()) as { items: unknown[]; nextPageToken: string | null }
      listed += body.items.length
      token = body.nextPageToken
    } while (token !== null)
    const wallMs = performance.now() - started
    await dispatcher.close()
    return { mode, wallMs, peakRssMb: peakRssMb(), listed }
  }
  if (mode === 'source-baseline') {
    const source = agencySource(agencyUrl, SOURCE_PAGE)
    const started = performance.now()
    let listed = 0
    for await (const page of source.listAll(new AbortController().signal)) listed += page.length
    const wallMs = performance.now() - started
    await source.close()
    return { mode, wallMs, peakRssMb: peakRssMb(), listed }
  }
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const logger = silentLogger()
  const ledger = new Ledger(redis, prefix)
  const target = httpBatchTarget.create({ kind: 'http-batch', baseUrl: platformUrl, path: '/api/v1/cases/batch', token: TOKEN, timeoutMs: 120_000, connections: 2, listPath: '/api/v1/cases', listPageSize: PLATFORM_PAGE, digests: true }, { logger, name: 'platform', input: () => { throw new Error('unused') } })
  const queue = new Queue(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(prefix) })
  const alarms = new AlarmService({ redis, keyPrefix: prefix, config: { webhooks: [], delivery: { attempts: 1, backoffMs: 1000 }, severity: {} }, hub: { name: 'bench', locale: 'en' }, logger, deliver: false })
  const config: ReconcileConfig = { enabled: true, schedule: '0 0 0 1 1 *', minAgeSeconds: 0, lagLimitSeconds: 3600, entryDeadlineDays: 7, lateEntryWindowSeconds: 86400, autoRepair: false, unreachableAfterSeconds: 900, silentAfterSeconds: 86400, agencyCode: DEMO_AGENCY_CODE }
  // Ledger ⇄ platform: a source that offers no full listing; three-way: the agency simulator, listed in full.
  const source: SourceAdapter = mode === 'three-way' ? agencySource(agencyUrl, SOURCE_PAGE) : { kind: 'none', pull: async function * () {}, close: async () => {} }
  const mapping = await loadMapping(DEMO_MAPPING)
  const started = performance.now()
  const result = await reconcileAgency({
    agencyId: AGENCY, config, source, target, targetId: 'platform', mapping: () => mapping, ledger, redis, keyPrefix: prefix, queue, batchSize: 200, alarms, logger,
  }, { fullListing: mode === 'full-listing' })
  const wallMs = performance.now() - started
  await alarms.close()
  await queue.close()
  await target.close()
  await source.close()
  redis.disconnect()
  return {
    mode, wallMs, peakRssMb: peakRssMb(), listed: result.digest?.casesListed ?? result.counts.target,
    result: { counts: result.counts, target: result.target, source: result.source, ...(result.digest === undefined ? {} : { digest: result.digest }), findings: Object.fromEntries(FINDING_KINDS.map(k => [k, result.findings[k].count])) },
  }
}

// ---------------------------------------------------------------- orchestration (parent)

async function startSimulator (args: string[]): Promise<{ child: ChildProcess; url: string; seconds: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', code => reject(new Error(`${args[0]} exited (${code}) before listening`)))
  })
  return { child, url, seconds: (performance.now() - started) / 1000 }
}

/** A simulator call; a string body is sent as NDJSON, anything else as JSON. */
async function call (url: string, path: string, method: string, body: unknown, dispatcher: Agent): Promise<void> {
  const res = await request(new URL(path, url), {
    method, dispatcher,
    headers: { ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' }), authorization: `Bearer ${TOKEN}` },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`)
}

interface Picks { deletedOnPlatform: string[]; editedOnPlatform: CanonicalCase[]; orphans: CanonicalCase[]; changedAtSource: string[]; deletedAtSource: string[] }

/**
 * Where the drift goes: `total` valid cases spread evenly over the source records, dealt
 * to the five kinds in turn (30 % deleted on the platform, 20 % edited there, 20 % orphans
 * copied from a case there, 20 % changed silently at the source, 10 % deleted at the
 * source). The records are the agency simulator's own: a pure function of (seed, index).
 */
function pickDrift (records: number, total: number, mapping: CompiledMapping): Picks {
  const kinds: (keyof Picks)[] = ['deletedOnPlatform', 'deletedOnPlatform', 'deletedOnPlatform', 'editedOnPlatform', 'editedOnPlatform', 'orphans', 'orphans', 'changedAtSource', 'changedAtSource', 'deletedAtSource']
  const picks: Picks = { deletedOnPlatform: [], editedOnPlatform: [], orphans: [], changedAtSource: [], deletedAtSource: [] }
  const step = Math.max(1, Math.floor(records / total))
  for (let k = 0, index = 0; k < total && index < records; k++, index = k * step) {
    let c = mapRecords(AGENCY, mapping, [generateAgencyCase(SEED, index).record as never]).valid.values().next().value
    while (c === undefined && index + 1 < records) c = mapRecords(AGENCY, mapping, [generateAgencyCase(SEED, ++index).record as never]).valid.values().next().value
    if (c === undefined) break
    const kind = kinds[k % kinds.length] as keyof Picks
    if (kind === 'editedOnPlatform' || kind === 'orphans') picks[kind].push(c.case)
    else picks[kind].push(c.caseNumber)
  }
  return picks
}

/**
 * One seeding process's share of the complete sync (records [from, to)), without the
 * hub's queue: each record generated as the agency simulator generates it, through the
 * demo mapping (mapRecords, as a pull does), stored on the platform as it would have been
 * pushed and recorded in the real ledger (commitPage, then acknowledge: the Lua scripts
 * keep the bucket digests). Pipelined: the platform and Redis store one chunk while the
 * next is generated and mapped.
 */
async function seedPart (from: number, to: number): Promise<{ valid: number }> {
  const platformUrl = process.env.BENCH_PLATFORM_URL ?? ''
  const redis = new Redis(TEST_REDIS_URL)
  const ledger = new Ledger(redis, process.env.BENCH_PREFIX ?? '')
  const dispatcher = new Agent({ connections: 1, headersTimeout: 300_000, bodyTimeout: 300_000 })
  const mapping = await loadMapping(DEMO_MAPPING)
  let valid = 0
  let storing: Promise<unknown> = Promise.resolve()
  for (let first = from; first < to; first += SEED_CHUNK) {
    const records = Array.from({ length: Math.min(SEED_CHUNK, to - first) }, (_, i) => generateAgencyCase(SEED, first + i).record)
    const mapped = [...mapRecords(AGENCY, mapping, records as never).valid.values()]
    valid += mapped.length
    await storing
    storing = Promise.all([
      // NDJSON: the platform simulator (idle otherwise while seeding) makes the sorted-key text itself.
      call(platformUrl, '/__sim/cases/bulk', 'POST', mapped.map(v => JSON.stringify(v.case)).join('\n'), dispatcher),
      (async () => {
        await ledger.commitPage(AGENCY, { seen: mapped.map(v => ({ caseNumber: v.caseNumber, version: { fingerprint: v.fingerprint, mappingVersion: mapping.version, firstSeenMs: 1, sequence: 0 } })), quarantined: [], released: [], cursor: null, counts: {} })
        await ledger.acknowledge(AGENCY, mapped.map(v => ({ caseNumber: v.caseNumber, fingerprint: v.fingerprint, ackedAtMs: 2 })))
      })(),
    ])
  }
  await storing
  await dispatcher.close()
  redis.disconnect()
  return { valid }
}

/** The complete sync of every source record, by {@link SEED_PROCESSES} processes in parallel. */
async function seed (env: NodeJS.ProcessEnv, records: number): Promise<number> {
  const share = Math.ceil(records / SEED_PROCESSES / SEED_CHUNK) * SEED_CHUNK
  const parts = await Promise.all(Array.from({ length: SEED_PROCESSES }, async (_, p) => {
    const out = await runProcess(['--seed-part', `${p * share}:${Math.min(records, (p + 1) * share)}`], env, false)
    return (JSON.parse(out) as { valid: number }).valid
  }))
  // The agency has been pulled to its end: a case the ledger does not know is a finding, not one in flight.
  const redis = new Redis(TEST_REDIS_URL)
  await new Ledger(redis, env.BENCH_PREFIX ?? '').markPull(AGENCY, true)
  redis.disconnect()
  return parts.reduce((a, b) => a + b, 0)
}

async function plantDrift (agencyUrl: string, platformUrl: string, picks: Picks): Promise<Record<keyof Picks, number>> {
  const dispatcher = new Agent({ connections: 8 })
  const calls: (() => Promise<void>)[] = [
    ...picks.deletedOnPlatform.map(n => async () => await call(platformUrl, `/__sim/cases/${DEMO_AGENCY_CODE}/${encodeURIComponent(n)}`, 'DELETE', undefined, dispatcher)),
    ...picks.editedOnPlatform.map(c => async () => await call(platformUrl, `/__sim/cases/${DEMO_AGENCY_CODE}/${encodeURIComponent(c.caseNumber)}`, 'PUT', { ...c, factsSummary: `${c.factsSummary ?? ''}（平台端改动）` }, dispatcher)),
    ...picks.orphans.map(c => async () => await call(platformUrl, `/__sim/cases/${DEMO_AGENCY_CODE}/${encodeURIComponent(`${c.caseNumber}-ORPHAN`)}`, 'PUT', { ...c, caseNumber: `${c.caseNumber}-ORPHAN` }, dispatcher)),
    ...picks.changedAtSource.map(n => async () => await call(agencyUrl, `/__sim/cases/${encodeURIComponent(n)}`, 'PUT', { AQZY: `复核后更正的案情摘要（${n}）。`, keepTimestamp: true }, dispatcher)),
    ...picks.deletedAtSource.map(n => async () => await call(agencyUrl, `/__sim/cases/${encodeURIComponent(n)}`, 'DELETE', undefined, dispatcher)),
  ]
  for (let i = 0; i < calls.length; i += 16) await Promise.all(calls.slice(i, i + 16).map(async f => await f()))
  await dispatcher.close()
  return Object.fromEntries(Object.entries(picks).map(([k, v]) => [k, v.length])) as Record<keyof Picks, number>
}

/** Run this file in a process of its own; its last stdout line is its JSON answer. */
async function runProcess (args: string[], env: NodeJS.ProcessEnv, cpuProf: boolean): Promise<string> {
  const child = spawn(process.execPath, [...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', 'test/bench/results/profiles'] : []), '--import', 'tsx', SELF, ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  const line = out.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !line.startsWith('{')) throw new Error(`${args.join(' ')}: process failed (exit ${code}): ${out.slice(-500)}`)
  return line
}

async function runChild (mode: Mode, env: NodeJS.ProcessEnv, cpuProf: boolean): Promise<Measured> {
  const measured = JSON.parse(await runProcess(['--measure', mode], env, cpuProf)) as Measured
  process.stdout.write(`  ${mode}: ${(measured.wallMs / 1000).toFixed(1)} s, peak RSS ${measured.peakRssMb} MB\n`)
  return measured
}

const round = (n: number): number => Math.round(n * 100) / 100

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { cases: { type: 'string' }, drift: { type: 'string' }, 'cpu-prof': { type: 'boolean' }, measure: { type: 'string' }, 'seed-part': { type: 'string' }, 'three-way': { type: 'boolean' } } })
  if (values.measure !== undefined) {
    process.stdout.write(JSON.stringify(await measure(values.measure as Mode)) + '\n')
    return
  }
  if (values['seed-part'] !== undefined) {
    const [from, to] = values['seed-part'].split(':').map(Number)
    process.stdout.write(JSON.stringify(await seedPart(from ?? 0, to ?? 0)) + '\n')
    return
  }
  const benchStarted = performance.now()
  const loadBefore = loadavg().map(round)
  const cases = Number(values.cases ?? 1_000_000)
  const rate = Number(values.drift ?? 0.001)
  const cpuProf = values['cpu-prof'] === true
  const withThreeWay = values['three-way'] === true
  // One record in INVALID_EVERY carries a planted defect (quarantined, never a case): ask for enough records.
  const sourceRecords = Math.ceil(cases * INVALID_EVERY / (INVALID_EVERY - 1))
  const prefix = `cbb-reconcile-${process.pid}`
  process.stdout.write(`reconciliation benchmark: ${cases.toLocaleString('en-US')} cases (${sourceRecords.toLocaleString('en-US')} source records), ${rate * 100} % drift\n`)
  // The agency simulator generates its records while the platform and the ledger are seeded
  // (seeding generates the same records itself): both are ready before anything is measured.
  const agencyStarting = withThreeWay
    ? startSimulator(['fixtures/agency-sim/main.ts', '--port', '0', '--records', String(sourceRecords), '--page-size-max', String(SOURCE_PAGE), '--seed', String(SEED)])
    : Promise.resolve(undefined)
  agencyStarting.catch(() => undefined)
  let platform: Awaited<ReturnType<typeof startSimulator>> | undefined
  let agency: Awaited<ReturnType<typeof startSimulator>> | undefined
  try {
    platform = await startSimulator(['fixtures/platform-sim/main.ts', '--port', '0', '--token', TOKEN])
    let started = performance.now()
    const valid = await seed({ ...process.env, BENCH_PLATFORM_URL: platform.url, BENCH_PREFIX: prefix }, sourceRecords)
    const seedSeconds = (performance.now() - started) / 1000
    agency = await agencyStarting
    if (agency !== undefined) process.stdout.write(`  agency simulator generated its records in ${agency.seconds.toFixed(1)} s, seeding took ${seedSeconds.toFixed(1)} s\n`)
    const env = { ...process.env, BENCH_PLATFORM_URL: platform.url, BENCH_AGENCY_URL: agency?.url ?? '', BENCH_PREFIX: prefix }
    started = performance.now()
    const picks = pickDrift(sourceRecords, Math.round(cases * rate), await loadMapping(DEMO_MAPPING))
    // Without the three-way run nothing reads the source: drift there would go unmeasured.
    if (agency === undefined) { picks.changedAtSource = []; picks.deletedAtSource = [] }
    const planted = await plantDrift(agency?.url ?? '', platform.url, picks)
    const driftSeconds = (performance.now() - started) / 1000
    process.stdout.write(`  seeded ${valid.toLocaleString('en-US')} valid cases in ${seedSeconds.toFixed(0)} s; drift planted in ${driftSeconds.toFixed(1)} s: ${JSON.stringify(planted)}\n`)

    const platformBaseline = await runChild('platform-baseline', env, false)
    const digests = await runChild('digests', env, cpuProf)
    const full = await runChild('full-listing', env, cpuProf)
    const sourceBaseline = withThreeWay ? await runChild('source-baseline', env, false) : undefined
    const threeWay = withThreeWay ? await runChild('three-way', env, cpuProf) : undefined

    const none = Object.fromEntries(FINDING_KINDS.map(k => [k, 0])) as Record<FindingKind, number>
    const expectedTarget = { ...none, missing_in_target: planted.deletedOnPlatform, target_differs: planted.editedOnPlatform, orphan_in_target: planted.orphans }
    const expectedThreeWay = { ...expectedTarget, source_changed_unsynced: planted.changedAtSource, source_deleted: planted.deletedAtSource }
    const correct = (m: Measured, expected: Record<string, number>): boolean => FINDING_KINDS.every(k => m.result?.findings[k] === expected[k])
    const baselineRow = (m: Measured, what: string) => ({ what, wallSeconds: round(m.wallMs / 1000), peakRssMb: m.peakRssMb, recordsListed: m.listed, recordsPerSecond: Math.round(m.listed / (m.wallMs / 1000)) })
    const row = (m: Measured, baseline: Measured, expected: Record<string, number>, goalSeconds: number) => ({
      wallSeconds: round(m.wallMs / 1000),
      ratioToBaseline: round(m.wallMs / baseline.wallMs),
      peakRssMb: m.peakRssMb,
      rssRatioToBaseline: round(m.peakRssMb / baseline.peakRssMb),
      casesReconciledPerSecond: Math.round(valid / (m.wallMs / 1000)),
      recordsComparedPerSecond: Math.round((m.result?.counts.compared ?? 0) / (m.wallMs / 1000)),
      comparedOneByOne: m.result?.counts.compared ?? 0,
      sourceRecordsListed: m.result?.counts.sourceRecords ?? 0,
      platformCasesListed: m.listed,
      ...(m.result?.digest === undefined ? {} : { digest: m.result.digest }),
      findings: m.result?.findings ?? {},
      expected,
      findingsCorrect: correct(m, expected),
      goal: { seconds: goalSeconds, peakRssMb: GOALS.peakRssMb },
    })
    const results = {
      digests: row(digests, platformBaseline, expectedTarget, GOALS.digestsSeconds),
      fullListing: row(full, platformBaseline, expectedTarget, GOALS.fullListingSeconds),
      ...(threeWay === undefined || sourceBaseline === undefined ? {} : { threeWay: row(threeWay, sourceBaseline, expectedThreeWay, GOALS.digestsSeconds) }),
    }
    const met = (r: { wallSeconds: number; peakRssMb: number; findingsCorrect: boolean }, seconds: number) => ({ seconds: r.wallSeconds <= seconds, peakRss: r.peakRssMb <= GOALS.peakRssMb, findingsCorrect: r.findingsCorrect })
    const goalsMet = {
      digests: met(results.digests, GOALS.digestsSeconds),
      fullListing: met(results.fullListing, GOALS.fullListingSeconds),
      ...(results.threeWay === undefined ? {} : { threeWayWithDigests: met(results.threeWay, GOALS.digestsSeconds) }),
      note: results.threeWay === undefined || results.threeWay.wallSeconds <= GOALS.digestsSeconds
        ? `${[met(results.digests, GOALS.digestsSeconds), met(results.fullListing, GOALS.fullListingSeconds)].every(m => m.seconds && m.peakRss && m.findingsCorrect) ? 'the digest and full-listing goals were met' : 'a goal was NOT met'} in this run${results.threeWay === undefined ? ' (three-way not measured: --three-way)' : ''}`
        : `the three-way run cannot use digests on the source side (an agency system offers none): it lists and maps every source record, and the bare listing of the source alone took ${round((sourceBaseline?.wallMs ?? 0) / 1000)} s here — the ${GOALS.digestsSeconds} s goal is for the ledger ⇄ platform comparison`,
    }
    printTable(`Reconcile ${valid.toLocaleString('en-US')} cases, ${rate * 100} % drift`, [
      ['mode', 'wall s', '× baseline', 'peak RSS MB', 'cases/s', 'compared/s', 'listed', 'correct'],
      ['baseline: bare platform listing', round(platformBaseline.wallMs / 1000), 1, platformBaseline.peakRssMb, Math.round(platformBaseline.listed / (platformBaseline.wallMs / 1000)), 0, platformBaseline.listed, '-'],
      ['digests (ledger ⇄ platform)', results.digests.wallSeconds, results.digests.ratioToBaseline, digests.peakRssMb, results.digests.casesReconciledPerSecond, results.digests.recordsComparedPerSecond, digests.listed, String(results.digests.findingsCorrect)],
      ['full listing (ledger ⇄ platform)', results.fullListing.wallSeconds, results.fullListing.ratioToBaseline, full.peakRssMb, results.fullListing.casesReconciledPerSecond, results.fullListing.recordsComparedPerSecond, full.listed, String(results.fullListing.findingsCorrect)],
      ...(sourceBaseline === undefined || threeWay === undefined || results.threeWay === undefined ? [] : [
        ['baseline: bare source listing', round(sourceBaseline.wallMs / 1000), 1, sourceBaseline.peakRssMb, Math.round(sourceBaseline.listed / (sourceBaseline.wallMs / 1000)), 0, sourceBaseline.listed, '-'],
        ['three-way (source + digests)', results.threeWay.wallSeconds, results.threeWay.ratioToBaseline, threeWay.peakRssMb, results.threeWay.casesReconciledPerSecond, results.threeWay.recordsComparedPerSecond, threeWay.listed, String(results.threeWay.findingsCorrect)],
      ]),
    ])
    const file = writeResult('reconcile', {
      machine: await machineInfo(TEST_REDIS_URL),
      // The machine is shared: the 1-minute load average (runnable processes on its cores) when the run started and ended.
      loadAverage1m: { atStart: loadBefore[0], atEnd: round(loadavg()[0] ?? 0) },
      cases: valid, sourceRecords, driftRate: rate, planted,
      setup: { ...(agency === undefined ? {} : { agencySimulatorSeconds: round(agency.seconds) }), seedSeconds: round(seedSeconds), driftSeconds: round(driftSeconds) },
      baselines: {
        platform: baselineRow(platformBaseline, `bare paged listing of the platform (${PLATFORM_PAGE} per page), parsed, nothing compared`),
        ...(sourceBaseline === undefined ? {} : { source: baselineRow(sourceBaseline, `bare paged listing of the source (${SOURCE_PAGE} per page), parsed, nothing mapped or compared`) }),
      },
      ...results,
      goalsMet,
      totalSeconds: round((performance.now() - benchStarted) / 1000),
    })
    process.stdout.write(`\n${goalsMet.note}\nwrote ${file}\n`)
    if (!results.digests.findingsCorrect || !results.fullListing.findingsCorrect || results.threeWay?.findingsCorrect === false) process.exitCode = 1
  } finally {
    platform?.child.kill('SIGTERM')
    agency?.child.kill('SIGTERM')
    void agencyStarting.then(a => a?.child.kill('SIGTERM'), () => undefined)
    await deleteKeys(prefix)
  }
}

await main()
