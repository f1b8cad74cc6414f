import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import type { PushBatch } from '../../src/contracts/target-adapter.js'
import { HostKeyMismatchError, RemoteUnavailableError } from '../../src/errors.js'
import { silentLogger } from '../../src/logging/logger.js'
import { sftpTarget } from '../../adapters/sftp-target.js'
import { fingerprintOf } from '../../adapters/sftp/sftp-connection.js'
import { startSshd, type TestSshd } from '../helpers/sshd.js'
import { waitFor } from '../helpers/wait-for.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { sampleCases } from '../conformance/target.js'

const AGENCY = '11320322014170932K'
const context: AdapterContext = { logger: silentLogger(), name: 'platform', input: () => ({ encoding: 'utf-8' }) }

function target (sshd: TestSshd, overrides: Record<string, unknown> = {}, ctx: AdapterContext = context) {
  return sftpTarget.create({ kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory: sshd.root, timeoutMs: 5000, ...overrides }, ctx)
}

function batch (n: number, from: number, key: string): PushBatch {
  const cases = sampleCases(AGENCY, n, from, 'TGT')
  return { agencyCode: AGENCY, idempotencyKey: key, cases, sequences: cases.map((_, i) => from + i) }
}

const signal = new AbortController().signal
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

t.test('a platform-side reader listing the inbox while batches are written never sees a partial file', async t => {
  const sshd = await startSshd(t)
  const sink = target(sshd)
  t.teardown(async () => await sink.close())
  const size = 400
  const batches = Array.from({ length: 25 }, (_, i) => batch(size, i * size + 1, `reader-${i}`))
  let writing = true
  let looks = 0
  let filesSeenWhileWriting = 0
  const problems: string[] = []
  const checked = new Set<string>() // a file found complete is final: renamed into place whole
  const reader = (async () => {
    while (writing) {
      for (const name of readdirSync(sshd.root)) {
        if (name.startsWith('.') || checked.has(name)) continue // temporary names are hidden by design
        checked.add(name)
        let bytes: Buffer
        try { bytes = readFileSync(join(sshd.root, name)) } catch { continue }
        if (name.endsWith('.ndjson')) {
          if (writing) filesSeenWhileWriting++
          const text = bytes.toString('utf8')
          const lines = text.split('\n')
          if (lines.at(-1) !== '' || lines.length - 1 !== size) problems.push(`${name}: ${lines.length - 1} complete lines, last ${JSON.stringify(lines.at(-1)?.slice(0, 20))}`)
          else lines.slice(0, -1).forEach((l, i) => { try { JSON.parse(l) } catch { problems.push(`${name}: line ${i + 1} is not JSON`) } })
        } else if (name.endsWith('.manifest.json')) {
          const manifest = JSON.parse(bytes.toString('utf8')) as { batch: string; sha256: string; records: number }
          const data = readFileSync(join(sshd.root, manifest.batch))
          if (sha256(data) !== manifest.sha256) problems.push(`${manifest.batch}: content does not match its manifest`)
        }
      }
      looks++
      await new Promise(resolve => setImmediate(resolve))
    }
  })()
  for (const b of batches) {
    const results = await sink.push(b, signal)
    if (results.length !== size || !results.every(r => r.status === 'accepted')) problems.push(`push ${b.idempotencyKey}: ${results.length} results`)
  }
  writing = false
  await reader
  t.same(problems, [], 'every file the reader saw was complete and matched its manifest')
  t.ok(looks > 25, `the reader looked ${looks} times during the writes`)
  t.ok(filesSeenWhileWriting > 0, `and read ${filesSeenWhileWriting} batch files while writes went on`)
  const visible = readdirSync(sshd.root)
  t.equal(visible.filter(n => n.endsWith('.ndjson')).length, 25, 'one data file per batch')
  t.equal(visible.filter(n => n.endsWith('.manifest.json')).length, 25, 'one manifest per batch')
  t.same(visible.filter(n => n.startsWith('.')), [], 'no temporary file left behind')
})

t.test('the manifest gives record count, bytes, SHA-256, agency, idempotency key and case numbers', async t => {
  const sshd = await startSshd(t)
  const sink = target(sshd, { format: 'json' })
  t.teardown(async () => await sink.close())
  const b = batch(7, 1, 'manifest-1')
  await sink.push(b, signal)
  const manifestName = readdirSync(sshd.root).find(n => n.endsWith('.manifest.json')) ?? ''
  const manifest = JSON.parse(readFileSync(join(sshd.root, manifestName), 'utf8')) as Record<string, unknown>
  const data = readFileSync(join(sshd.root, String(manifest.batch)))
  t.match(manifest, { format: 'json', agencyCode: AGENCY, idempotencyKey: 'manifest-1', records: 7, bytes: data.length, sha256: sha256(data) })
  t.same(manifest.caseNumbers, b.cases.map(c => c.caseNumber))
  t.same((JSON.parse(data.toString('utf8')) as { cases: unknown[] }).cases, b.cases, 'the JSON batch holds the cases as pushed')
})

