/**
 * Issue 21: the lag counts only changes the hub has seen, so a paused agency with new cases
 * at its source showed lag 0. A SQL source counts what lies past the cursor (one COUNT and
 * MIN query), and an HTTP source asks the agency API's count endpoint (countPath): the status,
 * the API and the metrics show the unpulled backlog and its age — for PostgreSQL, MariaDB and
 * the agency simulator's API — and a source that cannot tell (HTTP without countPath) says
 * "unknown", never 0.
 * Real PostgreSQL, MariaDB, Redis and simulators.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { projectRoot } from '../../src/paths.js'
import { silentLogger } from '../../src/logging/logger.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { AgencyStatus } from '../../src/admin/agency-status.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { startAgencySimulator } from '../../fixtures/agency-sim/index.js'
import { MY, PG } from '../helpers/sql.js'
import { urbanMapping, urbanTables } from '../helpers/urban-tables.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { beijing } from '../helpers/cursor-kit.js'
import { runCli } from '../helpers/run-cli.js'

const TOKEN = 'unpulled-backlog-token'
const VIEWER = 'unpulled-backlog-viewer-7f3a'
const SQL_AGENCIES = { 'backlog-postgres': '11320322014170932K', 'backlog-mysql': '11320322014166079X' } as const
type SqlAgency = keyof typeof SQL_AGENCIES
/** The agencies that can tell their backlog: the two SQL ones and an HTTP one with a count endpoint. */
const COUNTING = [...Object.keys(SQL_AGENCIES), 'backlog-http-count']

