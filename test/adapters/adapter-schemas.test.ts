import t from 'tap'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { ConfigError } from '../../src/errors.js'
import { schemaPath } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { tempDir } from '../helpers/temp-files.js'

const FINGERPRINT = 'SHA256:' + 'A'.repeat(43)
const schema = (name: string): { properties: Record<string, unknown> } => JSON.parse(readFileSync(schemaPath(`adapters/${name}`), 'utf8')) as { properties: Record<string, unknown> }

function hubConfig (source: Record<string, unknown>, target: Record<string, unknown> = { kind: 'sftp', host: '10.0.0.2', username: 'cb', privateKeyFile: '/etc/casebridge/id_ed25519', hostKeyFingerprint: FINGERPRINT, directory: '/inbox' }): string {
  return JSON.stringify({ redis: { requirePersistence: false }, targets: { platform: target }, agencies: [{ id: 'agency-a', mapping: 'mappings/market-regulation-peixian.yaml', target: 'platform', source }] })
}

async function load (t: Parameters<typeof tempDir>[0], text: string): Promise<Awaited<ReturnType<typeof loadConfig>>> {
  const files = tempDir(t)
  return await loadConfig(files.write('hub.yaml', text), builtInRegistry(), { SFTP_PASSWORD: 'secret', DB_PASSWORD: 'secret' })
}

async function problems (t: Parameters<typeof tempDir>[0], text: string): Promise<readonly string[]> {
  try {
    await load(t, text)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected the configuration to be refused')
}

t.test('every adapter of issue 4 is registered and its config section is checked and defaulted at load time', async t => {
  const sftp = await load(t, hubConfig({ kind: 'sftp', host: '10.0.0.1', username: 'cb', password: { env: 'SFTP_PASSWORD' }, hostKeyFingerprint: FINGERPRINT, directory: '/export' }))
  t.match(sftp.agencies[0]?.source, { kind: 'sftp', port: 22, password: 'secret', completion: 'stable', markerSuffixes: ['.ok', '.done'], processedDir: 'processed', rejectedDir: 'rejected', pageSize: 500, retries: 2 })
  t.match(sftp.targets.platform, { kind: 'sftp', format: 'ndjson', acknowledgement: { mode: 'rename', waitMs: 10000 } })
  const drop = await load(t, hubConfig({ kind: 'dir-drop', directory: '/mnt/nfs/ecology' }))
  t.match(drop.agencies[0]?.source, { kind: 'dir-drop', completion: 'stable', include: ['.csv', '.json', '.ndjson', '.jsonl', '.xml'] })
  for (const kind of ['sql-postgres', 'sql-mysql']) {
    const sql = await load(t, hubConfig({ kind, database: 'zfpt', user: 'reader', password: { env: 'DB_PASSWORD' }, relation: 'export.v_案件', updatedAtColumn: 'GXSJ', idColumn: 'AJBH' }))
    t.match(sql.agencies[0]?.source, { kind, host: '127.0.0.1', pageSize: 500, statementTimeoutMs: 30000, relation: 'export.v_案件' }, `${kind}: Chinese identifiers allowed, defaults filled`)
  }
})

t.test('SQL identifiers that could inject are refused with the path and the pattern', async t => {
  const found = await problems(t, hubConfig({ kind: 'sql-postgres', database: 'd', user: 'u', relation: 'cases; DROP TABLE cases', updatedAtColumn: 'updated_at"--', idColumn: 'id' }))
  t.ok(found.some(p => /agencies\/0\/source\/relation|agencies\.0\.source\.relation|source.*relation/.test(p)), `relation refused (${found.join(' | ')})`)
  t.ok(found.some(p => /updatedAtColumn/.test(p)), 'updatedAtColumn refused')
  const both = await problems(t, hubConfig({ kind: 'sql-mysql', database: 'd', user: 'u', relation: 'cases', query: 'SELECT 1', updatedAtColumn: 'u', idColumn: 'id' }))
  t.ok(both.length > 0, 'relation and query together are refused')
})

t.test('the sftp source needs exactly one of password or private key, and a SHA256 fingerprint', async t => {
  const base = { kind: 'sftp', host: 'h', username: 'u', hostKeyFingerprint: FINGERPRINT, directory: '/x' }
  t.ok((await problems(t, hubConfig(base))).length > 0, 'neither is refused')
  t.ok((await problems(t, hubConfig({ ...base, password: { env: 'SFTP_PASSWORD' }, privateKeyFile: '/k' }))).length > 0, 'both are refused')
  t.ok((await problems(t, hubConfig({ ...base, privateKeyFile: '/k', hostKeyFingerprint: 'MD5:aa:bb' }))).some(p => /hostKeyFingerprint/.test(p)), 'an MD5 fingerprint is refused')
  t.ok((await problems(t, hubConfig({ ...base, privateKeyFile: '/k', directory: 'relative/dir' }))).some(p => /directory/.test(p)), 'a relative remote directory is refused')
  t.ok((await problems(t, hubConfig({ ...base, privateKeyFile: '/k', processedDir: '../elsewhere' }))).some(p => /processedDir/.test(p)), 'processed/ must stay inside the drop directory')
})

t.test('both file sources declare the same file-drop keys with the same defaults', async t => {
  const keys = ['completion', 'markerSuffixes', 'include', 'processedDir', 'rejectedDir', 'pageSize', 'maxFilesPerPull', 'contentRetentionDays']
  const sftp = schema('sftp-source.schema.json').properties
  const drop = schema('dir-drop-source.schema.json').properties
  for (const key of keys) t.same(sftp[key], drop[key], key)
})
