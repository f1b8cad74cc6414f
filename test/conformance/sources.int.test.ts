import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import { memoryAdapterState } from '../../src/ledger/adapter-state.js'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { silentLogger } from '../../src/logging/logger.js'
import { httpPullSource } from '../../adapters/http-pull-source.js'
import { dirDropSource } from '../../adapters/dir-drop-source.js'
import { sftpSource } from '../../adapters/sftp-source.js'
import { sqlPostgresSource } from '../../adapters/sql-postgres.js'
import { sqlMysqlSource } from '../../adapters/sql-mysql.js'
import { startAgencySimulator } from '../../fixtures/agency-sim/index.js'
import { startSshd } from '../helpers/sshd.js'
import { tempDir } from '../helpers/temp-files.js'
import { CLOSED_PORT, MY, PG, mysqlDatabase, postgresSchema } from '../helpers/sql.js'
import { sourceConformance } from './source.js'

const PAGE = 10

/** The context the hub gives a source; `state` survives "restarts" like the Redis hash does. */
function contextFor (name: string, state = memoryAdapterState()): AdapterContext {
  return { logger: silentLogger(), name, input: () => ({ encoding: 'utf-8' }), state }
}

/** Drop files: each seed is one CSV file with its done-marker. */
function fileSeeder (write: (name: string, text: string) => void): (n: number) => Promise<string[]> {
  let files = 0
  let next = 1
  return async n => {
    const ids = Array.from({ length: n }, () => `DROP-${String(next++).padStart(6, '0')}`)
    const name = `export-${++files}.csv`
    write(name, `AJBH,AY\n${ids.map(id => `${id},占道经营`).join('\n')}\n`)
    write(`${name}.ok`, '')
    return ids
  }
}

t.test('http-pull reads one page ahead, and a page read ahead but never awaited is no unhandled rejection', async t => {
  const agency = await startAgencySimulator({ port: 0, records: 3 * PAGE })
  t.teardown(async () => await agency.close())
  const source = httpPullSource.create(adapterConfigOf(httpPullSource, { kind: 'http-pull', baseUrl: agency.url, pageSize: PAGE, timeoutMs: 3000, retries: 0 }), contextFor('read-ahead'))
  t.teardown(async () => await source.close())
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })

  // Stopped while the second page is being read ahead: the pull ends, its read fails unheard.
  const controller = new AbortController()
  for await (const page of source.pull(null, controller.signal)) {
    t.equal(page.records.length, PAGE, 'the first page')
    controller.abort()
  }
  // A pull asked for on a signal already aborted (the hub stopping as a tick starts).
  for await (const _page of source.pull(null, controller.signal)) t.fail('no page after the stop')
  // Node reports an unhandled rejection once the aborted reads have settled; nothing announces
  // that none came, so the check gives them a moment first.
  await new Promise(resolve => setImmediate(resolve))
  await new Promise(resolve => setTimeout(resolve, 50))
  t.same(unhandled.map(String), [], 'no unhandled rejection')
})