t.test('a paused agency with new changes at its source shows the unpulled backlog and its age (PostgreSQL, MariaDB, an HTTP API with a count endpoint); an HTTP source without one says unknown', async t => {
  const tables = await urbanTables(t, 'backlog')
  const { schema, database } = tables
  const insert: Record<SqlAgency, (caseNumber: string, stampMs: number) => Promise<void>> = {
    'backlog-postgres': async (n, ms) => await tables.insert.postgres(n, beijing(ms)),
    'backlog-mysql': async (n, ms) => await tables.insert.mysql(n, beijing(ms)),
  }
  const files = tempDir(t)
  const sqlMapping = (id: SqlAgency): string => urbanMapping(files, id, SQL_AGENCIES[id])
  const platform = await startPlatformSimulator({ port: 0, tokens: [TOKEN] })
  t.teardown(async () => await platform.close())
  const agencySim = await startAgencySimulator({ port: 0, records: 5, seed: 8 })
  t.teardown(async () => await agencySim.close())
  const countingSim = await startAgencySimulator({ port: 0, records: 5, seed: 9 })
  t.teardown(async () => await countingSim.close())
  const market = readFileSync(join(projectRoot, 'mappings/market-regulation-peixian.yaml'), 'utf8')
  const marketMapping = (id: string, code: string): string => files.write(`${id}.yaml`, market.replace(/^agency: .*$/m, `agency: ${id}`).replace(/^( {2}\/agency\/code: ).*$/m, `$1"${code}"`))
  const keyset = { updatedAtColumn: 'GXSJ', idColumn: 'AJBH', pageSize: 200 }
  const file = files.write('hub.yaml', JSON.stringify({
    redis: { url: { env: 'TEST_REDIS_URL' }, keyPrefix: testPrefix(t as never, 'unpulled-backlog'), requirePersistence: false },
    // cacheMs 0: every status answer asks the sources again, so the test sees each change at once.
    admin: { host: '127.0.0.1', port: 0, tokens: [{ id: 'viewer-1', role: 'viewer', sha256: hashToken(VIEWER) }], readiness: { cacheMs: 0 } },
    push: { batchSize: 100, backoff: { delayMs: 50, jitter: 0 } },
    targets: { platform: { kind: 'http-batch', baseUrl: platform.url, token: { env: 'BACKLOG_TOKEN' }, timeoutMs: 10000 } },
    agencies: [
      { id: 'backlog-postgres', mapping: sqlMapping('backlog-postgres'), source: { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, ...keyset } },
      { id: 'backlog-mysql', mapping: sqlMapping('backlog-mysql'), source: { kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: 'cases', ...keyset } },
      { id: 'backlog-http', mapping: marketMapping('backlog-http', '11320322014165834G'), source: { kind: 'http-pull', baseUrl: agencySim.url, timeoutMs: 5000 } },
      { id: 'backlog-http-count', mapping: marketMapping('backlog-http-count', '11320322014160123A'), source: { kind: 'http-pull', baseUrl: countingSim.url, timeoutMs: 5000, countPath: '/api/cases/count' } },
    ].map(a => ({ ...a, target: 'platform', schedule: '0 0 0 1 1 *' })),
  }))
  const hub = await startHub({ config: await loadConfig(file, builtInRegistry(), { ...process.env, TEST_REDIS_URL, BACKLOG_TOKEN: TOKEN }), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  const status = async (): Promise<Map<string, AgencyStatus>> => {
    const res = await fetch(`${hub.adminUrl}/api/agencies`, { headers: { authorization: `Bearer ${VIEWER}` } })
    return new Map(((await res.json()) as { agencies: AgencyStatus[] }).agencies.map(a => [a.id, a]))
  }
  const metrics = async (): Promise<string> => await (await fetch(`${hub.adminUrl}/metrics`)).text()

  // Three rows a minute old, pulled: read already, they are not backlog although the look-back reads them again.
  const startMs = Date.now()
  for (const id of Object.keys(SQL_AGENCIES) as SqlAgency[]) {
    for (let i = 1; i <= 3; i++) await insert[id](`${id}-old-${i}`, startMs - 60_000)
    t.equal((await hub.pullNow(id))?.records, 3, `${id}: the first pull reads the three rows`)
  }
  t.equal((await hub.pullNow('backlog-http-count'))?.records, 5, 'backlog-http-count: the first pull reads the five cases')
  let now = await status()
  for (const id of COUNTING) t.same(now.get(id)?.unpulled, { state: 'known', changes: 0, oldestChangeAt: null, ageSeconds: null }, `${id}: nothing unpulled after a pull, the look-back window not counted`)
  t.same(now.get('backlog-http')?.unpulled, { state: 'unknown', changes: null, oldestChangeAt: null, ageSeconds: null }, 'an HTTP source cannot tell: unknown, not 0')

  // Paused, and seven new rows stamped 40 s ago arrive at each source.
  for (const id of Object.keys(SQL_AGENCIES) as SqlAgency[]) {
    await hub.ledger.pause(id, 'test')
    for (let i = 1; i <= 7; i++) await insert[id](`${id}-new-${i}`, startMs - 40_000)
    t.equal(await hub.pullNow(id), undefined, `${id}: paused, not pulled`)
  }
  await hub.ledger.pause('backlog-http-count', 'test')
  const added = await fetch(`${countingSim.url}/__sim/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 7, clockSkewMs: -40_000 }) })
  t.equal(added.status, 200, 'seven new cases at the HTTP source, stamped 40 s ago')
  now = await status()
  for (const id of COUNTING) {
    const a = now.get(id)!
    t.equal(a.lagSeconds, 0, `${id}: the lag alone says nothing waits`)
    t.match(a.unpulled, { state: 'known', changes: 7 }, `${id}: the seven new rows are the backlog`)
    t.ok((a.unpulled.ageSeconds ?? 0) >= 35, `${id}: the oldest waits for ${a.unpulled.ageSeconds} s`)
    t.ok(Math.abs(Date.parse(a.unpulled.oldestChangeAt ?? '') - (startMs - 40_000)) < 3000, `${id}: the oldest change is the rows' stamp (${a.unpulled.oldestChangeAt})`)
  }
  const text = await metrics()
  for (const id of COUNTING) {
    t.match(text, new RegExp(`casebridge_agency_unpulled_changes\\{agency="${id}"\\} 7\\b`), `${id}: the metric has the count`)
    t.match(text, new RegExp(`casebridge_agency_unpulled_oldest_age_seconds\\{agency="${id}"\\} (3[5-9]|[4-9]\\d)`), `${id}: and the age`)
  }
  t.notMatch(text, /casebridge_agency_unpulled_changes\{agency="backlog-http"\}/, 'no sample for the agency whose source cannot tell')

  const cli = await runCli(['status', '--lang', 'en'], { env: { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: VIEWER } })
  t.equal(cli.code, 0, cli.stderr)
  t.match(cli.stdout, /backlog-postgres .* 7 \(\d+ s\)/, 'the CLI shows the backlog and its age')
  t.match(cli.stdout, /backlog-http .* unknown/, 'and unknown where the source cannot tell')

  // Resumed and pulled: the backlog is gone.
  for (const id of Object.keys(SQL_AGENCIES) as SqlAgency[]) {
    await hub.ledger.resume(id)
    t.equal((await hub.pullNow(id))?.records, 10, `${id}: the pull reads the new rows (and the old ones again, in the look-back window)`)
  }
  await hub.ledger.resume('backlog-http-count')
  t.ok(((await hub.pullNow('backlog-http-count'))?.records ?? 0) >= 7, 'backlog-http-count: the pull reads the new cases')
  now = await status()
  for (const id of COUNTING) t.match(now.get(id)?.unpulled, { state: 'known', changes: 0 }, `${id}: nothing left unpulled`)
})
