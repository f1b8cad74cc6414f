/**
 * A `query:` is checked before use (issue 13): check-config refuses a trailing ";", a "--"
 * comment that would swallow the subquery wrapper, and several statements, each with its
 * reason and agency; a query the server rejects (an unknown column) is found by running it
 * once with LIMIT 0 in the read-only session. The statements of finding 8 ("…) AS a; COMMIT;
 * BEGIN READ WRITE; INSERT …") write nothing — refused by the text check, and even sent past
 * it, refused by the server as more than one statement in a prepared statement. Real
 * PostgreSQL and MariaDB; canary tables prove nothing was written.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { RemoteRefusedError } from '../../src/errors.js'
import { projectRoot } from '../../src/paths.js'
import { extendedQuery, postgresPool, sqlPostgresSource } from '../../adapters/sql-postgres.js'
import { mysqlPool, sqlMysqlSource } from '../../adapters/sql-mysql.js'
import { CLOSED_PORT, MY, PG, mysqlDatabase, postgresSchema } from '../helpers/sql.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { runCli } from '../helpers/run-cli.js'
import { cursorContext, pullOnce } from '../helpers/cursor-kit.js'

t.test('check-config checks each SQL query before use, and no configured text runs a second statement', async t => {
  const { schema, client } = await postgresSchema(t, 'querycheck')
  const { database, connection } = await mysqlDatabase(t, 'querycheck')
  const s = pg.escapeIdentifier(schema)
  await client.query(`CREATE TABLE ${s}.cases (id int PRIMARY KEY, updated_at timestamp NOT NULL, ay text)`)
  await client.query(`CREATE TABLE ${s}.x (n int)`)
  await client.query(`INSERT INTO ${s}.cases VALUES (1, '2024-03-01 09:30:00', 'a')`)
  await connection.query('CREATE TABLE cases (id int PRIMARY KEY, updated_at datetime NOT NULL, ay varchar(10))')
  await connection.query('CREATE TABLE x (n int)')
  await connection.query("INSERT INTO cases VALUES (1, '2024-03-01 09:30:00', 'a')")
  const canaries = async (): Promise<number[]> => {
    const inPg = (await client.query(`SELECT count(*)::int AS n FROM ${s}.x`)).rows[0]?.n as number
    const [rows] = await connection.query('SELECT count(*) AS n FROM x')
    return [inPg, Number((rows as { n: number }[])[0]?.n)]
  }
  const finding8 = (table: string, canary: string): string => `SELECT * FROM ${table}) AS a; COMMIT; BEGIN READ WRITE; INSERT INTO ${canary} VALUES (1); SELECT * FROM (SELECT * FROM ${table}`

  const files = tempDir(t)
  const urban = readFileSync(join(projectRoot, 'fixtures/exports/urban-management-gbk-csv/mapping.yaml'), 'utf8')
  const keyset = { updatedAtColumn: 'updated_at', idColumn: 'id' }
  const pgSource = (query: string, port = PG.port): Record<string, unknown> => ({ kind: 'sql-postgres', host: PG.host, port, database: PG.database, user: PG.user, query, ...keyset })
  const mySource = (query: string): Record<string, unknown> => ({ kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, query, ...keyset })
  const configWith = (name: string, sources: Record<string, Record<string, unknown>>): string => files.write(`${name}.yaml`, JSON.stringify({
    redis: { url: { env: 'TEST_REDIS_URL' }, keyPrefix: 'cbt-querycheck', requirePersistence: false },
    targets: { platform: { kind: 'http-batch', baseUrl: 'http://127.0.0.1:1', token: { env: 'QUERYCHECK_TOKEN' } } },
    agencies: Object.entries(sources).map(([id, source]) => ({ id, mapping: files.write(`${id}.yaml`, urban.replace(/^agency: .*$/m, `agency: ${id}`)), target: 'platform', source })),
  }))
  const env = { TEST_REDIS_URL, QUERYCHECK_TOKEN: 'x', CASEBRIDGE_LOCALE: 'en' }

  await t.test('a trailing ";", a swallowing comment, several statements and an unknown column are refused with the agency and the reason', async t => {
    const file = configWith('bad', {
      'pg-semicolon': pgSource(`SELECT * FROM ${s}.cases;`),
      'pg-comment': pgSource(`SELECT * FROM ${s}.cases -- only open cases`),
      'pg-finding8': pgSource(finding8(`${s}.cases`, `${s}.x`)),
      'pg-no-id': pgSource(`SELECT updated_at, ay FROM ${s}.cases`),
      'my-semicolon': mySource('SELECT * FROM cases;'),
      'my-comment': mySource('SELECT * FROM cases # only open cases'),
      'my-finding8': mySource(finding8('cases', 'x')),
      'my-syntax': mySource('SELECT * FROM cases WHERE'),
    })
    const run = await runCli(['check-config', file, '--json'], { env })
    t.equal(run.code, 2, run.stderr)
    const report = JSON.parse(run.stdout) as { valid: boolean; error: { code: string; problems: string[] } }
    t.equal(report.valid, false)
    const problem = (agency: string): string => report.error.problems.find(p => p.includes(`(${agency})`)) ?? `no problem for ${agency}`
    t.match(problem('pg-semicolon'), /agencies\[0\]\.source \(pg-semicolon\): agency pg-semicolon: postgresql:\/\/.*: query ends with ";": leave it out/)
    t.match(problem('pg-comment'), /query ends in a -- comment .* which would swallow the "\) AS cb_source"/)
    t.match(problem('pg-finding8'), /query holds more than one statement/)
    t.match(problem('pg-no-id'), /the query yields no column id \(it yields updated_at, ay\)/, 'the LIMIT 0 check: the key column is missing')
    t.match(problem('my-semicolon'), /mysql:\/\/.*: query ends with ";"/)
    t.match(problem('my-comment'), /query ends in a # comment/)
    t.match(problem('my-finding8'), /query holds more than one statement/)
    t.match(problem('my-syntax'), /ER_PARSE_ERROR/, 'what the text check cannot see, the server does (LIMIT 0 in the read-only session)')
    t.equal(report.error.problems.length, 8, 'one problem per agency')
    t.same(await canaries(), [0, 0], 'nothing was written')
  })

  await t.test('good queries pass (a comment ended by a line break included); a database not answering leaves the agency unchecked, not invalid', async t => {
    const file = configWith('good', {
      'pg-good': pgSource(`SELECT * FROM ${s}.cases -- all cases\n`),
      'my-good': mySource('SELECT id, updated_at, ay FROM cases /* all */'),
      'pg-away': pgSource(`SELECT * FROM ${s}.cases`, CLOSED_PORT),
    })
    const run = await runCli(['check-config', file, '--lang', 'en'], { env })
    t.equal(run.code, 0, run.stderr)
    t.match(run.stdout, /valid \(agencies: 3, targets: 1\)/)
    t.match(run.stderr, /pg-away: its source could not be checked now \(agency pg-away: postgresql:\/\/127\.0\.0\.1:1\/.*\)/)
  })

  await t.test('the statements of finding 8 write nothing: the pull refuses them, and sent past the text check the servers refuse them too', async t => {
    for (const source of [
      sqlPostgresSource.create(adapterConfigOf(sqlPostgresSource, pgSource(finding8(`${s}.cases`, `${s}.x`))), cursorContext('finding8-pg')),
      sqlMysqlSource.create(adapterConfigOf(sqlMysqlSource, mySource(finding8('cases', 'x'))), cursorContext('finding8-mysql')),
    ]) {
      const err = await pullOnce(source, null, r => String(r.id)).then(() => undefined, (e: unknown) => e)
      await source.close()
      t.ok(err instanceof RemoteRefusedError, `${source.kind}: the pull is refused (${String(err)})`)
    }
    // What the NULL count would have sent with the text wrapped: one statement each, or none.
    const pool = postgresPool(adapterConfigOf(sqlPostgresSource, pgSource('SELECT 1')))
    t.teardown(async () => await pool.end())
    const wrapped = `SELECT count(*) AS n FROM (${finding8(`${s}.cases`, `${s}.x`)}) AS cb_source WHERE updated_at IS NULL`
    const pgErr = await extendedQuery(pool, wrapped, []).then(() => undefined, (e: unknown) => e)
    t.match(pgErr, { code: '42601', message: /cannot insert multiple commands into a prepared statement/ }, 'PostgreSQL: the extended protocol takes one statement')
    const myPool = mysqlPool(adapterConfigOf(sqlMysqlSource, mySource('SELECT 1')))
    t.teardown(async () => await myPool.end())
    const myErr = await myPool.execute(`SELECT count(*) AS n FROM (${finding8('cases', 'x')}) AS cb_source WHERE updated_at IS NULL`).then(() => undefined, (e: unknown) => e)
    t.match(myErr, { code: 'ER_PARSE_ERROR' }, 'MySQL/MariaDB: a prepared statement is one statement')
    t.same(await canaries(), [0, 0], 'nothing was written')
  })
})
