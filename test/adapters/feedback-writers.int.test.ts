/**
 * The feedback writers one by one against real servers (the agency simulator's callback,
 * MariaDB, sshd), and the http-batch target's feedback listing against the platform
 * simulator: idempotent by decision id, errors in the families the queue acts on.
 */
import t from 'tap'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FeedbackDecision } from '../../src/contracts/feedback.js'
import { RemoteRefusedError, RemoteUnavailableError } from '../../src/errors.js'
import { silentLogger } from '../../src/logging/logger.js'
import { DEFAULT_INPUT } from '../../src/formats/input-options.js'
import { builtInRegistry } from '../../adapters/index.js'
import { feedbackFileName } from '../../adapters/feedback-file-writer.js'
import { startAgencySimulator } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { mysqlDatabase, MY } from '../helpers/sql.js'
import { startSshd } from '../helpers/sshd.js'
import { tempDir } from '../helpers/temp-files.js'
import { sampleCase } from '../helpers/sample-case.js'

const context = { logger: silentLogger(), name: 'agency-x', input: () => DEFAULT_INPUT }
const registry = builtInRegistry()
const writer = (section: Record<string, unknown>): ReturnType<NonNullable<ReturnType<typeof registry.writers.get>>['create']> => {
  const def = registry.writers.get(String(section.kind))
  if (def === undefined) throw new Error(`no writer ${String(section.kind)}`)
  const w = def.create(section, context)
  t.teardown(async () => { await w.close() })
  return w
}
const decision = (id: string, caseNumber = '沛市监罚〔2024〕1号'): FeedbackDecision => ({ id, agencyCode: '11320322014166000X', caseNumber, decision: 'filed', decidedAt: '2026-12-01T08:00:00.000Z', note: '已立案' })
const signal = (): AbortSignal => AbortSignal.timeout(10_000)

