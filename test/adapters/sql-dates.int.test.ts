/**
 * Dates as the real servers write them (issue 13): PostgreSQL timestamp(6) and timestamptz,
 * MariaDB DATETIME(6) and a TIMESTAMP written by a +08:00 session, read by the SQL sources
 * and mapped with `date: timestamp` to the exact /sourceUpdatedAt — every microsecond, the
 * right instant, whatever the server's own time zone (UTC on this machine).
 */
import t from 'tap'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import type { RawRecord, SourceAdapter } from '../../src/contracts/source-adapter.js'
import { sqlPostgresSource } from '../../adapters/sql-postgres.js'
import { sqlMysqlSource } from '../../adapters/sql-mysql.js'
import { MY, PG, mysqlDatabase, postgresSchema } from '../helpers/sql.js'
import { cursorContext, pullOnce } from '../helpers/cursor-kit.js'

const mapping = (column: string) => compileMapping(`version: "1"\nagency: dates\ncaseNumberField: id\nfields:\n  /sourceUpdatedAt: { from: ${column}, date: timestamp }\n`, '/virtual/dates.yaml')

async function rowsOf (source: SourceAdapter): Promise<RawRecord[]> {
  const rows: RawRecord[] = []
  for await (const page of source.pull(null, new AbortController().signal)) rows.push(...page.records)
  await source.close()
  return rows
}

const mapped = (column: string, row: RawRecord | undefined): unknown => {
  const outcome = mapping(column).map(row ?? {})
  return outcome.kind === 'mapped' ? outcome.value.sourceUpdatedAt : outcome
}

t.test('PostgreSQL timestamp(6) and timestamptz map to the exact sourceUpdatedAt', async t => {
  const { schema, client } = await postgresSchema(t, 'dates')
  await client.query(`CREATE TABLE ${schema}.cases (id text PRIMARY KEY, ts6 timestamp(6) NOT NULL, tstz timestamptz(6) NOT NULL)`)
  // The writer's session is in UTC (this server's default): the timestamptz literal carries its offset, or is UTC.
  await client.query(`INSERT INTO ${schema}.cases VALUES ('a', '2024-03-01 09:30:00.123456', '2024-03-01 09:30:00.123456+08'), ('b', '2024-03-01 09:30:00', '2024-03-01 01:30:00.5'), ('c', '2024-12-31 23:59:59.999999', '2024-12-31 23:59:59.000001-05')`)
  const read = async (timeZone: string): Promise<Map<string, RawRecord>> => {
    const config = adapterConfigOf(sqlPostgresSource, { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, updatedAtColumn: 'ts6', idColumn: 'id', timeZone })
    return new Map((await rowsOf(sqlPostgresSource.create(config, cursorContext('dates-pg')))).map(r => [String(r.id), r]))
  }
  const rows = await read('+08:00')
  t.equal(rows.get('a')?.tstz, '2024-03-01 09:30:00.123456+08', 'timestamptz is written by the server in the session time zone (timeZone +08:00)')
  t.equal(mapped('ts6', rows.get('a')), '2024-03-01T09:30:00.123456+08:00', 'timestamp(6): as stored, the mapping\'s timezone as its offset')
  t.equal(mapped('ts6', rows.get('b')), '2024-03-01T09:30:00+08:00', 'timestamp without a fraction')
  t.equal(mapped('tstz', rows.get('a')), '2024-03-01T09:30:00.123456+08:00', 'timestamptz written +08')
  t.equal(mapped('tstz', rows.get('b')), '2024-03-01T09:30:00.500+08:00', 'timestamptz written by a UTC session: the same instant')
  t.equal(mapped('tstz', rows.get('c')), '2025-01-01T12:59:59.000001+08:00', 'timestamptz written -05, across the year')
  t.equal(mapped('ts6', rows.get('c')), '2024-12-31T23:59:59.999999+08:00', 'no rounding at the end of a second')
  const utc = await read('+00:00')
  t.equal(utc.get('a')?.tstz, '2024-03-01 01:30:00.123456+00', 'a session at +00:00 writes the same instant differently')
  t.equal(mapped('tstz', utc.get('a')), '2024-03-01T09:30:00.123456+08:00', '— and it maps to the same sourceUpdatedAt')
})

t.test('MariaDB DATETIME(6) and a TIMESTAMP written by a +08:00 session map to the exact sourceUpdatedAt', async t => {
  const { database, connection } = await mysqlDatabase(t, 'dates')
  await connection.query('CREATE TABLE cases (id varchar(10) PRIMARY KEY, dt6 datetime(6) NOT NULL, ts6 timestamp(6) NOT NULL)')
  // The agency application's session runs at +08:00; the server's own zone is UTC.
  await connection.query("SET time_zone = '+08:00'")
  await connection.query("INSERT INTO cases VALUES ('a', '2024-03-01 09:30:00.123456', '2024-03-01 15:00:00.123456'), ('b', '2024-03-01 09:30:00.000000', '2024-03-01 15:00:00.000000')")
  await connection.query("SET time_zone = '+00:00'")
  const [plain] = await connection.query("SELECT ts6 FROM cases WHERE id = 'a'")
  t.equal((plain as { ts6: string }[])[0]?.ts6, '2024-03-01 07:00:00.123456', 'a session in the server\'s zone reads the TIMESTAMP as 07:00: that is why the source sets its own')
  const config = adapterConfigOf(sqlMysqlSource, { kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: 'cases', updatedAtColumn: 'dt6', idColumn: 'id' })
  const rows = new Map((await rowsOf(sqlMysqlSource.create(config, cursorContext('dates-mysql')))).map(r => [String(r.id), r]))
  t.equal(rows.get('a')?.ts6, '2024-03-01 15:00:00.123456', 'the source\'s session (timeZone +08:00) reads it as written')
  t.equal(mapped('ts6', rows.get('a')), '2024-03-01T15:00:00.123456+08:00', 'TIMESTAMP(6): exact')
  t.equal(mapped('dt6', rows.get('a')), '2024-03-01T09:30:00.123456+08:00', 'DATETIME(6): exact')
  t.equal(mapped('dt6', rows.get('b')), '2024-03-01T09:30:00+08:00', 'six zeros are no fraction')
})

t.test('the cursor of a timestamptz column compares instants: a session offset other than the writers\' loses nothing', async t => {
  const { schema, client } = await postgresSchema(t, 'datescursor')
  await client.query(`CREATE TABLE ${schema}.cases (id text PRIMARY KEY, tstz timestamptz(6) NOT NULL)`)
  await client.query(`INSERT INTO ${schema}.cases VALUES ('a', '2024-03-01 09:30:00.123456+08'), ('b', '2024-03-01 09:30:00.123456+08')`)
  const config = adapterConfigOf(sqlPostgresSource, { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, updatedAtColumn: 'tstz', idColumn: 'id', timeZone: '-05:00', pageSize: 1 })
  const source = sqlPostgresSource.create(config, cursorContext('dates-cursor'))
  const first = await pullOnce(source, null, r => String(r.id))
  await client.query(`INSERT INTO ${schema}.cases VALUES ('0', '2024-03-01 01:30:00.123456Z')`)
  const second = await pullOnce(source, first.cursor, r => String(r.id))
  await source.close()
  t.same(first.ids, ['a', 'b'])
  t.match(first.cursor, /"since":"2024-02-29 20:30:00.123456-05"/, 'the cursor is written as the session writes the column')
  t.ok(second.ids.includes('0'), 'a row at the same instant written in UTC, with a smaller id, is pulled')
})
