/**
 * Issue 13 (c): live writers whose clocks run 0.5 s and 2 s ahead of the reader insert a
 * case every 50–150 ms for 30 s, each stamped at second precision — into a real PostgreSQL
 * table, a real MariaDB table and the agency simulator — while one hub pulls all three
 * agencies every ~300 ms (default look-back: overlap 120 s, settle 5 s) and delivers to the
 * platform simulator. No reconciliation runs. At the end the platform holds every case, each
 * applied once: none missed, none applied (or even enqueued) twice. The three run at once,
 * so the test takes the 30 s once.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { projectRoot } from '../../src/paths.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { startAgencySimulator } from '../../fixtures/agency-sim/index.js'
import type { AgencyRecord } from '../../fixtures/agency-sim/agency-record.js'
import { MY, PG } from '../helpers/sql.js'
import { urbanMapping, urbanTables } from '../helpers/urban-tables.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { writePullingHubConfig } from '../helpers/hub-config.js'
import { waitFor } from '../helpers/wait-for.js'
import { beijing, keepWriting, pause } from '../helpers/cursor-kit.js'
import { platformCases } from '../hostile/hostile-kit.js'
import { sim } from '../reconcile/reconcile-world.js'

const TOKEN = 'live-cursor-token'
const WRITE_MS = 30_000
const SKEWS_MS = [500, 2000] as const
const AGENCIES = {
  'live-postgres': { code: '11320322014170932K' },
  'live-mysql': { code: '11320322014166079X' },
  'live-http': { code: '11320322014165834G' },
} as const
type AgencyId = keyof typeof AGENCIES

t.test('live writers 0.5 s and 2 s ahead of the reader, every 50–150 ms for 30 s: nothing missed, nothing applied twice (PostgreSQL, MariaDB, HTTP at once)', async t => {
  const { schema, database, insert } = await urbanTables(t, 'livecursor')
  const agency = await startAgencySimulator({ port: 0, records: 0, seed: 31 })
  t.teardown(async () => await agency.close())
  const platform = await startPlatformSimulator({ port: 0, tokens: [TOKEN] })
  t.teardown(async () => await platform.close())

  const files = tempDir(t)
  const sqlMapping = (id: AgencyId): string => urbanMapping(files, id, AGENCIES[id].code, '\n  /sourceUpdatedAt:          { from: GXSJ, date: timestamp }')
  const keyset = { updatedAtColumn: 'GXSJ', idColumn: 'AJBH', pageSize: 200 }
  const config = writePullingHubConfig(files, {
    prefix: testPrefix(t as never, 'live-cursor'), platformUrl: platform.url, tokenEnv: 'LIVE_CURSOR_TOKEN',
    agencies: [
      { id: 'live-postgres', mapping: sqlMapping('live-postgres'), source: { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, ...keyset } },
      { id: 'live-mysql', mapping: sqlMapping('live-mysql'), source: { kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: 'cases', ...keyset } },
      { id: 'live-http', mapping: files.write('live-http.yaml', readFileSync(join(projectRoot, 'mappings/market-regulation-peixian.yaml'), 'utf8').replace(/^agency: .*$/m, 'agency: live-http')), source: { kind: 'http-pull', baseUrl: agency.url, pageSize: 100, timeoutMs: 5000 } },
    ],
  })
  const hub = await startHub({ config: await loadConfig(config, builtInRegistry(), { ...process.env, TEST_REDIS_URL, LIVE_CURSOR_TOKEN: TOKEN }), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())

  // Writers: two per source, one 0.5 s and one 2 s ahead of the reader's clock, stamping whole seconds.
  const writeUntil = Date.now() + WRITE_MS
  const writing = (): boolean => Date.now() >= writeUntil
  const writers: Record<AgencyId, Promise<string[]>[]> = {
    'live-postgres': SKEWS_MS.map((skew, w) => keepWriting(100 + w, writing, async n => {
      const caseNumber = `LIVE-PG-${skew}-${n}`
      await insert.postgres(caseNumber, beijing(Date.now() + skew))
      return caseNumber
    })),
    'live-mysql': SKEWS_MS.map((skew, w) => keepWriting(200 + w, writing, async n => {
      const caseNumber = `LIVE-MY-${skew}-${n}`
      await insert.mysql(caseNumber, beijing(Date.now() + skew))
      return caseNumber
    })),
    'live-http': SKEWS_MS.map((skew, w) => keepWriting(300 + w, writing, async () => (await sim<AgencyRecord[]>('POST', `${agency.url}/__sim/cases`, { count: 1, clockSkewMs: skew }))[0]!.AJBH)),
  }

  // Pullers: each agency pulled again ~300 ms after its last pull ended, until told to stop.
  let pulling = true
  const pulls: Record<AgencyId, number> = { 'live-postgres': 0, 'live-mysql': 0, 'live-http': 0 }
  const pullers = (Object.keys(AGENCIES) as AgencyId[]).map(async id => {
    while (pulling) {
      await hub.pullNow(id)
      pulls[id]++
      await pause(300)
    }
  })

  let written: Record<AgencyId, string[]>
  try {
    written = Object.fromEntries(await Promise.all((Object.keys(AGENCIES) as AgencyId[]).map(async id => [id, (await Promise.all(writers[id])).flat()] as const))) as Record<AgencyId, string[]>
    for (const id of Object.keys(AGENCIES) as AgencyId[]) {
      const code = AGENCIES[id].code
      let held = new Map<string, unknown>()
      await waitFor(`${id}: the platform to hold all ${written[id].length} cases`, async () => {
        held = await platformCases(platform, TOKEN, code)
        return written[id].every(n => held.has(n))
      }, { timeoutMs: 60_000, intervalMs: 250, describe: () => `${written[id].filter(n => !held.has(n)).length} missing` })
    }
  } finally {
    pulling = false
    await Promise.all(pullers)
  }

  for (const id of Object.keys(AGENCIES) as AgencyId[]) {
    await t.test(`${id}: every case once`, async t => {
      const last = await hub.pullNow(id)
      t.equal(last?.changed, 0, 'one more pull finds nothing to send')
      const held = await platformCases(platform, TOKEN, AGENCIES[id].code)
      const counts = platform.stats().agencies[AGENCIES[id].code]
      t.ok(written[id].length > 300, `${written[id].length} cases written in 30 s by two writers`)
      t.same(written[id].filter(n => !held.has(n)), [], '0 missed')
      t.equal(held.size, written[id].length, 'nothing else on the platform')
      t.equal(counts?.applied, written[id].length, 'each case applied once')
      t.equal(counts?.unchanged, 0, '0 applied twice (no case sent again with the same content)')
      const stats = await hub.ledger.stats(id)
      t.equal(Number(stats.enqueued), written[id].length, 'each case enqueued once: the re-read rows were no-ops in the ledger')
      t.comment(`${id}: ${pulls[id]} pulls read ${stats.pulled} rows for ${written[id].length} cases: ${((Number(stats.pulled) - written[id].length) / pulls[id]).toFixed(0)} re-read per pull (writing ~${(written[id].length / (WRITE_MS / 1000)).toFixed(0)} rows/s, look-back 125 s)`)
    })
  }
})
