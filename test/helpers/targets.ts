/**
 * The platforms a scenario can run against, behind one face: today's canonical platform
 * simulator (http-batch), the provincial exchange (http-profile with
 * mappings/profiles/province.yaml) and the 前置库 exchange table on PostgreSQL and MariaDB
 * (sql-table with its collector). A scenario is written once and parametrised by target:
 * `for (const kind of TARGET_KINDS) t.test(kind, …)`.
 */
import { join } from 'node:path'
import { startPlatformSimulator, type PlatformSimulator, type PlatformSimulatorOptions, type StoredCase } from '../../fixtures/platform-sim/index.js'
import { startProvinceSimulator, type ProvinceSimulatorOptions } from '../../fixtures/province-sim/index.js'
import { exchangeTableDdl, startTableCollector, type TableCollectorOptions } from '../../fixtures/table-collector/index.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { silentLogger } from '../../src/logging/logger.js'
import { fingerprint } from '../../src/contracts/fingerprint.js'
import { identityProjection } from '../../src/contracts/identity-projection.js'
import type { TargetProjection } from '../../src/contracts/projection.js'
import type { TargetAdapter } from '../../src/contracts/target-adapter.js'
import { RateLimitedError } from '../../src/errors.js'
import { setTimeout as delay } from 'node:timers/promises'
import type { CanonicalCase } from '../../src/generated/case.js'
import { MY, PG, mysqlDatabase, postgresSchema } from './sql.js'

export const TARGET_KINDS = ['canonical', 'province', 'table-postgres', 'table-mariadb'] as const
export type TargetKind = (typeof TARGET_KINDS)[number]

export const PROVINCE_PROFILE = join(projectRoot, 'mappings', 'profiles', 'province.yaml')
export const TABLE_PROFILE = join(projectRoot, 'mappings', 'profiles', 'table.yaml')
/** The canonical platform's bearer token (test/helpers/world.ts's TEST_PLATFORM_TOKEN). */
export const TOKEN = 'test-platform-token'
const APP_KEY = 'test-app-key'
const APP_SECRET = 'test-app-secret-0123456789abcdef'

/** What every simulated platform counts, per agency code and in total. */
export interface TargetCounts {
  readonly stored: number
  readonly applied: number
  readonly reapplied: number
  readonly unchanged: number
  readonly rejected: number
  /** How often the platform's faults struck: HTTP answers of an outage, a rate limit or an injected failure; a collector's skipped rounds. */
  readonly faultsMet: number
}

export interface StartedTarget {
  readonly kind: TargetKind
  /** The hub config's section for this target (`targets.platform`). */
  readonly section: Record<string, unknown>
  /** Environment the section's secrets come from. */
  readonly env: NodeJS.ProcessEnv
  totals (): Promise<TargetCounts>
  /** Make the platform refuse everything for `ms` (an outage of the platform, or of the collector). */
  outage (ms: number): Promise<void>
  /** The 前置库 collector stops collecting for `ms`, alive and connected: rows wait, unacknowledged. Table targets only. */
  pause? (ms: number): void
  /** Drift planted on the platform behind the hub's back, for reconciliation. */
  readonly drift: PlatformDrift
  /**
   * What the platform holds for the agency, fingerprint by case number: for the canonical
   * platform the fingerprint of each stored case, computed here; for a profiled one its
   * records read back through the profile by the target adapter's listing.
   */
  versions (agencyCode: string): Promise<Map<string, string>>
  /** How the platform's records are made from canonical cases (the identity for the canonical platform). */
  projection (): TargetProjection
}

export interface PlatformDrift {
  /** Does the platform hold the case? */
  has (agencyCode: string, caseNumber: string): Promise<boolean>
  /** The platform loses the case. */
  remove (agencyCode: string, caseNumber: string): Promise<void>
  /** Someone edits the case on the platform: one field the profile writes changes. */
  edit (agencyCode: string, caseNumber: string): Promise<void>
  /** A case the agency never had appears on the platform (a copy of `template` under another number). */
  orphan (agencyCode: string, template: string, caseNumber: string): Promise<void>
}

type Teardown = { teardown: (fn: () => Promise<void> | void) => void }

