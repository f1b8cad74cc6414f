/**
 * One case's whole life in its trace: quarantined at the source, fixed and released,
 * delivered after a failed attempt, acknowledged, deleted on the platform, re-sent by a
 * reconciliation repair, replayed by an operator — every event in order with its details,
 * the chain verifying; then one stored event changed by hand, and `casebridge trace
 * --verify` names the case and the event.
 */
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { traceKeys } from '../../src/trace/trace-keys.js'
import type { TraceEvent } from '../../src/trace/trace-event.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait-for.js'
import { runCli } from '../helpers/run-cli.js'
import { startDriftHub, pastMinimumAge } from '../reconcile/drift-scenario.js'
import { AGENCY, deleteOnPlatform, sim, startReconcileWorld } from '../reconcile/reconcile-world.js'

/** The API answers this test reads, loosely: each read says what it expects. */
interface Answer { events: TraceEvent[]; verified: boolean; entries: { trace?: string }[]; [key: string]: unknown }

const OPERATOR = 'trace-operator-token-7d1e'
const VIEWER = 'trace-viewer-token-2a9c'

t.test('a case through quarantine, fix, a retried delivery, acknowledgement, deletion on the platform, repair and replay: its trace lists each in order', async t => {
  const world = await startReconcileWorld(t, 'case-trace', 1)
  const record = world.records[0]!
  const caseNumber = record.AJBH
  const file = world.writeConfig()
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>
  doc.admin = { ...doc.admin, tokens: [{ id: 'op-1', role: 'operator', sha256: hashToken(OPERATOR) }, { id: 'viewer-1', role: 'viewer', sha256: hashToken(VIEWER) }] }
  writeFileSync(file, JSON.stringify(doc))
  const hub = await startDriftHub(t, world, file)
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const api = async (path: string, token: string, method = 'GET'): Promise<{ status: number; body: Answer }> => {
    const res = await fetch(`${hub.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { body: '{}' } : {}) })
    return { status: res.status, body: await res.json() as Answer }
  }
  const tracePath = `/api/agencies/${AGENCY}/cases/${encodeURIComponent(caseNumber)}/trace`
  const events = async (): Promise<TraceEvent[]> => (await api(tracePath, VIEWER)).body.events
  const kinds = async (): Promise<string[]> => (await events()).map(e => e.kind)

  // 1. The source has the case with a broken filing date: quarantined.
  await sim('PUT', `${world.agency.url}/__sim/cases/${caseNumber}`, { LASJ: '2026-13-45' })
  await hub.pullNow(AGENCY)
  t.same(await kinds(), ['quarantined'], 'quarantined')
  const listed = await api(`/api/agencies/${AGENCY}/quarantine`, VIEWER)
  t.equal(listed.body.entries[0]?.trace, tracePath, 'the quarantine listing links to the trace')

  // 2. Fixed at the source; the platform's first answer is a maintenance page: one failed attempt, then delivered.
  await sim('POST', `${world.platform.url}/__sim/faults`, { htmlAnswers: 1 })
  await sim('PUT', `${world.agency.url}/__sim/cases/${caseNumber}`, { LASJ: record.LASJ })
  await hub.pullNow(AGENCY)
  await waitFor('the case acknowledged', async () => (await kinds()).includes('acknowledged'), { timeoutMs: 30_000, describe: async () => JSON.stringify(await kinds()) })
  t.same(await kinds(), ['quarantined', 'released', 'seen', 'mapped', 'enqueued', 'attempt', 'attempt', 'acknowledged'], 'released, seen, mapped, enqueued, a failed attempt, an accepted one, acknowledged')
  const first = await events()
  t.match(first[0], { stage: 'mapping', problems: [{ field: '/dates/filed' }] }, 'quarantined: the stage and the field that failed')
  t.match(first[2], { rawHash: /^[0-9a-f]{64}$/, origin: { cursor: String } }, 'seen: the raw content hash and the page cursor')
  t.match(first[3], { mappingVersion: String, fingerprint: /^[0-9a-f]+$/, missing: Array }, 'mapped: mapping version, fingerprint, missing fields')
  t.match(first[4], { sequence: Number, idempotencyKey: new RegExp(`^${AGENCY}\\.`) }, 'enqueued: the sequence and the idempotency key')
  t.match(first[5], { outcome: 'maybe', answer: 'failed', code: String }, 'the failed attempt (it may have stored: an answer that is no answer) with its code')
  t.match(first[6], { outcome: 'accepted', answer: 'accepted', attempt: String }, 'the accepted attempt')
  t.not(first[5]!.attempt, first[6]!.attempt, 'two distinct attempts')
  t.match(first[7], { platformAt: String, sequence: first[4]!.sequence }, 'acknowledged with the platform\'s time')
  t.notMatch(JSON.stringify(first), /13812345678|2026-13-45/, 'no personal data or source values: the phone number in the platform\'s page is masked')

  // 3. Deleted on the platform; a reconciliation repair re-sends it.
  await deleteOnPlatform(world, caseNumber)
  pastMinimumAge(world, Date.now())
  const run = await hub.reconcileNow(AGENCY, { repair: true })
  t.equal(run.repair?.enqueued, 1, 'the repair re-sent it')
  await waitFor('the repair acknowledged', async () => (await kinds()).lastIndexOf('acknowledged') > (await kinds()).indexOf('repaired'), { timeoutMs: 30_000 })
  const repaired = (await events()).find(e => e.kind === 'repaired')
  t.match(repaired, { runId: run.runId, finding: 'missing_in_target', idempotencyKey: String }, 'repaired: the run and its finding')

  // 4. An operator replays it.
  const replay = await api(`/api/agencies/${AGENCY}/cases/${encodeURIComponent(caseNumber)}/replay`, OPERATOR, 'POST')
  t.same(replay.body, { agency: AGENCY, caseNumber, enqueued: 1, notes: [] }, 'the replay queued it')
  t.equal((await api(`/api/agencies/${AGENCY}/cases/${encodeURIComponent(caseNumber)}/replay`, VIEWER, 'POST')).status, 403, 'a viewer may not replay')
  await waitFor('the replay acknowledged', async () => (await kinds()).lastIndexOf('acknowledged') > (await kinds()).indexOf('replayed'), { timeoutMs: 30_000 })
  const all = await events()
  t.same(all.map(e => e.kind).slice(8), ['repaired', 'attempt', 'acknowledged', 'replayed', 'attempt', 'acknowledged'], 'repaired, delivered, replayed, delivered')
  t.same(all.map(e => e.seq), all.map((_, i) => i + 1), 'numbered 1..n')
  t.ok(all.every((e, i) => i === 0 || e.at >= all[i - 1]!.at), 'in time order')
  const audit = await redis.xrevrange(`${world.prefix}:audit`, '+', '-', 'COUNT', 20)
  t.ok(audit.some(([, f]) => f.includes('trace.replay')), 'the replay is in the audit stream')

  // The CLI shows the timeline, in English and in Chinese.
  const env = { CASEBRIDGE_ADMIN_URL: hub.adminUrl!, CASEBRIDGE_ADMIN_TOKEN: OPERATOR }
  const en = await runCli(['trace', '--agency', AGENCY, caseNumber, '--lang', 'en'], { env })
  t.equal(en.code, 0, en.stderr)
  t.match(en.stdout, /push attempt[\s\S]*acknowledged by the platform[\s\S]*re-sent by reconciliation[\s\S]*re-sent by an operator[\s\S]*chain verified/, 'the English timeline, verified')
  const zh = await runCli(['trace', '--agency', AGENCY, caseNumber, '--lang', 'zh-CN'], { env })
  t.match(zh.stdout, /已隔离[\s\S]*平台已确认[\s\S]*哈希链校验通过/, 'the Chinese timeline')

  // 5. One stored event changed by hand: verification names the case and the event.
  const key = traceKeys(world.prefix, AGENCY).events(caseNumber)
  const fifth = await redis.lindex(key, 5) as string
  await redis.lset(key, 5, fifth.replace('"outcome":"maybe"', '"outcome":"accepted"'))
  const verify = await runCli(['trace', '--verify', '--agency', AGENCY, '--json'], { env })
  t.equal(verify.code, 1, 'exit 1: a chain is broken')
  t.same(JSON.parse(verify.stdout).breaks, [{ caseNumber, seq: 6, problem: 'hash' }], 'the break names the case and the event')
  const told = await runCli(['trace', '--verify', '--agency', AGENCY, '--lang', 'en'], { env })
  t.match(told.stdout, new RegExp(`1 broken chain[\\s\\S]*${caseNumber}[\\s\\S]*6[\\s\\S]*changed after it was written`), 'and says so in words')
  t.equal((await api(tracePath, VIEWER)).body.verified, false, 'the case\'s own trace says it does not verify')
})
