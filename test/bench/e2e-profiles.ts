/**
 * End-to-end benchmark of the two new targets, each beside a ceiling for the SAME dialect
 * measured in the same run: a direct pipe that reads a page from the agency simulator, maps
 * it, projects it through the same profile and delivers it the platform's way (a signed
 * upload to the provincial exchange; one transaction of rows into the 前置库 table, then the
 * collector's status) — no queue, no ledger, no validation, no fencing bookkeeping. The
 * ratio hub / pipe is what the hub's guarantees cost on that dialect.
 * Run alone: npx tsx test/bench/e2e-profiles.ts [--cases 20000]
 */
import { parseArgs } from 'node:util'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { Agent, request } from 'undici'
import { startAgencySimulator } from '../../fixtures/agency-sim/index.js'
import { startProvinceSimulator } from '../../fixtures/province-sim/index.js'
import { exchangeTableDdl, startTableCollector } from '../../fixtures/table-collector/index.js'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import { loadProfile } from '../../src/profile/load-profile.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { postgresExchangeTable } from '../../adapters/table/exchange-table.js'
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js'
import { PG } from '../helpers/sql.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'

const MAPPING_FILE = join(projectRoot, 'mappings', 'market-regulation-peixian.yaml')
const PROVINCE = join(projectRoot, 'mappings', 'profiles', 'province.yaml')
const TABLE = join(projectRoot, 'mappings', 'profiles', 'table.yaml')
const APP_KEY = 'bench-app-key'
const APP_SECRET = 'bench-app-secret-0123456789abcdef'
process.env.PROVINCE_APP_KEY = APP_KEY
process.env.PROVINCE_APP_SECRET = APP_SECRET
const PAGE = 200

const until = async (what: string, done: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!await done()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50)) // polling a simulator's count, not a result we could await
  }
}

/** Every page of the agency simulator, mapped (the pipes' source side). */
async function * mappedPages (agencyUrl: string, dispatcher: Agent): AsyncIterable<CanonicalCase[]> {
  const mapping = compileMapping(readFileSync(MAPPING_FILE, 'utf8'), MAPPING_FILE)
  let token: string | null = null
  do {
    const url = new URL('/api/cases', agencyUrl)
    url.searchParams.set('pageSize', String(PAGE))
    if (token !== null) url.searchParams.set('pageToken', token)
    const res = await request(url, { dispatcher })
    const body = await res.body.json() as { data: { list: Record<string, unknown>[]; nextPageToken: string | null } }
    token = body.data.nextPageToken
    yield body.data.list.map(r => mapping.map(r)).flatMap(o => o.kind === 'mapped' ? [o.value as unknown as CanonicalCase] : [])
  } while (token !== null)
}

/** The hub's run from start to every valid case acknowledged (or held); what the target then stores is the hub's count. */
async function hubRun (label: string, dir: string, agencyUrl: string, target: Record<string, unknown>, stored: () => Promise<number>, expected: number): Promise<{ hubSeconds: number; hubStored: number }> {
  const prefix = `cbbench-profile-${label}-${process.pid}`
  await deleteKeys(prefix)
  const file = join(dir, `hub-${label}.yaml`)
  writeFileSync(file, JSON.stringify({
    hub: { name: 'bench' },
    redis: { url: TEST_REDIS_URL, keyPrefix: prefix, requirePersistence: false },
    admin: { host: '127.0.0.1', port: 0 },
    logging: { level: 'error' },
    push: { batchSize: 100, concurrency: 8, attempts: 10, backoff: { delayMs: 200, jitter: 0.5 } },
    targets: { platform: target },
    agencies: [{ id: 'market-regulation-peixian', mapping: MAPPING_FILE, schedule: '*/1 * * * * *', target: 'platform', source: { kind: 'http-pull', baseUrl: agencyUrl, pageSize: PAGE } }],
  }))
  const config = await loadConfig(file, builtInRegistry(), process.env)
  const started = performance.now()
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger() })
  // Done when every valid case of the source is acknowledged or held (the pipe, which validates nothing, may send more).
  const agencyId = 'market-regulation-peixian'
  await until(`the hub to deliver the source's ${expected} valid cases (${label})`, async () => {
    const [acked, counters, pending] = await Promise.all([hub.ledger.ackedCount(agencyId), hub.ledger.counters(agencyId), hub.ledger.pendingCount(agencyId)])
    return pending === 0 && acked > 0 && acked + counters.held >= expected && await stored() >= acked
  })
  const hubSeconds = (performance.now() - started) / 1000
  const hubStored = await stored()
  await hub.close()
  await deleteKeys(prefix)
  return { hubSeconds, hubStored }
}

/**
 * Each side's rate from its own count: the pipe validates nothing and sends every record the
 * profile can project, the hub only the valid cases; the ratio is hub throughput / pipe
 * throughput, as in the other end-to-end benchmark.
 */
function figures (expected: number, pipeStored: number, pipeSeconds: number, hub: { hubSeconds: number; hubStored: number }): Record<string, number> {
  const pipeCasesPerSecond = pipeStored / pipeSeconds
  const hubCasesPerSecond = hub.hubStored / hub.hubSeconds
  return { validCases: expected, pipeStored, hubStored: hub.hubStored, pipeSeconds, hubSeconds: hub.hubSeconds, pipeCasesPerSecond, hubCasesPerSecond, hubToPipe: hubCasesPerSecond / pipeCasesPerSecond }
}

