import t, { type Test } from 'tap'
import { chmodSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { memoryAdapterState } from '../../src/ledger/adapter-state.js'
import { silentLogger } from '../../src/logging/logger.js'
import { RemoteRefusedError } from '../../src/errors.js'
import type { SourcePage } from '../../src/contracts/source-adapter.js'
import { SftpConnection } from '../../adapters/sftp/sftp-connection.js'
import { sftpStore } from '../../adapters/sftp/sftp-store.js'
import { ingestFiles } from '../../adapters/file-ingest/ingest-files.js'
import { ingestOptions } from '../../adapters/file-ingest/file-source.js'
import { dirDropSource } from '../../adapters/dir-drop-source.js'
import { IngestedContent } from '../../adapters/file-ingest/ingested-content.js'
import type { FileStore } from '../../adapters/file-ingest/file-store.js'
import { startSshd, type TestSshd } from '../helpers/sshd.js'
import { namesIn, pullAll, recordsOf, sourceFor } from './sftp-helpers.js'

const CSV = 'AJBH,AY\nS-1,占道经营\nS-2,乱堆乱放\n'
const OTHER = 'AJBH,AY\nO-1,噪声扰民\n'

function drop (sshd: TestSshd, name: string, text: string): void {
  writeFileSync(join(sshd.root, name), text)
  writeFileSync(join(sshd.root, `${name}.ok`), '')
}

/** The real SFTP store of `sshd`, with `afterListing` run between the listing and the reads (what an agency may do meanwhile). */
function storeWith (t: Test, sshd: TestSshd, afterListing: () => void): FileStore {
  const connection = new SftpConnection({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, timeoutMs: 5000 }, 'agency test', silentLogger())
  t.teardown(async () => await connection.close())
  const real = sftpStore(connection, sshd.root, `sftp://${sshd.host}:${sshd.port}${sshd.root}`)
  return { ...real, list: async () => { const listing = await real.list(); afterListing(); return listing } }
}

async function ingest (store: FileStore, content: IngestedContent): Promise<SourcePage[]> {
  const pages: SourcePage[] = []
  // The ingest keys with the schema's defaults (both file sources share them).
  const options = ingestOptions(dirDropSource.checkConfig({ kind: 'dir-drop', directory: '/unused', completion: 'marker' }))
  for await (const page of ingestFiles(store, options, { agency: 'test', logger: silentLogger(), input: () => ({ encoding: 'utf-8' }), content }, new AbortController().signal)) pages.push(page)
  return pages
}

t.test('a file deleted between listing and opening is skipped without an error, and the agency\'s other files are ingested', async t => {
  const sshd = await startSshd(t)
  drop(sshd, 'a-gone.csv', CSV)
  drop(sshd, 'b-kept.csv', OTHER)
  const store = storeWith(t, sshd, () => unlinkSync(join(sshd.root, 'a-gone.csv')))
  const pages = await ingest(store, new IngestedContent(memoryAdapterState()))
  t.same(recordsOf(pages).map(r => r.AJBH), ['O-1'], 'the other file is ingested; the pull did not fail')
  t.same(namesIn(sshd, 'processed'), ['b-kept.csv', 'b-kept.csv.ok'])
  t.same(namesIn(sshd, 'rejected'), [], 'a vanished file is not a rejected one')
  t.same(namesIn(sshd).filter(n => !['processed', 'rejected'].includes(n)), ['a-gone.csv.ok'], 'its marker waits for the file to come back')
})

t.test('a file renamed between listing and opening is ingested under its new name on the next poll', async t => {
  const sshd = await startSshd(t)
  drop(sshd, 'day.csv', CSV)
  let renamed = false
  const store = storeWith(t, sshd, () => {
    if (renamed) return
    renamed = true
    renameSync(join(sshd.root, 'day.csv'), join(sshd.root, 'day-final.csv'))
    renameSync(join(sshd.root, 'day.csv.ok'), join(sshd.root, 'day-final.csv.ok'))
  })
  const content = new IngestedContent(memoryAdapterState())
  t.same(recordsOf(await ingest(store, content)), [], 'first poll: the listed name is gone, nothing read, no error')
  t.same(recordsOf(await ingest(store, content)).map(r => r.AJBH), ['S-1', 'S-2'], 'next poll: read under the new name')
  t.same(namesIn(sshd, 'processed'), ['day-final.csv', 'day-final.csv.ok'])
})

t.test('as an unprivileged login: password authentication works against the real sshd, and a wrong password is a configuration error', async t => {
  const sshd = await startSshd(t, { dedicatedUser: true })
  t.not(sshd.username, 'root', 'a login of its own, not root')
  drop(sshd, 'cases.csv', CSV)
  const byPassword = sourceFor(sshd, { config: { privateKeyFile: undefined, password: sshd.password } })
  t.teardown(async () => await byPassword.close())
  t.same(recordsOf(await pullAll(byPassword)).map(r => r.AJBH), ['S-1', 'S-2'], 'logged in with the password and ingested')
  t.same(namesIn(sshd, 'processed'), ['cases.csv', 'cases.csv.ok'], 'and moved the file as that user')

  const wrong = sourceFor(sshd, { config: { privateKeyFile: undefined, password: `${sshd.password ?? ''}-wrong` } })
  t.teardown(async () => await wrong.close())
  const err = await pullAll(wrong).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof RemoteRefusedError, `a RemoteRefusedError (${String(err)})`)
  t.match((err as Error).message, new RegExp(`authentication as "${sshd.username}" was refused`))
  t.notMatch((err as Error).message, sshd.password ?? '-', 'the password is never part of the message')
})

t.test('a file the login may not read is rejected with the reason beside it, and the agency\'s other files go on', async t => {
  const sshd = await startSshd(t, { dedicatedUser: true })
  drop(sshd, 'a-private.csv', CSV)
  chmodSync(join(sshd.root, 'a-private.csv'), 0o600) // owned by root: the test login cannot read it
  drop(sshd, 'b-open.csv', OTHER)
  const source = sourceFor(sshd, { name: 'urban-peixian' })
  t.teardown(async () => await source.close())
  const pages = await pullAll(source)
  t.same(recordsOf(pages).map(r => r.AJBH), ['O-1'], 'the readable file is ingested; the pull did not fail')
  t.same(namesIn(sshd, 'rejected'), ['a-private.csv', 'a-private.csv.error.txt', 'a-private.csv.ok'], 'the unreadable one is moved aside with its marker and a report')
  const report = readFileSync(join(sshd.root, 'rejected', 'a-private.csv.error.txt'), 'utf8')
  t.match(report, /agency: +urban-peixian/)
  t.match(report, /error: +CB_ERR_FILE_ACCESS_DENIED/)
  t.match(report, /permission denied/)
  t.same(namesIn(sshd, 'processed'), ['b-open.csv', 'b-open.csv.ok'])
  t.same(recordsOf(await pullAll(source)), [], 'the next poll has nothing left to do')
})
