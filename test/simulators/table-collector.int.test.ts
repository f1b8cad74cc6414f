import mysql from 'mysql2/promise'
import pg from 'pg'
import t, { type Test } from 'tap'
import { collectedTableName, exchangeTableDdl, qualifiedName, startTableCollector, type Dialect, type TableCollector, type TableCollectorOptions } from '../../fixtures/table-collector/index.js'
import { MY, PG, mysqlDatabase, postgresSchema } from '../helpers/sql.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = '11320322MB1580421M'
const OTHER = '11320322014165830A'
const TABLE = 'case_exchange'

interface Db {
  readonly dialect: Dialect
  readonly schema: string
  readonly connection: TableCollectorOptions['connection']
  query (sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  /** Another session on the same database (closed at teardown), e.g. to hold a lock. */
  session (): Promise<(sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>>
}

const dollars = (sql: string): string => { let n = 0; return sql.replace(/\?/g, () => `$${++n}`) }

/** A fresh schema (PostgreSQL) or database (MariaDB) of this test, with the exchange table. */
async function database (t: Test, dialect: Dialect): Promise<Db> {
  let db: Db
  if (dialect === 'postgres') {
    const { schema, client } = await postgresSchema(t, 'collector')
    db = {
      dialect, schema, connection: PG,
      query: async (sql, params = []) => (await client.query(dollars(sql), params)).rows,
      session: async () => {
        const other = new pg.Client(PG)
        await other.connect()
        t.teardown(() => other.end())
        return async (sql, params = []) => (await other.query(dollars(sql), params)).rows
      },
    }
  } else {
    const { database: schema, connection } = await mysqlDatabase(t, 'collector')
    db = {
      dialect, schema, connection: { host: MY.host, port: MY.port, user: MY.user },
      query: async (sql, params = []) => (await connection.query(sql, params))[0] as Record<string, unknown>[],
      session: async () => {
        const other = await mysql.createConnection({ host: MY.host, port: MY.port, user: MY.user, database: schema })
        t.teardown(() => other.end())
        return async (sql, params = []) => (await other.query(sql, params))[0] as Record<string, unknown>[]
      },
    }
  }
  for (const statement of exchangeTableDdl(dialect, db.schema, TABLE)) await db.query(statement)
  return db
}

/** The hub's upsert, exactly as README.md shows it. */
async function hubWrite (db: Db, agency: string, caseNumber: string, seq: number, payload: unknown): Promise<void> {
  const name = qualifiedName(db.dialect, db.schema, TABLE)
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload)
  const fingerprint = `fp-${seq}-${text.length}`
  if (db.dialect === 'postgres') {
    await db.query(`INSERT INTO ${name} (agency_code, case_number, seq, fingerprint, payload, written_at, status, status_message, collected_at)
      VALUES (?, ?, ?, ?, ?, now(), 'pending', NULL, NULL)
      ON CONFLICT (agency_code, case_number) DO UPDATE SET seq = EXCLUDED.seq, fingerprint = EXCLUDED.fingerprint, payload = EXCLUDED.payload,
        written_at = EXCLUDED.written_at, status = 'pending', status_message = NULL, collected_at = NULL`, [agency, caseNumber, seq, fingerprint, text])
  } else {
    await db.query(`INSERT INTO ${name} (agency_code, case_number, seq, fingerprint, payload, written_at, status, status_message, collected_at)
      VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3), 'pending', NULL, NULL)
      ON DUPLICATE KEY UPDATE seq = VALUES(seq), fingerprint = VALUES(fingerprint), payload = VALUES(payload),
        written_at = VALUES(written_at), status = 'pending', status_message = NULL, collected_at = NULL`, [agency, caseNumber, seq, fingerprint, text])
  }
}

async function rowOf (db: Db, caseNumber: string, agency = AGENCY): Promise<Record<string, unknown> | undefined> {
  return (await db.query(`SELECT * FROM ${qualifiedName(db.dialect, db.schema, TABLE)} WHERE agency_code = ? AND case_number = ?`, [agency, caseNumber]))[0]
}

async function collectedOf (db: Db, caseNumber: string, agency = AGENCY): Promise<Record<string, unknown> | undefined> {
  return (await db.query(`SELECT * FROM ${qualifiedName(db.dialect, db.schema, collectedTableName(TABLE))} WHERE agency_code = ? AND case_number = ?`, [agency, caseNumber]))[0]
}

async function collector (t: Test, db: Db, extra: Partial<TableCollectorOptions> = {}): Promise<TableCollector> {
  // a long interval: the tests drive polls with collectOnce() unless they test the timer
  const c = await startTableCollector({ dialect: db.dialect, connection: db.connection, schema: db.schema, table: TABLE, intervalMs: 600_000, ...extra })
  t.teardown(() => c.close())
  return c
}

const record = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ AJBH: `沛市监罚〔2024〕${n}号`, AJMC: `案件${n}`, FKJE: 500000, ...extra })