t.test('the http writer posts each decision with its id as Idempotency-Key: a repeat is stored once, a 400 is refused, a 503 may pass', async t => {
  const agency = await startAgencySimulator({ port: 0, records: 1 })
  t.teardown(async () => { await agency.close() })
  const w = writer({ kind: 'http', url: `${agency.url}/api/feedback` })
  await w.write(decision('d-1'), signal())
  await w.write(decision('d-1'), signal())
  await w.write(decision('d-2'), signal())
  t.same(agency.feedback().map(d => [d.id, d.deliveries]), [['d-1', 2], ['d-2', 1]], 'one entry per decision id; the repeat is counted, not stored again')
  await fetch(`${agency.url}/__sim/feedback/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1, refuseCaseNumbers: ['refused-case'] }) })
  await t.rejects(w.write(decision('d-3'), signal()), RemoteUnavailableError, '503: retriable')
  await t.rejects(w.write(decision('d-4', 'refused-case'), signal()), RemoteRefusedError, '400: refused for good')
  const nobody = writer({ kind: 'http', url: 'http://127.0.0.1:1/api/feedback', timeoutMs: 500 })
  await t.rejects(nobody.write(decision('d-5'), signal()), RemoteUnavailableError, 'no answer: retriable')
})

t.test('the table writer upserts into a MariaDB status table keyed by decision id: a repeat is one row with its write counted', async t => {
  const { database, connection } = await mysqlDatabase(t, 'feedback_w')
  const w = writer({ kind: 'table', dialect: 'mysql', host: MY.host, port: MY.port, user: MY.user, database, table: 'case_feedback', createTable: true })
  await w.write(decision('d-1'), signal())
  await w.write(decision('d-1'), signal())
  await w.write(decision('d-2', '沛市监罚〔2024〕2号'), signal())
  const [rows] = await connection.query('SELECT decision_id, case_number, decision, writes FROM case_feedback ORDER BY decision_id') as unknown as [{ decision_id: string; case_number: string; decision: string; writes: number }[]]
  t.same(rows.map(r => [r.decision_id, r.case_number, r.decision, Number(r.writes)]), [['d-1', '沛市监罚〔2024〕1号', 'filed', 2], ['d-2', '沛市监罚〔2024〕2号', 'filed', 1]], 'one row per decision, Chinese case numbers intact')
  const missing = writer({ kind: 'table', dialect: 'mysql', host: MY.host, port: MY.port, user: MY.user, database, table: 'no_such_table' })
  await t.rejects(missing.write(decision('d-3'), signal()), RemoteRefusedError, 'a missing table (createTable off) needs configuration: refused')
})

t.test('the file writer drops one file per decision atomically, in a directory and on SFTP', async t => {
  const files = tempDir(t)
  const dir = join(files.dir, 'drop')
  mkdirSync(dir)
  const local = writer({ kind: 'file', directory: dir })
  await local.write(decision('d-1'), signal())
  await local.write(decision('d-1'), signal())
  await local.write(decision('a/b:c'), signal())
  const names = readdirSync(dir).sort()
  t.same(names, [feedbackFileName('a/b:c'), 'd-1.json'].sort(), 'a file per decision, no temporary file left, an unsafe id made a safe name')
  t.not(feedbackFileName('a/b:c'), feedbackFileName('a_b_c'), 'two ids never share a file')
  t.same(JSON.parse(readFileSync(join(dir, 'd-1.json'), 'utf8')), decision('d-1'), 'the whole decision')
  const gone = writer({ kind: 'file', directory: join(files.dir, 'missing') })
  await t.rejects(gone.write(decision('d-2'), signal()), RemoteRefusedError, 'a missing directory is refused')

  const sshd = await startSshd(t)
  const remote = writer({ kind: 'file', directory: sshd.root, sftp: { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, timeoutMs: 5000 } })
  await remote.write(decision('d-1'), signal())
  await remote.write(decision('d-1'), signal())
  t.same(readdirSync(sshd.root).filter(n => n.endsWith('.json') || n.endsWith('.part')), ['d-1.json'], 'SFTP: one file, renamed into place')
  t.same(JSON.parse(readFileSync(join(sshd.root, 'd-1.json'), 'utf8')), decision('d-1'))
})

t.test('the http-batch target lists the platform\'s decisions after a seq cursor; a hidden one is only in the full listing', async t => {
  const platform = await startPlatformSimulator({ port: 0, tokens: ['tk'] })
  t.teardown(async () => { await platform.close() })
  const c = sampleCase()
  const stored = await fetch(`${platform.url}/__sim/cases/${c.agency.code}/${encodeURIComponent(c.caseNumber)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) })
  t.equal(stored.status, 200)
  const post = async (body: Record<string, unknown>): Promise<Response> => await fetch(`${platform.url}/__sim/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  t.equal((await post({ caseNumber: 'not-held', agencyCode: c.agency.code, decision: 'accepted' })).status, 404, 'no decision on a case the platform does not hold')
  t.equal((await post({ caseNumber: c.caseNumber, agencyCode: c.agency.code, decision: 'fined' })).status, 400, 'an unknown decision is refused')
  for (const [decisionKind, hidden] of [['accepted', false], ['filed', true], ['supervised_filing', false]] as const) t.equal((await post({ caseNumber: c.caseNumber, agencyCode: c.agency.code, decision: decisionKind, hidden })).status, 200)
  const target = registry.targets.get('http-batch')?.create({ kind: 'http-batch', baseUrl: platform.url, token: 'tk' }, context)
  t.teardown(async () => { await target?.close() })
  const feedback = target?.feedback
  if (feedback?.listAll === undefined) throw new Error('http-batch has a feedback listing with a full listing')
  const first = await feedback.list(null, 1, signal())
  t.same(first.items.map(d => d.decision), ['accepted'])
  const second = await feedback.list(first.next, 10, signal())
  t.same(second.items.map(d => d.decision), ['supervised_filing'], 'the hidden decision is skipped by the incremental listing')
  const after = await feedback.list(second.next, 10, signal())
  t.same(after, { items: [], next: null }, 'nothing after the end: the cursor stays')
  t.same((await feedback.listAll(null, 10, signal())).items.map(d => d.decision), ['accepted', 'filed', 'supervised_filing'], 'the full listing holds every decision')
  const wrong = registry.targets.get('http-batch')?.create({ kind: 'http-batch', baseUrl: platform.url, token: 'nope' }, context)
  t.teardown(async () => { await wrong?.close() })
  const refused = wrong?.feedback
  if (refused === undefined) throw new Error('http-batch has a feedback listing')
  await t.rejects(async () => { await refused.list(null, 1, signal()) }, RemoteRefusedError, 'a refused token is refused')
})