export interface TargetOptions {
  /** Platform-simulator faults for the HTTP dialects (the same option names in both simulators). */
  readonly http?: Omit<PlatformSimulatorOptions, 'tokens'> & Omit<ProvinceSimulatorOptions, 'apps'>
  /** Collector options for the table targets. */
  readonly collector?: Partial<Pick<TableCollectorOptions, 'intervalMs' | 'rejectRule'>>
}

const counts = (t: { stored: number; applied: number; reapplied: number; unchanged: number; rejected: number }, faultsMet: number): TargetCounts =>
  ({ stored: t.stored, applied: t.applied, reapplied: t.reapplied, unchanged: t.unchanged, rejected: t.rejected, faultsMet })
/** An HTTP platform's faults: outage answers, rate limits, injected failures, and answers the hub gave up waiting for (logged 499). */
const httpFaults = (t: { failuresInjected: number; outageRejections: number; rateLimited: number }, requests: readonly { status: number }[]): number =>
  t.failuresInjected + t.outageRejections + t.rateLimited + requests.filter(r => r.status === 499).length

export async function startTarget (t: Teardown, kind: TargetKind, label: string, opts: TargetOptions = {}): Promise<StartedTarget> {
  const http = opts.http ?? {}
  if (kind === 'canonical') {
    const sim = await startPlatformSimulator({ port: 0, tokens: [TOKEN], ...http })
    t.teardown(async () => await sim.close())
    return canonicalTarget(sim)
  }
  if (kind === 'province') {
    const sim = await startProvinceSimulator({ port: 0, apps: { [APP_KEY]: APP_SECRET }, ...http })
    t.teardown(async () => await sim.close())
    // A profile reads its secrets from the process environment, as `casebridge run` does (each test file is its own process).
    process.env.PROVINCE_APP_KEY = APP_KEY
    process.env.PROVINCE_APP_SECRET = APP_SECRET
    const section = { kind: 'http-profile', baseUrl: sim.url, profile: PROVINCE_PROFILE, timeoutMs: 5000 }
    return {
      kind,
      section,
      env: { PROVINCE_APP_KEY: APP_KEY, PROVINCE_APP_SECRET: APP_SECRET },
      totals: async () => { const totals = sim.stats().totals; return counts(totals, httpFaults(totals, sim.requests())) },
      outage: async ms => { await fetch(`${sim.url}/__sim/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ durationMs: ms }) }) },
      drift: provinceDrift(sim.url),
      ...readBack(t, section),
    }
  }
  const table = 'exchange_case'
  const collectorBase = { table, intervalMs: opts.collector?.intervalMs ?? 100, ...(opts.collector?.rejectRule === undefined ? {} : { rejectRule: opts.collector.rejectRule }) }
  let collector: Awaited<ReturnType<typeof startTableCollector>>
  let section: Record<string, unknown>
  let drift: PlatformDrift
  if (kind === 'table-postgres') {
    const { schema, client } = await postgresSchema(t, label)
    for (const statement of exchangeTableDdl('postgres', schema, table)) await client.query(statement)
    collector = await startTableCollector({ dialect: 'postgres', connection: { host: PG.host, port: PG.port, user: PG.user, database: PG.database }, schema, ...collectorBase })
    section = { kind: 'sql-table', dialect: 'postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, schema, table, profile: TABLE_PROFILE, ackWaitMs: 3000, ackPollMs: 50 }
    const name = `"${schema}"."${table}"`
    drift = tableDrift(async (sql, values) => (await client.query(sql.replace(/\?/g, (() => { let i = 0; return () => `$${++i}` })()), values)).rows, name)
  } else {
    const { database, connection } = await mysqlDatabase(t, label)
    for (const statement of exchangeTableDdl('mariadb', database, table)) await connection.query(statement)
    collector = await startTableCollector({ dialect: 'mariadb', connection: { host: MY.host, port: MY.port, user: MY.user, database }, schema: database, ...collectorBase })
    section = { kind: 'sql-table', dialect: 'mysql', host: MY.host, port: MY.port, database, user: MY.user, table, profile: TABLE_PROFILE, ackWaitMs: 3000, ackPollMs: 50 }
    drift = tableDrift(async (sql, values) => { const [rows] = await connection.query(sql, values); return Array.isArray(rows) ? rows as Record<string, unknown>[] : [] }, `\`${database}\`.\`${table}\``)
  }
  t.teardown(async () => await collector.close())
  return {
    kind,
    section,
    env: {},
    totals: async () => { const totals = (await collector.stats()).totals; return counts(totals, totals.skippedPolls) },
    outage: async ms => { await collector.outage(ms) },
    pause: ms => { collector.pause(ms) },
    drift,
    ...readBack(t, section),
  }
}

/**
 * A profiled target read back as the hub reads it: its own target adapter (opened on first
 * use, closed with the test), listing what the platform holds through the profile.
 */
function readBack (t: Teardown, section: Record<string, unknown>): Pick<StartedTarget, 'versions' | 'projection'> {
  let adapter: TargetAdapter | undefined
  const open = (): TargetAdapter => {
    if (adapter !== undefined) return adapter
    const definition = builtInRegistry().targets.get(String(section.kind))
    if (definition === undefined) throw new Error(`no target adapter of kind ${String(section.kind)}`)
    const opened = definition.create(section, { logger: silentLogger(), name: 'platform', input: () => { throw new Error('a target reads no agency input') } })
    t.teardown(async () => await opened.close())
    adapter = opened
    return opened
  }
  return {
    async versions (agencyCode) {
      const target = open()
      const list = target.listCases?.bind(target)
      if (list === undefined) throw new Error(`the ${String(section.kind)} target cannot be listed`)
      for (let attempt = 1; ; attempt++) {
        try {
          const out = new Map<string, string>()
          for await (const page of list(agencyCode, new AbortController().signal)) for (const c of page) out.set(c.caseNumber, c.fingerprint)
          return out
        } catch (err) {
          // A busy platform (a fault a test set): wait as asked and list again from the start.
          if (!(err instanceof RateLimitedError) || attempt === 30) throw err
          await delay(Math.max(50, err.retryAfterMs))
        }
      }
    },
    projection: () => open().projection?.() ?? identityProjection,
  }
}

/** A running canonical platform simulator as a target (its tokens must include {@link TOKEN}). */
export function canonicalTarget (sim: PlatformSimulator): StartedTarget {
  return {
    kind: 'canonical',
    section: { kind: 'http-batch', baseUrl: sim.url, token: { env: 'TEST_PLATFORM_TOKEN' }, timeoutMs: 5000 },
    env: { TEST_PLATFORM_TOKEN: TOKEN },
    totals: async () => { const totals = sim.stats().totals; return counts(totals, httpFaults(totals, sim.requests())) },
    outage: async ms => { await fetch(`${sim.url}/__sim/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ durationMs: ms }) }) },
    drift: canonicalDrift(sim.url),
    versions: async code => new Map([...await canonicalDrift(sim.url).held(code)].map(([n, c]) => [n, fingerprint(c)])),
    projection: () => identityProjection,
  }
}

/** Drift on the canonical platform simulator: its listing API to read, its /__sim/cases routes to write. */
function canonicalDrift (url: string): PlatformDrift & { held: (code: string) => Promise<Map<string, CanonicalCase>> } {
  const listed = async (code: string): Promise<Map<string, CanonicalCase>> => {
    const out = new Map<string, CanonicalCase>()
    let token: string | null = null
    for (;;) {
      const page = new URL('/api/v1/cases', url)
      page.searchParams.set('agencyCode', code)
      page.searchParams.set('pageSize', '1000')
      if (token !== null) page.searchParams.set('pageToken', token)
      const res = await fetch(page, { headers: { authorization: `Bearer ${TOKEN}` } })
      if (res.status === 429) {
        // A rate-limited platform (a fault a test set): wait as asked and read the page again.
        await delay(Math.max(50, Number(res.headers.get('retry-after') ?? '1') * 1000))
        continue
      }
      if (res.status !== 200) throw new Error(`the platform's listing answered ${res.status}`)
      const body = await res.json() as { items: StoredCase[]; nextPageToken: string | null }
      for (const item of body.items) out.set(String(item.case.caseNumber), item.case)
      token = body.nextPageToken
      if (token === null) return out
    }
  }
  const stored = async (code: string, n: string): Promise<CanonicalCase> => {
    const c = (await listed(code)).get(n)
    if (c === undefined) throw new Error(`the platform holds no ${n}`)
    return c
  }
  const casePath = (code: string, n: string): string => `${url}/__sim/cases/${encodeURIComponent(code)}/${encodeURIComponent(n)}`
  const put = async (code: string, n: string, body: CanonicalCase): Promise<void> => {
    const res = await fetch(casePath(code, n), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (res.status !== 200) throw new Error(`could not plant ${n} (${res.status})`)
  }
  return {
    held: listed,
    has: async (code, n) => (await listed(code)).has(n),
    remove: async (code, n) => { const res = await fetch(casePath(code, n), { method: 'DELETE' }); if (res.status !== 204) throw new Error(`could not delete ${n} (${res.status})`) },
    edit: async (code, n) => { const c = await stored(code, n); await put(code, n, { ...c, factsSummary: `${String(c.factsSummary ?? '')}（平台端被改动）` }) },
    orphan: async (code, template, n) => { await put(code, n, { ...await stored(code, template), caseNumber: n }) },
  }
}

function provinceDrift (url: string): PlatformDrift {
  const record = async (code: string, n: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${url}/__sim/records/${encodeURIComponent(code)}/${encodeURIComponent(n)}`)
    if (res.status !== 200) throw new Error(`the exchange holds no ${n} (${res.status})`)
    return await res.json() as Record<string, unknown>
  }
  const put = async (code: string, n: string, body: Record<string, unknown>): Promise<void> => {
    const res = await fetch(`${url}/__sim/records/${encodeURIComponent(code)}/${encodeURIComponent(n)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (res.status !== 200) throw new Error(`could not plant ${n} (${res.status})`)
  }
  return {
    has: async (code, n) => (await fetch(`${url}/__sim/records/${encodeURIComponent(code)}/${encodeURIComponent(n)}`)).status === 200,
    remove: async (code, n) => { const res = await fetch(`${url}/__sim/records/${encodeURIComponent(code)}/${encodeURIComponent(n)}`, { method: 'DELETE' }); if (res.status !== 204) throw new Error(`could not delete ${n} (${res.status})`) },
    edit: async (code, n) => { const r = await record(code, n); await put(code, n, { ...r, AY: `${String(r.AY)}（平台端被改动）` }) },
    orphan: async (code, template, n) => { await put(code, n, { ...await record(code, template), AJBH: n }) },
  }
}

/** Drift in the exchange table itself (the table the hub writes and reconciles against); `?` placeholders. */
function tableDrift (query: (sql: string, values: unknown[]) => Promise<Record<string, unknown>[]>, name: string): PlatformDrift {
  const payload = async (code: string, n: string): Promise<Record<string, unknown>> => {
    const rows = await query(`SELECT payload FROM ${name} WHERE agency_code = ? AND case_number = ?`, [code, n])
    if (rows[0] === undefined) throw new Error(`the exchange table holds no ${n}`)
    return JSON.parse(String(rows[0].payload)) as Record<string, unknown>
  }
  return {
    has: async (code, n) => (await query(`SELECT 1 AS held FROM ${name} WHERE agency_code = ? AND case_number = ?`, [code, n])).length > 0,
    remove: async (code, n) => { await query(`DELETE FROM ${name} WHERE agency_code = ? AND case_number = ?`, [code, n]) },
    edit: async (code, n) => {
      const p = await payload(code, n)
      await query(`UPDATE ${name} SET payload = ? WHERE agency_code = ? AND case_number = ?`, [JSON.stringify({ ...p, factsSummary: `${String(p.factsSummary ?? '')}（平台端被改动）` }), code, n])
    },
    orphan: async (code, template, n) => {
      const p = await payload(code, template)
      await query(`INSERT INTO ${name} (agency_code, case_number, seq, fingerprint, payload, written_at, status) VALUES (?, ?, 1, 'planted', ?, CURRENT_TIMESTAMP, 'collected')`, [code, n, JSON.stringify({ ...p, caseNumber: n })])
    },
  }
}
