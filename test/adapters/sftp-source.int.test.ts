import t from 'tap'
import { appendFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { memoryAdapterState } from '../../src/ledger/adapter-state.js'
import { HostKeyMismatchError, RemoteRefusedError } from '../../src/errors.js'
import { fingerprintOf, SftpConnection } from '../../adapters/sftp/sftp-connection.js'
import { silentLogger } from '../../src/logging/logger.js'
import { startSshd } from '../helpers/sshd.js'
import { namesIn, pullAll, recordsOf, sourceFor } from './sftp-helpers.js'

const CSV = 'AJBH,AY\nS-1,占道经营\nS-2,乱堆乱放\nS-3,噪声扰民\n'

t.test('sftp source ingests a complete file once and moves it, with its marker, to processed/', async t => {
  const sshd = await startSshd(t)
  const state = memoryAdapterState()
  writeFileSync(join(sshd.root, 'cases.csv'), CSV)
  writeFileSync(join(sshd.root, 'cases.csv.ok'), '')
  const source = sourceFor(sshd, { state })
  t.teardown(async () => await source.close())
  const first = await pullAll(source)
  t.same(recordsOf(first).map(r => r.AJBH), ['S-1', 'S-2', 'S-3'], 'every record, in file order')
  t.same(first.flatMap(p => p.origins ?? []).map(o => `${o.file}:${o.line}`), ['cases.csv:2', 'cases.csv:3', 'cases.csv:4'], 'each record knows its file and line')
  t.same(namesIn(sshd), ['processed', 'rejected'], 'the drop directory is empty again')
  t.same(namesIn(sshd, 'processed'), ['cases.csv', 'cases.csv.ok'])
  t.equal(readFileSync(join(sshd.root, 'processed', 'cases.csv'), 'utf8'), CSV, 'moved unchanged')
  const second = await pullAll(source)
  t.same(recordsOf(second), [], 'a second pull finds nothing to ingest')
})

t.test('sftp source leaves a file without its done-marker alone, and takes it once the marker ("<stem>.done") appears', async t => {
  const sshd = await startSshd(t)
  writeFileSync(join(sshd.root, 'daily.csv'), CSV)
  writeFileSync(join(sshd.root, 'other.csv.part'), CSV)
  const source = sourceFor(sshd)
  t.teardown(async () => await source.close())
  t.same(recordsOf(await pullAll(source)), [], 'nothing without a marker')
  t.same(namesIn(sshd), ['daily.csv', 'other.csv.part', 'processed', 'rejected'], 'the file is untouched')
  writeFileSync(join(sshd.root, 'daily.done'), '')
  t.equal(recordsOf(await pullAll(source)).length, 3, 'taken once marked')
  t.same(namesIn(sshd), ['other.csv.part', 'processed', 'rejected'], 'a partial upload (.part) is never taken')
})

t.test('sftp source without markers takes a file only when size and mtime held still across two polls', async t => {
  const sshd = await startSshd(t)
  const state = memoryAdapterState()
  const file = join(sshd.root, 'growing.csv')
  writeFileSync(file, 'AJBH,AY\nG-1,a\n')
  const source = sourceFor(sshd, { state, config: { completion: 'stable' } })
  t.teardown(async () => await source.close())
  t.same(recordsOf(await pullAll(source)), [], 'first sight: not taken')
  appendFileSync(file, 'G-2,b\n')
  t.same(recordsOf(await pullAll(source)), [], 'still growing: not taken')
  t.same(namesIn(sshd), ['growing.csv', 'processed', 'rejected'], 'untouched while growing')
  const taken = recordsOf(await pullAll(source))
  t.same(taken.map(r => r.AJBH), ['G-1', 'G-2'], 'unchanged since the last poll: taken whole')
  t.same(namesIn(sshd, 'processed'), ['growing.csv'])
})

t.test('sftp source never ingests the same content twice, even under another name, but does ingest a changed file', async t => {
  const sshd = await startSshd(t)
  const state = memoryAdapterState()
  const source = sourceFor(sshd, { state })
  t.teardown(async () => await source.close())
  const drop = (name: string, text: string): void => { writeFileSync(join(sshd.root, name), text); writeFileSync(join(sshd.root, `${name}.ok`), '') }
  drop('a.csv', CSV)
  t.equal(recordsOf(await pullAll(source)).length, 3, 'the first upload is ingested')
  drop('b.csv', CSV)
  t.same(recordsOf(await pullAll(source)), [], 'the same bytes under another name are not read as records')
  t.same(namesIn(sshd, 'processed'), ['a.csv', 'a.csv.ok', 'b.csv', 'b.csv.ok'], 'the duplicate is moved out of the way too')
  drop('a.csv', CSV.replace('噪声扰民', '噪声扰民（更正）'))
  const changed = recordsOf(await pullAll(source))
  t.same(changed.map(r => r.AY), ['占道经营', '乱堆乱放', '噪声扰民（更正）'], 'a changed file is ingested')
  const processed = namesIn(sshd, 'processed')
  t.equal(processed.length, 6, 'nothing in processed/ is overwritten')
  t.ok(processed.some(n => /^a\.[0-9a-f]{12}\.csv$/.test(n)), `the second a.csv is kept under a tagged name (${processed.join(', ')})`)
})

t.test('sftp source refuses a server whose host key is not the pinned one, naming both fingerprints, and touches nothing', async t => {
  const sshd = await startSshd(t)
  writeFileSync(join(sshd.root, 'cases.csv'), CSV)
  writeFileSync(join(sshd.root, 'cases.csv.ok'), '')
  const pinned = fingerprintOf(randomBytes(51))
  const source = sourceFor(sshd, { config: { hostKeyFingerprint: pinned, retries: 2 } })
  t.teardown(async () => await source.close())
  const err = await pullAll(source).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof HostKeyMismatchError, `a HostKeyMismatchError (${String(err)})`)
  t.equal((err as HostKeyMismatchError).code, 'CB_ERR_HOST_KEY_MISMATCH')
  t.equal((err as HostKeyMismatchError).family, 'config', 'an operator must act; retrying cannot help')
  t.match((err as Error).message, sshd.hostKeyFingerprint, 'names the key presented')
  t.match((err as Error).message, pinned.replace(/=+$/, ''), 'names the key pinned')
  t.match((err as Error).message, /agency test-agency/, 'names the agency')
  t.same(namesIn(sshd), ['cases.csv', 'cases.csv.ok'], 'nothing touched, not even processed/ created')
})