t.test('with acknowledgement files, per-record results come from <batch>.ack.json, and a retry does not deliver twice', async t => {
  const sshd = await startSshd(t)
  const sink = target(sshd, { acknowledgement: { mode: 'file', waitMs: 10_000, pollMs: 50 } })
  t.teardown(async () => await sink.close())
  const b = batch(5, 1, 'ack-1')
  const rejected = b.cases[2]?.caseNumber ?? ''
  // The platform: answers each complete batch (manifest present) with an acknowledgement file.
  let platformRunning = true
  const platform = (async () => {
    while (platformRunning) {
      for (const name of readdirSync(sshd.root).filter(n => n.endsWith('.manifest.json') && !n.startsWith('.'))) {
        const ack = join(sshd.root, name.replace(/\.manifest\.json$/, '.ack.json'))
        if (existsSync(ack)) continue
        const manifest = JSON.parse(readFileSync(join(sshd.root, name), 'utf8')) as { caseNumbers: string[] }
        writeFileSync(ack, JSON.stringify({ results: manifest.caseNumbers.map(n => n === rejected ? { caseNumber: n, status: 'rejected', reason: 'party ID number does not exist' } : { caseNumber: n, status: 'accepted', acknowledgedAt: '2024-03-02T10:00:00+08:00' }) }))
      }
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  })()
  t.teardown(async () => { platformRunning = false; await platform })
  const results = await sink.push(b, signal)
  t.equal(results.length, 5)
  t.same(results.find(r => r.caseNumber === rejected), { caseNumber: rejected, status: 'rejected', reason: 'party ID number does not exist' })
  t.equal(results.filter(r => r.status === 'accepted').length, 4)
  t.ok(results.every(r => r.status !== 'accepted' || r.acknowledgedAt === '2024-03-02T10:00:00+08:00'), 'the platform\'s acknowledgement time')
  const dataName = readdirSync(sshd.root).find(n => n.endsWith('.ndjson')) ?? ''
  const before = statSync(join(sshd.root, dataName)).mtimeMs
  const retry = await sink.push(b, signal)
  t.same(retry, results, 'the retry reads the same answer')
  t.equal(statSync(join(sshd.root, dataName)).mtimeMs, before, 'and did not write the batch again')
})

t.test('with acknowledgement files and no answer in time, the push fails as retriable, and the retry finds the late answer', async t => {
  const sshd = await startSshd(t)
  const sink = target(sshd, { acknowledgement: { mode: 'file', waitMs: 300, pollMs: 50 } })
  t.teardown(async () => await sink.close())
  const b = batch(3, 1, 'ack-late')
  const err = await sink.push(b, signal).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof RemoteUnavailableError, `a RemoteUnavailableError (${String(err)})`)
  const manifestName = await waitFor('the manifest', () => readdirSync(sshd.root).find(n => n.endsWith('.manifest.json')))
  writeFileSync(join(sshd.root, manifestName.replace('.manifest.json', '.ack.json')), JSON.stringify({ results: b.cases.slice(0, 2).map(c => ({ caseNumber: c.caseNumber, status: 'accepted' })) }))
  const results = await sink.push(b, signal)
  t.same(results.map(r => r.status), ['accepted', 'accepted', 'retryable'], 'a case the answer leaves out is retryable')
})

t.test('the sftp target refuses a server whose host key is not the pinned one', async t => {
  const sshd = await startSshd(t)
  const sink = target(sshd, { hostKeyFingerprint: fingerprintOf(randomBytes(51)) })
  t.teardown(async () => await sink.close())
  const err = await sink.push(batch(1, 1, 'hk'), signal).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof HostKeyMismatchError, `a HostKeyMismatchError (${String(err)})`)
  t.same(readdirSync(sshd.root), [], 'nothing written')
})

/** The renames sftp-server logged: which request, and the final name. */
function renames (sshd: TestSshd): { request: string; to: string }[] {
  return [...sshd.sftpLog().matchAll(/^(posix-rename|rename) old "[^"]*" new "([^"]*)"$/gm)].map(m => ({ request: m[1] ?? '', to: (m[2] ?? '').slice(sshd.root.length + 1) }))
}

t.test('against OpenSSH the target places every file with posix-rename, also when a retried batch replaces itself', async t => {
  const sshd = await startSshd(t, { logRequests: true })
  const log = capturingLogger()
  const sink = target(sshd, {}, { ...context, logger: log.logger })
  t.teardown(async () => await sink.close())
  const b = batch(3, 1, 'posix-1')
  await sink.push(b, signal)
  await sink.push(b, signal) // a retry: the same names, replacing the files in place
  const seen = renames(sshd)
  t.equal(seen.length, 4, `data and manifest, twice (${JSON.stringify(seen)})`)
  t.ok(seen.every(r => r.request === 'posix-rename'), 'the server was asked for posix-rename each time, never a plain rename')
  t.same([...new Set(seen.map(r => r.to.replace(/^[^.]+/, '')))].sort(), ['.manifest.json', '.ndjson'])
  t.same(log.warnings(), [], 'no fallback warning')
})

t.test('a server that refuses posix-rename gets remove-then-rename, and the fallback is logged once with the reason', async t => {
  const sshd = await startSshd(t, { deniedRequests: ['posix-rename'] })
  const log = capturingLogger()
  const sink = target(sshd, {}, { ...context, logger: log.logger })
  t.teardown(async () => await sink.close())
  const b = batch(3, 1, 'fallback-1')
  await sink.push(b, signal)
  await sink.push(b, signal)
  const seen = renames(sshd)
  t.equal(seen.length, 4, 'every file still placed')
  t.ok(seen.every(r => r.request === 'rename'), 'with the plain rename')
  t.equal(readdirSync(sshd.root).filter(n => !n.startsWith('.')).length, 2, 'the retry replaced its files, no copies')
  const warnings = log.warnings()
  t.equal(warnings.length, 1, 'warned once for the connection, not per file')
  t.match(warnings[0], { msg: /refused posix-rename; falling back to remove-then-rename/, reason: /does not support/ })
  t.equal(log.entries().filter(e => e.msg.startsWith('posix-rename refused')).length, 3, 'the later fallbacks at debug level')
})
