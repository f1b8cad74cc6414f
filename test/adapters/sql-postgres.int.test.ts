import t from 'tap'
import { sqlPostgresSource, postgresPool } from '../../adapters/sql-postgres.js'
import { RemoteRefusedError } from '../../src/errors.js'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { PG, postgresSchema } from '../helpers/sql.js'
import { HOSTILE, HOSTILE_IDS, PAGE, ROWS, SHARED, context, hostileKeyChecks, keysetChecks, sharesTimestamp } from './sql-keyset-checks.js'

t.test('sql-postgres source', async t => {
  const { schema, client } = await postgresSchema(t, 'pgsrc')
  await client.query(`CREATE TABLE ${schema}.cases (id bigserial PRIMARY KEY, updated_at timestamptz(6), ay text NOT NULL)`)
  // Row i: shared timestamp when sharesTimestamp(i), otherwise its own, spread before and after it.
  await client.query(`INSERT INTO ${schema}.cases (updated_at, ay)
    SELECT CASE WHEN i % 10 < 3 THEN timestamptz '2024-03-01 09:30:00.123456+08' ELSE timestamptz '2024-03-01 09:30:00+08' + (i - 5000) * interval '1.000001 second' END, 'case ' || i
    FROM generate_series(1, $1::int) AS i`, [ROWS])
  await client.query(`UPDATE ${schema}.cases SET ay = $1 WHERE id = 4321`, [HOSTILE])
  await client.query(`INSERT INTO ${schema}.cases (updated_at, ay) VALUES (NULL, 'no timestamp')`)
  const shared = Array.from({ length: ROWS }, (_, k) => k + 1).filter(sharesTimestamp).length
  t.equal(shared, SHARED, `${SHARED} rows share one updated_at`)

  const config = (overrides: Record<string, unknown> = {}) => ({ kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, updatedAtColumn: 'updated_at', idColumn: 'id', pageSize: PAGE, ...overrides })
  const create = (overrides: Record<string, unknown> = {}) => {
    const slow = overrides.statementTimeoutMs !== undefined ? { relation: undefined, query: `SELECT c.*, pg_sleep(2) AS slept FROM ${schema}.cases c` } : {}
    const merged: Record<string, unknown> = { ...config(overrides), ...slow }
    if (merged.relation === undefined) delete merged.relation
    return sqlPostgresSource.create(adapterConfigOf(sqlPostgresSource, merged), context())
  }
  await keysetChecks(t, 'sql-postgres', create, async () => (await client.query('SELECT to_regclass($1) AS r', [`${schema}.cases`])).rows[0]?.r !== null)

  await client.query(`CREATE TABLE ${schema}.x (n int)`)
  await client.query(`CREATE TABLE ${schema}.hostile_keys (id text COLLATE "C" PRIMARY KEY, updated_at timestamptz(6) NOT NULL, ay text NOT NULL)`)
  for (const id of HOSTILE_IDS) await client.query(`INSERT INTO ${schema}.hostile_keys VALUES ($1, timestamptz '2024-03-01 09:30:00+08', 'hostile id')`, [id])
  await hostileKeyChecks(t, 'sql-postgres', () => sqlPostgresSource.create(adapterConfigOf(sqlPostgresSource, config({ relation: `${schema}.hostile_keys`, pageSize: 1 })), context()),
    async () => (await client.query('SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok', [`${schema}.x`, `${schema}.hostile_keys`])).rows[0]?.ok === true)

  await t.test('sql-postgres: the session is read-only — a write through the source\'s pool is refused', async t => {
    const pool = postgresPool(adapterConfigOf(sqlPostgresSource, config()))
    t.teardown(async () => await pool.end())
    const err = await pool.query(`INSERT INTO ${schema}.cases (updated_at, ay) VALUES (now(), 'write')`).then(() => undefined, (e: unknown) => e)
    t.equal((err as { code?: string }).code, '25006', 'read_only_sql_transaction')
    const count = await client.query(`SELECT count(*)::int AS n FROM ${schema}.cases`)
    t.equal(count.rows[0]?.n, ROWS + 1, 'nothing was written')
  })

  await t.test('sql-postgres: an unknown column is a configuration error, not a retry', async t => {
    const source = create({ updatedAtColumn: 'no_such_column' })
    const err = await (async () => { for await (const _ of source.pull(null, new AbortController().signal)) { /* drain */ } })().then(() => undefined, (e: unknown) => e)
    await source.close()
    t.ok(err instanceof RemoteRefusedError, `a RemoteRefusedError (${String(err)})`)
    t.match((err as Error).message, /agency sql-agency: postgresql:\/\//, 'names the agency and the database')
  })
})