t.test('sftp source refuses a client key the server does not accept as a configuration error', async t => {
  const sshd = await startSshd(t)
  const otherKey = join(sshd.root, '..', 'not-authorised')
  const { execFileSync } = await import('node:child_process')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey])
  const source = sourceFor(sshd, { config: { privateKeyFile: otherKey } })
  t.teardown(async () => await source.close())
  const err = await pullAll(source).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof RemoteRefusedError, `a RemoteRefusedError (${String(err)})`)
  t.match((err as Error).message, /authentication as ".+" was refused/)
})

t.test('a file that cannot be read goes to rejected/ with <name>.error.txt naming agency, file, line and expectation, and the next file is still ingested', async t => {
  const sshd = await startSshd(t)
  writeFileSync(join(sshd.root, '1-broken.json'), '[\n{"AJBH": "J-1"},\n{"AJBH": "J-2"\n')
  writeFileSync(join(sshd.root, '1-broken.json.ok'), '')
  writeFileSync(join(sshd.root, '2-good.csv'), CSV)
  writeFileSync(join(sshd.root, '2-good.csv.ok'), '')
  const source = sourceFor(sshd, { name: 'ecology-peixian' })
  t.teardown(async () => await source.close())
  const records = recordsOf(await pullAll(source))
  t.same(records.map(r => r.AJBH), ['J-1', 'S-1', 'S-2', 'S-3'], 'records before the break and the next file are delivered')
  t.same(namesIn(sshd, 'rejected'), ['1-broken.json', '1-broken.json.error.txt', '1-broken.json.ok'])
  const report = readFileSync(join(sshd.root, 'rejected', '1-broken.json.error.txt'), 'utf8')
  t.match(report, /agency: +ecology-peixian/)
  t.match(report, /file: +1-broken\.json/)
  t.match(report, /line: +3/)
  t.match(report, /expected the JSON to continue/)
  t.same(namesIn(sshd, 'processed'), ['2-good.csv', '2-good.csv.ok'])
})

t.test('names that are not plain file names, and links, are never read', async t => {
  const sshd = await startSshd(t)
  writeFileSync(join(sshd.root, '..\\outside.csv'), CSV)
  writeFileSync(join(sshd.root, '..\\outside.csv.ok'), '')
  symlinkSync('/etc/passwd', join(sshd.root, 'passwd.csv'))
  writeFileSync(join(sshd.root, 'passwd.csv.ok'), '')
  const source = sourceFor(sshd)
  t.teardown(async () => await source.close())
  t.same(recordsOf(await pullAll(source)), [], 'nothing read')
  t.same(namesIn(sshd).filter(n => n !== 'processed' && n !== 'rejected'), ['..\\outside.csv', '..\\outside.csv.ok', 'passwd.csv', 'passwd.csv.ok'], 'all left where they were')
})

t.test('one connection serves one operation at a time', async t => {
  const sshd = await startSshd(t)
  const connection = new SftpConnection({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, timeoutMs: 5000 }, 'test', silentLogger())
  t.teardown(async () => await connection.close())
  const spans: [number, number][] = []
  let active = 0
  let maxActive = 0
  await Promise.all(Array.from({ length: 6 }, async (_, i) => await connection.run(`op ${i}`, async s => {
    active++
    maxActive = Math.max(maxActive, active)
    const start = Date.now()
    await s.list(sshd.root)
    spans.push([start, Date.now()])
    active--
  })))
  t.equal(spans.length, 6, 'every operation ran')
  t.equal(maxActive, 1, 'never two at once')
})