t.test('http-pull source keeps the source contract', async t => {
  const agency = await startAgencySimulator({ port: 0, records: 0 })
  t.teardown(async () => await agency.close())
  const config = (baseUrl: string) => adapterConfigOf(httpPullSource, { kind: 'http-pull', baseUrl, pageSize: PAGE, timeoutMs: 3000, retries: 0 })
  await sourceConformance(t, 'http-pull', {
    pageSize: PAGE,
    create: (): SourceAdapter => httpPullSource.create(config(agency.url), contextFor('conformance-http')),
    createUnreachable: (): SourceAdapter => httpPullSource.create(config(`http://127.0.0.1:${CLOSED_PORT}`), contextFor('conformance-http')),
    seed: async n => {
      const res = await fetch(`${agency.url}/__sim/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: n }) })
      return ((await res.json()) as { AJBH: string }[]).map(r => r.AJBH)
    },
    idOf: r => String(r.AJBH),
  })
})

t.test('dir-drop source keeps the source contract', async t => {
  const drop = tempDir(t, 'casebridge-conformance-drop-')
  const state = memoryAdapterState()
  const config = (directory: string) => ({ kind: 'dir-drop', directory, completion: 'marker', pageSize: PAGE }) as never
  await sourceConformance(t, 'dir-drop', {
    pageSize: PAGE,
    create: () => dirDropSource.create(config(drop.dir), contextFor('conformance-drop', state)),
    createUnreachable: () => dirDropSource.create(config(join(drop.dir, 'no-such-directory')), contextFor('conformance-drop')),
    seed: fileSeeder((name, text) => drop.write(name, text)),
    idOf: r => String(r.AJBH),
  })
})

t.test('sftp source keeps the source contract', async t => {
  const sshd = await startSshd(t)
  const state = memoryAdapterState()
  const config = (port: number) => ({ kind: 'sftp', host: sshd.host, port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory: sshd.root, completion: 'marker', pageSize: PAGE, retries: 0, timeoutMs: 5000 }) as never
  await sourceConformance(t, 'sftp', {
    pageSize: PAGE,
    create: () => sftpSource.create(config(sshd.port), contextFor('conformance-sftp', state)),
    createUnreachable: () => sftpSource.create(config(CLOSED_PORT), contextFor('conformance-sftp')),
    seed: fileSeeder((name, text) => writeFileSync(join(sshd.root, name), text)),
    idOf: r => String(r.AJBH),
  })
})

t.test('sql-postgres source keeps the source contract', async t => {
  const { schema, client } = await postgresSchema(t, 'conf')
  await client.query(`CREATE TABLE ${schema}.cases (id serial PRIMARY KEY, updated_at timestamptz(6) NOT NULL, ay text)`)
  const config = (port: number) => adapterConfigOf(sqlPostgresSource, { kind: 'sql-postgres', host: PG.host, port, database: PG.database, user: PG.user, relation: `${schema}.cases`, updatedAtColumn: 'updated_at', idColumn: 'id', pageSize: PAGE, connectTimeoutMs: 2000 })
  await sourceConformance(t, 'sql-postgres', {
    pageSize: PAGE,
    create: () => sqlPostgresSource.create(config(PG.port), contextFor('conformance-pg')),
    createUnreachable: () => sqlPostgresSource.create(config(CLOSED_PORT), contextFor('conformance-pg')),
    // One statement: every seeded row shares one updated_at (now() is the transaction's time).
    seed: async n => (await client.query(`INSERT INTO ${schema}.cases (updated_at, ay) SELECT now(), 'x' FROM generate_series(1, $1) RETURNING id`, [n])).rows.map(r => String(r.id)),
    idOf: r => String(r.id),
  })
})

t.test('sql-mysql source keeps the source contract (MariaDB)', async t => {
  const { database, connection } = await mysqlDatabase(t, 'conf')
  await connection.query('CREATE TABLE cases (id int AUTO_INCREMENT PRIMARY KEY, updated_at datetime(6) NOT NULL, ay varchar(100))')
  const config = (port: number) => adapterConfigOf(sqlMysqlSource, { kind: 'sql-mysql', host: MY.host, port, database, user: MY.user, relation: 'cases', updatedAtColumn: 'updated_at', idColumn: 'id', pageSize: PAGE, connectTimeoutMs: 2000 })
  let stamp = 0
  await sourceConformance(t, 'sql-mysql', {
    pageSize: PAGE,
    create: () => sqlMysqlSource.create(config(MY.port), contextFor('conformance-mysql')),
    createUnreachable: () => sqlMysqlSource.create(config(CLOSED_PORT), contextFor('conformance-mysql')),
    seed: async n => {
      const at = `2024-05-0${++stamp} 09:30:00.123456`
      const ids: string[] = []
      for (let i = 0; i < n; i++) {
        const [result] = await connection.execute('INSERT INTO cases (updated_at, ay) VALUES (?, ?)', [at, 'x'])
        ids.push(String((result as { insertId: number }).insertId))
      }
      return ids
    },
    idOf: r => String(r.id),
  })
})
