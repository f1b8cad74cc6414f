/**
 * Issue 13 against the machine's real PostgreSQL and MariaDB, as an agency's DBA sets the
 * table up (`gxsj` a local Beijing time without zone at second precision, case numbers as
 * ids): the look-back cursor pulls (a) a row added after a pull with the cursor's exact
 * timestamp and a smaller id, and (b) a row whose transaction stayed open across several
 * pulls while later rows moved on, committing a timestamp behind them. The live writers of
 * (c) are in test/e2e/live-cursor.int.test.ts. Defaults throughout (overlap 120 s, settle 5 s).
 */
import t, { type Test } from 'tap'
import pg from 'pg'
import mysql from 'mysql2/promise'
import { adapterConfigOf } from '../../src/config/load-config.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import { sqlPostgresSource } from '../../adapters/sql-postgres.js'
import { sqlMysqlSource } from '../../adapters/sql-mysql.js'
import { MY, PG, mysqlDatabase, postgresSchema } from '../helpers/sql.js'
import { beijing, cursorContext, pause, pullOnce } from '../helpers/cursor-kit.js'

const id = (n: number): string => `沛城管罚〔2024〕${String(n).padStart(5, '0')}号`
const idOf = (r: Record<string, unknown>): string => String(r.ajbh)

interface Db {
  readonly kind: string
  /** An adapter reading the table, as a restarted hub would make it. */
  source (): SourceAdapter
  /** Insert and commit rows (id, gxsj). */
  insert (rows: readonly [string, string][]): Promise<void>
  /** Insert a row in a transaction of its own connection and leave it open; `commit` ends it. */
  openTransaction (row: [string, string]): Promise<{ commit: () => Promise<void> }>
}

async function postgres (t: Test): Promise<Db> {
  const { schema, client } = await postgresSchema(t, 'cursorwin')
  const table = `${pg.escapeIdentifier(schema)}.cases`
  await client.query(`CREATE TABLE ${table} (ajbh text COLLATE "C" PRIMARY KEY, gxsj timestamp(0) NOT NULL, ay text NOT NULL)`)
  const config = adapterConfigOf(sqlPostgresSource, { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, updatedAtColumn: 'gxsj', idColumn: 'ajbh', pageSize: 2 })
  return {
    kind: 'sql-postgres',
    source: () => sqlPostgresSource.create(config, cursorContext('cursor-pg')),
    insert: async rows => { for (const [k, at] of rows) await client.query(`INSERT INTO ${table} VALUES ($1, $2, '占道经营')`, [k, at]) },
    openTransaction: async ([k, at]) => {
      const writer = new pg.Client(PG)
      await writer.connect()
      await writer.query('BEGIN')
      await writer.query(`INSERT INTO ${table} VALUES ($1, $2, '占道经营')`, [k, at])
      return { commit: async () => { await writer.query('COMMIT'); await writer.end() } }
    },
  }
}

async function mariadb (t: Test): Promise<Db> {
  const { database, connection } = await mysqlDatabase(t, 'cursorwin')
  await connection.query('CREATE TABLE cases (ajbh varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, gxsj datetime NOT NULL, ay varchar(40) NOT NULL) ENGINE=InnoDB CHARACTER SET utf8mb4')
  const config = adapterConfigOf(sqlMysqlSource, { kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: 'cases', updatedAtColumn: 'gxsj', idColumn: 'ajbh', pageSize: 2 })
  return {
    kind: 'sql-mysql',
    source: () => sqlMysqlSource.create(config, cursorContext('cursor-mysql')),
    insert: async rows => { for (const [k, at] of rows) await connection.execute("INSERT INTO cases VALUES (?, ?, '占道经营')", [k, at]) },
    openTransaction: async ([k, at]) => {
      const writer = await mysql.createConnection({ host: MY.host, port: MY.port, user: MY.user, database, charset: 'utf8mb4' })
      await writer.query('START TRANSACTION')
      await writer.execute("INSERT INTO cases VALUES (?, ?, '占道经营')", [k, at])
      return { commit: async () => { await writer.query('COMMIT'); await writer.end() } }
    },
  }
}

