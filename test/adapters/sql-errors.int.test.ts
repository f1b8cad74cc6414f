/**
 * One SQL error classifier for both SQL sources (adapters/sql-errors.ts), from the error's
 * SQLSTATE class, against the real servers: what only configuration or grants can fix is
 * "refused" (RemoteRefusedError), what may pass is "not answering" (RemoteUnavailableError)
 * — the words the agency_unreachable alarm uses (src/errors.ts remoteFailureOf).
 */
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { RemoteRefusedError, RemoteUnavailableError, remoteFailureOf } from '../../src/errors.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import { sqlPostgresSource } from '../../adapters/sql-postgres.js'
import { sqlMysqlSource } from '../../adapters/sql-mysql.js'
import { CLOSED_PORT, MY, PG, mysqlDatabase, postgresSchema } from '../helpers/sql.js'
import { cursorContext, pullOnce } from '../helpers/cursor-kit.js'

async function failureOf (source: SourceAdapter): Promise<unknown> {
  const err = await pullOnce(source, null, r => String(r.id)).then(() => undefined, (e: unknown) => e)
  await source.close()
  return err
}

type Case = readonly [what: string, over: Record<string, unknown>, cls: typeof RemoteRefusedError | typeof RemoteUnavailableError, code: RegExp]

/** Each case's pull fails with its class and code, and the alarm words it accordingly. */
async function expectClasses (t: Test, source: (over: Record<string, unknown>) => SourceAdapter, cases: readonly Case[]): Promise<void> {
  for (const [what, over, cls, code] of cases) {
    const err = await failureOf(source(over))
    t.ok(err instanceof cls, `${what}: ${cls.name} (${String(err)})`)
    t.match(String(err), code)
    t.equal(remoteFailureOf(err), cls === RemoteRefusedError ? 'refused' : 'not_answering', `${what}: the alarm says ${remoteFailureOf(err)}`)
  }
}

t.test('PostgreSQL: an unknown login and a missing grant are refused, a closed port is not answering', async t => {
  const { schema, client } = await postgresSchema(t, 'sqlerrors')
  await client.query(`CREATE TABLE ${schema}.cases (id int PRIMARY KEY, updated_at timestamp NOT NULL)`)
  const role = `cbt_noread_${randomBytes(3).toString('hex')}`
  await client.query(`CREATE ROLE ${role} LOGIN`)
  t.teardown(async () => { await client.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined) })
  const source = (over: Record<string, unknown>): SourceAdapter => sqlPostgresSource.create(adapterConfigOf(sqlPostgresSource, { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.cases`, updatedAtColumn: 'updated_at', idColumn: 'id', connectTimeoutMs: 2000, ...over }), cursorContext('errors-pg'))
  await expectClasses(t, source, [
    ['a login that does not exist (authentication)', { user: 'cbt_no_such_login' }, RemoteRefusedError, /28000/],
    ['a login without SELECT on the table (permission denied)', { user: role }, RemoteRefusedError, /42501/],
    ['a closed port (connection refused)', { port: CLOSED_PORT }, RemoteUnavailableError, /ECONNREFUSED/],
  ])
})

t.test('MariaDB: an unknown login and a missing grant are refused, a closed port is not answering', async t => {
  const { database, connection } = await mysqlDatabase(t, 'sqlerrors')
  await connection.query('CREATE TABLE cases (id int PRIMARY KEY, updated_at datetime NOT NULL)')
  const user = `cbt_noread_${randomBytes(3).toString('hex')}`
  await connection.query(`CREATE USER ${mysql.escape(user)}@'%'`)
  t.teardown(async () => { await connection.query(`DROP USER IF EXISTS ${mysql.escape(user)}@'%'`).catch(() => undefined) })
  const source = (over: Record<string, unknown>): SourceAdapter => sqlMysqlSource.create(adapterConfigOf(sqlMysqlSource, { kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: 'cases', updatedAtColumn: 'updated_at', idColumn: 'id', connectTimeoutMs: 2000, ...over }), cursorContext('errors-mysql'))
  await expectClasses(t, source, [
    ['a login that does not exist (authentication)', { user: 'cbt_no_such_login' }, RemoteRefusedError, /ER_ACCESS_DENIED_ERROR/],
    ['a login without grants on the database (permission denied)', { user }, RemoteRefusedError, /ER_DBACCESS_DENIED_ERROR/],
    ['a closed port (connection refused)', { port: CLOSED_PORT }, RemoteUnavailableError, /ECONNREFUSED/],
  ])
})
