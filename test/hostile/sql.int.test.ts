/**
 * The hostile-input catalogue's SQL cases (fixtures/hostile/catalogue.ts): rows in tables of
 * the machine's real PostgreSQL and MariaDB, pulled by one hub with the sql-postgres and
 * sql-mysql sources (one row a page, so every id is the keyset position bound into the next
 * query) and delivered to the platform simulator. A canary table `x` beside each source
 * table would be dropped by any value that reached the SQL text.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import mysql from 'mysql2/promise'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { SQL_CASES, URBAN_HEADER } from '../../fixtures/hostile/catalogue.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { MY, PG, mysqlDatabase, postgresSchema } from '../helpers/sql.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { writePullingHubConfig } from '../helpers/hub-config.js'
import { silentLogger } from '../../src/logging/logger.js'
import { at, checkNoPollution, checkQuarantined, findEntry, platformCases, prototypeSnapshot, waitDelivered } from './hostile-kit.js'

const TOKEN = 'hostile-sql-token'
const AGENCY_CODE = '11320322014170932K'
const COLUMNS = URBAN_HEADER.split(',')

t.test('hostile values in database rows: each has its documented outcome, the good rows beside them arrive, nothing runs as SQL', async t => {
  const before = prototypeSnapshot()
  const { schema, client } = await postgresSchema(t, 'hostile')
  const { database, connection } = await mysqlDatabase(t, 'hostile')
  await client.query(`CREATE TABLE ${pg.escapeIdentifier(schema)}.cases (id text COLLATE "C" PRIMARY KEY, updated_at timestamptz(6) NOT NULL, ${COLUMNS.map(c => `${pg.escapeIdentifier(c)} text`).join(', ')})`)
  await client.query(`CREATE TABLE ${pg.escapeIdentifier(schema)}.x (n int)`)
  await connection.query(`CREATE TABLE cases (id varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, updated_at datetime(6) NOT NULL, ${COLUMNS.map(c => `${mysql.escapeId(c)} varchar(1000)`).join(', ')}) CHARACTER SET utf8mb4`)
  await connection.query('CREATE TABLE x (n int)')
  const canariesStand = async (): Promise<boolean> => {
    const inPg = (await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`${schema}.x`])).rows[0]?.ok === true
    const [rows] = await connection.query('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [database, 'x'])
    return inPg && Number((rows as { n: number }[])[0]?.n) === 1
  }

  const platform = await startPlatformSimulator({ port: 0, tokens: [TOKEN] })
  t.teardown(async () => await platform.close())
  const files = tempDir(t)
  const urban = readFileSync(join(projectRoot, 'fixtures/exports/urban-management-gbk-csv/mapping.yaml'), 'utf8')
  const mappingFor = (id: string): string => files.write(`${id}.yaml`, urban.replace(/^agency: .*$/m, `agency: ${id}`))
  const keyset = { updatedAtColumn: 'updated_at', idColumn: 'id', pageSize: 1, statementTimeoutMs: 10000 }
  const config = writePullingHubConfig(files, {
    prefix: testPrefix(t as never, 'hostile-sql'), platformUrl: platform.url, tokenEnv: 'HOSTILE_SQL_TOKEN',
    agencies: [
      { id: 'hostile-postgres', mapping: mappingFor('hostile-postgres'), source: { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, ...keyset } },
      { id: 'hostile-mysql', mapping: mappingFor('hostile-mysql'), source: { kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: 'cases', ...keyset } },
    ],
  })
  const hub = await startHub({ config: await loadConfig(config, builtInRegistry(), { ...process.env, TEST_REDIS_URL, HOSTILE_SQL_TOKEN: TOKEN }), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())

  let second = 0
  const insert = async (db: 'postgres' | 'mysql', id: string, columns: Record<string, string>): Promise<void> => {
    const updatedAt = new Date(Date.parse('2024-03-01T02:00:00Z') + 1000 * ++second).toISOString()
    const values = [id, updatedAt, ...COLUMNS.map(c => columns[c] ?? '')]
    if (db === 'postgres') await client.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.cases VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values)
    else await connection.query(`INSERT INTO cases VALUES (${values.map(() => '?').join(', ')})`, [id, updatedAt.replace('T', ' ').replace('Z', ''), ...values.slice(2)])
  }

  for (const c of SQL_CASES) {
    await t.test(`${c.id}: ${c.input}`, async t => {
      for (const row of c.rows()) await insert(c.db, row.id, row.columns)
      const agency = c.db === 'postgres' ? 'hostile-postgres' : 'hostile-mysql'
      const summary = await hub.pullNow(agency)
      t.ok(summary !== undefined, 'the pull completed')
      const o = c.outcome
      if (o.kind === 'quarantined') {
        checkQuarantined(t, findEntry(await hub.ledger.quarantine(agency), { caseNumber: c.caseNumber }), o)
        t.notOk((await platformCases(platform, TOKEN, AGENCY_CODE)).has(c.caseNumber), 'the hostile row was not delivered')
      }
      if (o.kind === 'delivered') {
        const held = await waitDelivered(platform, TOKEN, AGENCY_CODE, [c.caseNumber])
        t.equal(at(held.get(c.caseNumber), o.field), o.value, `${o.field} arrived verbatim`)
      }
      if (c.good.length > 0) await waitDelivered(platform, TOKEN, AGENCY_CODE, c.good)
      t.equal(await canariesStand(), true, 'the canary tables are still there')
    })
  }

  await t.test('afterwards nothing ran as SQL and nothing reached a prototype', async t => {
    t.equal((await fetch(`${hub.adminUrl}/healthz`)).status, 200, 'the hub answers its health probe')
    const rows = await client.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(schema)}.cases`)
    t.equal(rows.rows[0]?.n, SQL_CASES.filter(c => c.db === 'postgres').flatMap(c => c.rows()).length, 'the source table holds what was inserted, no more and no less')
    checkNoPollution(t, before, [...(await platformCases(platform, TOKEN, AGENCY_CODE)).values()])
  })
})