for (const open of [postgres, mariadb]) {
  t.test(`${open.name}: the look-back cursor`, async t => {
    const db = await open(t)

    for (const regime of ['long ago', 'just now'] as const) {
      await t.test(`${db.kind}: a row added after a pull with the cursor's exact timestamp (${regime}) and a smaller id is pulled by the next pull`, async t => {
        const base = regime === 'long ago' ? 100 : 200
        const at = regime === 'long ago' ? '2024-03-01 09:30:00' : beijing(Date.now())
        await db.insert([[id(base + 2), at], [id(base + 3), at], [id(base + 4), at]])
        const first = db.source()
        const before = await pullOnce(first, null, idOf)
        await first.close()
        t.ok([2, 3, 4].every(n => before.ids.includes(id(base + n))), 'the first pull read the three rows of that second (pages of 2 ended mid-second)')
        await db.insert([[id(base + 1), at]])
        const second = db.source()
        const after = await pullOnce(second, before.cursor, idOf)
        await second.close()
        t.ok(after.ids.includes(id(base + 1)), `${id(base + 1)} (same second, smaller id) is pulled by the next pull`)
      })
    }

    await t.test(`${db.kind}: a transaction held open across several pulls, committing a timestamp behind the rows pulled meanwhile, is pulled`, async t => {
      const late = id(300)
      const stampedAt = beijing(Date.now())
      const held = await db.openTransaction([late, stampedAt])
      let cursor = (await (async () => { const s = db.source(); try { return await pullOnce(s, null, idOf) } finally { await s.close() } })()).cursor
      const pulledMeanwhile: string[] = []
      // Held for about three seconds (the default window is 125): six pulls, while later rows commit.
      for (let i = 1; i <= 6; i++) {
        await db.insert([[id(300 + i), beijing(Date.now() + 1000)]])
        const source = db.source()
        const pulled = await pullOnce(source, cursor, idOf)
        await source.close()
        cursor = pulled.cursor
        pulledMeanwhile.push(...pulled.ids)
        await pause(500)
      }
      t.notOk(pulledMeanwhile.includes(late), 'not visible while its transaction is open')
      t.ok(pulledMeanwhile.includes(id(306)), `rows stamped after it (${id(306)}) were pulled meanwhile: the cursor passed its timestamp ${stampedAt}`)
      await held.commit()
      const source = db.source()
      const after = await pullOnce(source, cursor, idOf)
      await source.close()
      t.ok(after.ids.includes(late), `${late} is pulled by the first pull after it committed`)
    })

    await t.test(`${db.kind}: a pull whose pages hold only rows read before moves page by page and ends, storing the guard`, async t => {
      const now = beijing(Date.now())
      await db.insert([[id(401), now], [id(402), now], [id(403), now], [id(404), now]])
      const first = db.source()
      const cursor = (await pullOnce(first, null, idOf)).cursor
      await first.close()
      const again = db.source()
      const pages: { records: number; cursor: string | null }[] = []
      for await (const page of again.pull(cursor, new AbortController().signal)) pages.push({ records: page.records.length, cursor: page.cursor })
      await again.close()
      t.ok(pages.length >= 3 && pages.slice(0, -1).every(p => p.records === 2), `full pages of rows read before (${pages.map(p => p.records).join(', ')}), each moving on`)
      t.ok((pages.at(-1)?.records ?? 2) < 2, 'the pull ends with a page short of full (an empty one after an exactly full page)')
      t.ok(pages.reduce((n, p) => n + p.records, 0) >= 4, 'every row of the window was read again')
      t.match(pages.at(-1)?.cursor, /^\{"since":"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"\}$/, 'the cursor is the guard, written as the column is')
    })

    await t.test(`${db.kind}: a row stamped 9999-12-31 (a sentinel, or a writer far ahead) does not carry the cursor past the rows written after it`, async t => {
      await db.insert([[id(500), '9999-12-31 23:59:59']])
      const first = db.source()
      const before = await pullOnce(first, null, idOf)
      await first.close()
      t.ok(before.ids.includes(id(500)))
      t.notMatch(before.cursor, /9999/, 'the cursor stays behind the database clock')
      await db.insert([[id(501), beijing(Date.now())]])
      const second = db.source()
      const after = await pullOnce(second, before.cursor, idOf)
      await second.close()
      t.ok(after.ids.includes(id(501)), `${id(501)}, written now, is pulled`)
    })
  })
}
