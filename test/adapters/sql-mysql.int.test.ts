import t from 'tap'
import { sqlMysqlSource, mysqlPool } from '../../adapters/sql-mysql.js'
import { RemoteRefusedError } from '../../src/errors.js'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { MY, mysqlDatabase } from '../helpers/sql.js'
import { HOSTILE, HOSTILE_IDS, PAGE, ROWS, SHARED, context, hostileKeyChecks, keysetChecks, sharesTimestamp } from './sql-keyset-checks.js'

t.test('sql-mysql source (MariaDB)', async t => {
  const { database, connection } = await mysqlDatabase(t, 'mysrc')
  await connection.query('CREATE TABLE cases (id bigint AUTO_INCREMENT PRIMARY KEY, updated_at datetime(6) NULL, ay varchar(200) NOT NULL) CHARACTER SET utf8mb4')
  const base = Date.parse('2024-03-01T09:30:00Z')
  const text = (ms: number, micros: number): string => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${String(micros).padStart(6, '0')}`
  for (let start = 1; start <= ROWS; start += 1000) {
    const rows = Array.from({ length: 1000 }, (_, k) => {
      const i = start + k
      return [sharesTimestamp(i) ? text(base, 123456) : text(base + (i - 5000) * 1000, i % 1_000_000), i === 4321 ? HOSTILE : `case ${i}`]
    })
    await connection.query('INSERT INTO cases (updated_at, ay) VALUES ?', [rows])
  }
  await connection.query("INSERT INTO cases (updated_at, ay) VALUES (NULL, 'no timestamp')")
  t.equal(Array.from({ length: ROWS }, (_, k) => k + 1).filter(sharesTimestamp).length, SHARED, `${SHARED} rows share one updated_at`)

  const config = (overrides: Record<string, unknown> = {}) => ({ kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: 'cases', updatedAtColumn: 'updated_at', idColumn: 'id', pageSize: PAGE, ...overrides })
  const create = (overrides: Record<string, unknown> = {}) => {
    const merged: Record<string, unknown> = { ...config(overrides) }
    if (overrides.statementTimeoutMs !== undefined) {
      delete merged.relation
      merged.query = 'SELECT c.*, SLEEP(2) AS slept FROM cases c'
    }
    return sqlMysqlSource.create(adapterConfigOf(sqlMysqlSource, merged), context())
  }
  await keysetChecks(t, 'sql-mysql', create, async () => {
    const [rows] = await connection.query('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [database, 'cases'])
    return Number((rows as { n: number }[])[0]?.n) === 1
  })

  await connection.query('CREATE TABLE x (n int)')
  await connection.query('CREATE TABLE hostile_keys (id varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, updated_at datetime(6) NOT NULL, ay varchar(20) NOT NULL)')
  for (const id of HOSTILE_IDS) await connection.query("INSERT INTO hostile_keys VALUES (?, '2024-03-01 09:30:00.000000', 'hostile id')", [id])
  await hostileKeyChecks(t, 'sql-mysql', () => sqlMysqlSource.create(adapterConfigOf(sqlMysqlSource, config({ relation: 'hostile_keys', pageSize: 1 })), context()), async () => {
    const [rows] = await connection.query('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?, ?)', [database, 'x', 'hostile_keys'])
    return Number((rows as { n: number }[])[0]?.n) === 2
  })

  await t.test('sql-mysql: the session is read-only — a write through the source\'s pool is refused', async t => {
    const pool = mysqlPool(adapterConfigOf(sqlMysqlSource, config()))
    t.teardown(async () => await pool.end())
    const err = await pool.query("INSERT INTO cases (updated_at, ay) VALUES (NOW(), 'write')").then(() => undefined, (e: unknown) => e)
    t.equal((err as { code?: string }).code, 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION')
    const [rows] = await connection.query('SELECT count(*) AS n FROM cases')
    t.equal(Number((rows as { n: number }[])[0]?.n), ROWS + 1, 'nothing was written')
  })

  await t.test('sql-mysql: an unknown column is a configuration error, not a retry', async t => {
    const source = create({ updatedAtColumn: 'no_such_column' })
    const err = await (async () => { for await (const _ of source.pull(null, new AbortController().signal)) { /* drain */ } })().then(() => undefined, (e: unknown) => e)
    await source.close()
    t.ok(err instanceof RemoteRefusedError, `a RemoteRefusedError (${String(err)})`)
    t.match((err as Error).message, /agency sql-agency: mysql:\/\//)
  })
})