async function province (dir: string, agencyUrl: string, expected: number): Promise<Record<string, unknown>> {
  const profile = await loadProfile(PROVINCE)
  // The ceiling: page → map → project → envelope → sign → upload.
  let sim = await startProvinceSimulator({ port: 0, apps: { [APP_KEY]: APP_SECRET } })
  const dispatcher = new Agent({ connections: 8 })
  const started = performance.now()
  for await (const cases of mappedPages(agencyUrl, dispatcher)) {
    const records = cases.map(c => profile.project(c)).flatMap(p => p.kind === 'record' ? [{ ...p.record }] : [])
    await Promise.all(profile.envelope(records).map(async req => {
      const headers = { ...profile.sign('POST', profile.pushPath, req.body, Date.now(), randomBytes(16).toString('hex')), 'content-type': req.contentType }
      const res = await request(new URL(profile.pushPath, sim.url), { method: 'POST', dispatcher, headers, body: req.body })
      await res.body.text()
    }))
  }
  const pipeSeconds = (performance.now() - started) / 1000
  const pipeStored = sim.stats().totals.stored
  await sim.close()
  await dispatcher.close()
  sim = await startProvinceSimulator({ port: 0, apps: { [APP_KEY]: APP_SECRET } })
  const target = sim
  const hub = await hubRun('province', dir, agencyUrl, { kind: 'http-profile', baseUrl: sim.url, profile: PROVINCE }, async () => target.stats().totals.stored, expected)
  await sim.close()
  return figures(expected, pipeStored, pipeSeconds, hub)
}

async function table (dir: string, agencyUrl: string, expected: number): Promise<Record<string, unknown>> {
  const schema = `cbbench_${process.pid}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client(PG)
  await admin.connect()
  const fresh = async (): Promise<Awaited<ReturnType<typeof startTableCollector>>> => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.query(`CREATE SCHEMA ${schema}`)
    for (const s of exchangeTableDdl('postgres', schema, 'exchange_case')) await admin.query(s)
    return await startTableCollector({ dialect: 'postgres', connection: { host: PG.host, port: PG.port, user: PG.user, database: PG.database }, schema, table: 'exchange_case', intervalMs: 100 })
  }
  try {
    const profile = await loadProfile(TABLE)
    // The ceiling: page → map → project → one transaction of rows → the collector's status.
    let collector = await fresh()
    const columns = { agencyCode: 'agency_code', caseNumber: 'case_number', seq: 'seq', fingerprint: 'fingerprint', payload: 'payload', writtenAt: 'written_at', status: 'status', statusMessage: 'status_message' }
    const exchange = postgresExchangeTable({ host: PG.host, port: PG.port, database: PG.database, user: PG.user, ssl: false, connectTimeoutMs: 10000, statementTimeoutMs: 15000 }, schema, 'exchange_case', columns)
    const dispatcher = new Agent({ connections: 4 })
    const started = performance.now()
    let sent = 0
    let seq = 0
    for await (const cases of mappedPages(agencyUrl, dispatcher)) {
      const rows = cases.map(c => ({ c, p: profile.project(c) })).flatMap(({ c, p }) => p.kind === 'record' ? [{ agencyCode: c.agency.code, caseNumber: c.caseNumber, seq: ++seq, fingerprint: p.fingerprint, payload: JSON.stringify(p.record) }] : [])
      await exchange.write(rows)
      sent += rows.length
    }
    const written = sent
    const c1 = collector
    await until('the collector to take the pipe\'s rows', async () => (await c1.stats()).totals.stored >= written)
    const pipeSeconds = (performance.now() - started) / 1000
    await exchange.close()
    await dispatcher.close()
    await collector.close()
    collector = await fresh()
    const c2 = collector
    const hub = await hubRun('table', dir, agencyUrl, { kind: 'sql-table', dialect: 'postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, schema, table: 'exchange_case', profile: TABLE, ackPollMs: 50 }, async () => (await c2.stats()).totals.stored, expected)
    await collector.close()
    return figures(expected, written, pipeSeconds, hub)
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
    await admin.end()
  }
}

const { values } = parseArgs({ options: { cases: { type: 'string', default: '20000' } } })
const cases = Number(values.cases)
const dir = mkdtempSync(join(tmpdir(), 'casebridge-bench-profiles-'))
const agency = await startAgencySimulator({ port: 0, seed: 9, records: cases })
try {
  const stats = await (await fetch(`${agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  const expected = stats.records - stats.invalidByDesign
  const provinceFigures = await province(dir, agency.url, expected)
  const tableFigures = await table(dir, agency.url, expected)
  const fmt = (n: unknown): string => typeof n === 'number' ? n.toFixed(2) : String(n)
  printTable('End to end, in the platform\'s own language (each beside a direct pipe of the same dialect, same run)', [
    ['target', 'valid cases', 'pipe sent', 'hub sent', 'direct pipe s', 'hub s', 'pipe cases/s', 'hub cases/s', 'hub / pipe'],
    ...[['provincial exchange', provinceFigures], ['前置库 table (PostgreSQL)', tableFigures]].map(([name, f]) => {
      const x = f as Record<string, unknown>
      return [String(name), String(x.validCases), String(x.pipeStored), String(x.hubStored), fmt(x.pipeSeconds), fmt(x.hubSeconds), fmt(x.pipeCasesPerSecond), fmt(x.hubCasesPerSecond), fmt(x.hubToPipe)]
    }),
  ])
  writeResult('e2e-profiles', { machine: await machineInfo(TEST_REDIS_URL), province: provinceFigures, table: tableFigures })
} finally {
  await agency.close()
  rmSync(dir, { recursive: true, force: true })
}