for (const dialect of ['postgres', 'mariadb'] as const) {
  t.test(`${dialect}: pending rows are collected into ${TABLE}_platform and marked collected with collected_at`, async t => {
    const db = await database(t, dialect)
    await hubWrite(db, AGENCY, 'A-1', 1, record(1))
    await hubWrite(db, AGENCY, 'A-2', 2, record(2))
    await hubWrite(db, OTHER, 'A-1', 3, record(3))
    const c = await collector(t, db)
    t.equal(await c.collectOnce(), 3)
    for (const [agency, n] of [[AGENCY, 'A-1'], [AGENCY, 'A-2'], [OTHER, 'A-1']] as const) {
      const row = await rowOf(db, n, agency)
      t.equal(row?.status, 'collected', `${agency} ${n}`)
      t.equal(row?.status_message, null)
      t.ok(row?.collected_at !== null && row?.collected_at !== undefined, 'collected_at set')
    }
    const held = await collectedOf(db, 'A-2')
    t.equal(Number(held?.seq), 2)
    t.same(JSON.parse(String(held?.payload)), record(2), 'the payload as written')
    t.equal(await c.collectOnce(), 0, 'nothing pending any more')
    const stats = await c.stats()
    t.match(stats.totals, { stored: 3, applied: 3, unchanged: 0, reapplied: 0, rejected: 0, duplicatesSuppressed: 0, staleRejected: 0, polls: 2 })
    t.match(stats.agencies[AGENCY], { stored: 2, applied: 2 })
    t.match(stats.agencies[OTHER], { stored: 1, applied: 1 })
  })

  t.test(`${dialect}: a rewrite is collected again: same content unchanged, new content applied, an older version over a newer one reapplied`, async t => {
    const db = await database(t, dialect)
    const c = await collector(t, db)
    await hubWrite(db, AGENCY, 'B-1', 1, record(1))
    await c.collectOnce()
    await hubWrite(db, AGENCY, 'B-1', 2, Object.fromEntries(Object.entries(record(1)).reverse()))
    t.equal((await rowOf(db, 'B-1'))?.status, 'pending', 'the hub\'s upsert sets the row pending again')
    await c.collectOnce()
    t.match((await c.stats()).totals, { applied: 1, unchanged: 1 }, 'property order is no change')
    t.equal(Number((await collectedOf(db, 'B-1'))?.seq), 2, 'the held seq follows')
    await hubWrite(db, AGENCY, 'B-1', 3, record(1, { FKJE: 800000 }))
    await c.collectOnce()
    t.match((await c.stats()).totals, { applied: 2, reapplied: 0 })
    await hubWrite(db, AGENCY, 'B-1', 2, record(1))
    await c.collectOnce()
    t.match((await c.stats()).totals, { applied: 3, reapplied: 1, staleRejected: 0 }, 'an older seq overwrote a newer one: counted')
    const held = await collectedOf(db, 'B-1')
    t.equal(Number(held?.seq), 2)
    t.equal((JSON.parse(String(held?.payload)) as { FKJE: number }).FKJE, 500000, 'no fencing: the older version is what the platform holds')
    await hubWrite(db, AGENCY, 'B-1', 9, record(1, { FKJE: 800000 }))
    await c.collectOnce()
    t.match((await c.stats()).totals, { applied: 4, reapplied: 2 }, 'a content held before, written again, counts too')
  })

  t.test(`${dialect}: a row rewritten while the collector works on it stays pending, and its new version is collected next round`, async t => {
    const db = await database(t, dialect)
    const c = await collector(t, db)
    await hubWrite(db, AGENCY, 'F-1', 1, record(1))
    await c.collectOnce()
    await hubWrite(db, AGENCY, 'F-1', 2, record(1, { FKJE: 2 }))
    // Hold the platform's row: the collector reads F-1 (seq 2), then waits for this lock.
    const locker = await db.session()
    await locker(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION')
    await locker(`SELECT seq FROM ${qualifiedName(dialect, db.schema, collectedTableName(TABLE))} WHERE agency_code = ? AND case_number = ? FOR UPDATE`, [AGENCY, 'F-1'])
    const round = c.collectOnce()
    const waiting = async (): Promise<boolean> => dialect === 'postgres'
      ? Number((await db.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'", [`table-collector ${db.schema}.${TABLE}`]))[0]?.n) === 1
      : Number((await db.query('SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?', [`%${db.schema}%FOR UPDATE%`]))[0]?.n) === 1
    await waitFor('the collector to wait for the platform row', waiting, { timeoutMs: 10_000, intervalMs: 20 })
    await hubWrite(db, AGENCY, 'F-1', 3, record(1, { FKJE: 3 }))
    await locker('COMMIT')
    t.equal(await round, 1, 'the round read the row')
    const row = await rowOf(db, 'F-1')
    t.equal(row?.status, 'pending', 'not marked collected: it holds a version the collector did not take')
    t.equal(Number(row?.seq), 3)
    t.equal(Number((await collectedOf(db, 'F-1'))?.seq), 1, 'the platform kept what it had (the transaction rolled back)')
    t.match((await c.stats()).totals, { applied: 1, unchanged: 0 }, 'the abandoned version is not counted')
    t.equal(await c.collectOnce(), 1)
    t.equal((await rowOf(db, 'F-1'))?.status, 'collected')
    t.equal((JSON.parse(String((await collectedOf(db, 'F-1'))?.payload)) as { FKJE: number }).FKJE, 3, 'the new version is collected')
    t.match((await c.stats()).totals, { applied: 2 })
  })

  t.test(`${dialect}: a payload failing the rule, or not a JSON object, is rejected with a message naming the fields`, async t => {
    const db = await database(t, dialect)
    const c = await collector(t, db, { rejectRule: { requiredFields: ['AJBH', 'AJMC', 'LASJ'] } })
    await hubWrite(db, AGENCY, 'C-1', 1, record(1, { LASJ: '20240305093000' }))
    await hubWrite(db, AGENCY, 'C-2', 1, record(2, { AJMC: '' }))
    await hubWrite(db, AGENCY, 'C-3', 1, '{"AJBH": ')
    await hubWrite(db, AGENCY, 'C-4', 1, '[1, 2]')
    t.equal(await c.collectOnce(), 4)
    t.equal((await rowOf(db, 'C-1'))?.status, 'collected')
    const two = await rowOf(db, 'C-2')
    t.equal(two?.status, 'rejected')
    t.equal(two?.status_message, 'payload: required fields missing: AJMC, LASJ')
    t.ok(two?.collected_at !== null, 'collected_at set on a rejection too')
    t.match(await rowOf(db, 'C-3'), { status: 'rejected', status_message: /^payload is not JSON/ })
    t.match(await rowOf(db, 'C-4'), { status: 'rejected', status_message: /JSON object/ })
    t.equal(await collectedOf(db, 'C-2'), undefined, 'a rejected row is not collected')
    t.match((await c.stats()).totals, { stored: 1, applied: 1, rejected: 3 })
    await hubWrite(db, AGENCY, 'C-2', 2, record(2, { LASJ: '20240305093000' }))
    await c.collectOnce()
    t.match(await rowOf(db, 'C-2'), { status: 'collected', status_message: null }, 'a corrected rewrite is collected')
  })

  t.test(`${dialect}: the timer collects by itself; a pause and an outage stop it for a while, then it catches up`, async t => {
    const db = await database(t, dialect)
    const c = await collector(t, db, { intervalMs: 50, faults: { outages: [{ startAfterMs: 0, durationMs: 800 }] } })
    t.equal(c.state(), 'down', 'down from the start (options)')
    await hubWrite(db, AGENCY, 'D-1', 1, record(1))
    t.equal(await c.collectOnce(), 0, 'nothing collected while down')
    t.equal((await rowOf(db, 'D-1'))?.status, 'pending')
    await waitFor('the collector to come back and collect D-1', async () => (await rowOf(db, 'D-1'))?.status === 'collected', { timeoutMs: 10_000, intervalMs: 50 })
    t.equal(c.state(), 'collecting')
    c.pause(60_000)
    t.equal(c.state(), 'paused')
    await hubWrite(db, AGENCY, 'D-2', 1, record(2))
    t.equal(await c.collectOnce(), 0, 'nothing collected while paused')
    t.equal((await rowOf(db, 'D-2'))?.status, 'pending')
    const stats = await c.stats()
    t.ok(stats.totals.skippedPolls >= 2, `skipped polls counted (${stats.totals.skippedPolls})`)
    t.equal(c.lastError(), null)
    const short = await collector(t, db, { intervalMs: 50 })
    short.pause(300)
    await waitFor('a short pause to pass and D-2 to be collected', async () => (await rowOf(db, 'D-2'))?.status === 'collected', { timeoutMs: 10_000, intervalMs: 50 })
    t.match((await short.stats()).totals, { applied: 1 })
  })

  t.test(`${dialect}: an outage closes the collector's connection and it reconnects after`, async t => {
    const db = await database(t, dialect)
    const c = await collector(t, db)
    // PostgreSQL shows the collector's own session by its application_name; MariaDB has no such tag, so there the handle says
    const sessions = async (): Promise<number> => dialect === 'postgres'
      ? Number((await db.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ?', [`table-collector ${db.schema}.${TABLE}`]))[0]?.n)
      : (c.connected() ? 1 : 0)
    t.equal(await sessions(), 1, 'connected')
    c.outage(400)
    await c.collectOnce()
    t.equal(c.connected(), false, 'the first poll of the outage closes the connection')
    await waitFor('the collector session to end', async () => (await sessions()) === 0, { timeoutMs: 5000, intervalMs: 50 })
    await hubWrite(db, AGENCY, 'E-1', 1, record(1))
    await waitFor('the outage to end', () => c.state() === 'collecting', { timeoutMs: 5000, intervalMs: 20 })
    t.equal(await c.collectOnce(), 1, 'collects again after reconnecting')
    t.equal((await rowOf(db, 'E-1'))?.status, 'collected')
    t.equal(await sessions(), 1, 'connected again')
  })
}

t.test('bad options are refused naming them', async t => {
  const connection = { host: PG.host, port: PG.port, user: PG.user, database: PG.database }
  const base = { dialect: 'postgres' as const, connection, schema: 'public', table: 'x' }
  await t.rejects(startTableCollector({ ...base, dialect: 'oracle' as Dialect }), /dialect must be one of postgres, mariadb/)
  await t.rejects(startTableCollector({ ...base, table: 'x; DROP TABLE y' }), /not a plain SQL identifier/)
  await t.rejects(startTableCollector({ ...base, intervalMs: 1 }), /intervalMs/)
  await t.rejects(startTableCollector({ ...base, rejectRule: { requiredFields: [''] } }), /rejectRule/)
  t.throws(() => exchangeTableDdl('postgres', 'a"b', 't'), /not a plain SQL identifier/)
})
