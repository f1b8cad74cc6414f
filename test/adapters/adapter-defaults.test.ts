/**
 * An adapter's create() checks its section against the adapter schema and fills in the
 * schema's defaults — the only place defaults live — also for a section built by hand.
 */
import t from 'tap'
import { sqlMysqlSource } from '../../adapters/sql-mysql.js'
import { sqlPostgresSource } from '../../adapters/sql-postgres.js'
import { httpBatchTarget } from '../../adapters/http-batch-target.js'
import { sftpTarget } from '../../adapters/sftp-target.js'
import { ConfigError } from '../../src/errors.js'
import { silentLogger } from '../../src/logging/logger.js'

const sql = { database: 'db', user: 'u', relation: 'cases', updatedAtColumn: 'gxsj', idColumn: 'ajbh' }

t.test('the SQL port defaults by kind: 5432 for sql-postgres, 3306 for sql-mysql; a given port is kept', async t => {
  t.equal(sqlPostgresSource.checkConfig({ kind: 'sql-postgres', ...sql }).port, 5432)
  t.equal(sqlMysqlSource.checkConfig({ kind: 'sql-mysql', ...sql }).port, 3306)
  t.equal(sqlMysqlSource.checkConfig({ kind: 'sql-mysql', ...sql, port: 3307 }).port, 3307)
  t.equal(sqlPostgresSource.checkConfig({ kind: 'sql-postgres', ...sql }).host, '127.0.0.1')
})

t.test('a hand-built section gets the schema defaults, nested ones included, and is not changed itself', async t => {
  const section = { kind: 'http-batch', baseUrl: 'http://127.0.0.1:1', token: 'resolved-token' }
  const config = httpBatchTarget.checkConfig(section)
  t.same({ path: config.path, listPath: config.listPath, listPageSize: config.listPageSize, digests: config.digests, timeoutMs: config.timeoutMs, connections: config.connections },
    { path: '/api/v1/cases/batch', listPath: '/api/v1/cases', listPageSize: 1000, digests: true, timeoutMs: 15000, connections: 8 })
  t.same(Object.keys(section), ['kind', 'baseUrl', 'token'], 'the caller\'s object is left as it was')
  const sftp = sftpTarget.checkConfig({ kind: 'sftp', host: 'h', username: 'u', password: 'p', hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`, directory: '/inbox' })
  t.same({ port: sftp.port, format: sftp.format, timeoutMs: sftp.timeoutMs, ack: sftp.acknowledgement }, { port: 22, format: 'ndjson', timeoutMs: 15000, ack: { mode: 'rename', waitMs: 10000, pollMs: 500 } })
})

t.test('a section the schema refuses is a ConfigError naming the adapter, the agency or target, and each problem', async t => {
  const make = (): unknown => httpBatchTarget.create({ kind: 'http-batch', baseUrl: 'ftp://x', token: 't', connections: 0 }, { logger: silentLogger(), name: 'platform', input: () => ({ encoding: 'utf-8' }) })
  t.throws(make, ConfigError)
  t.throws(make, { message: /^Invalid http-batch config for platform:\n {2}baseUrl: [^\n]+\n {2}connections: must be >= 1/ })
})
