/**
 * The ledger writes each state change's trace events in the same step as the change:
 * page commits (released only for a record that was in quarantine), attempts and
 * acknowledgements, dead letters, repairs; with tracing off, nothing.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { Ledger } from '../../src/ledger/ledger.js'
import { TraceStore } from '../../src/trace/trace-store.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'
import type { QuarantineEntry } from '../../src/ledger/entries.js'

const AGENCY = 'ledger-trace'
const entry = (caseNumber: string): QuarantineEntry => ({ agencyId: AGENCY, recordKey: caseNumber, caseNumber, stage: 'validation', problems: [{ canonicalField: '/dates/decided', rule: 'date', message: 'bad date' }], mappingVersion: 'v1', quarantinedAt: new Date().toISOString(), raw: { name: '张三' } })
const page = { seen: [], quarantined: [], released: [], cursor: null, counts: {} }

t.test('a case through quarantine, release, attempts, acknowledgement, dead letter and repair: each event in order, one chain', async t => {
  const prefix = testPrefix(t, 'ledger-trace')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, prefix)
  const store = new TraceStore(redis, prefix)

  await ledger.commitPage(AGENCY, { ...page, quarantined: [entry('Q-1')], trace: { events: [{ caseNumber: 'Q-1', kind: 'quarantined', details: { stage: 'validation' } }], released: [] } })
  // Released: written for Q-1 (in quarantine), not for N-1 (never was).
  await ledger.commitPage(AGENCY, {
    ...page,
    released: ['Q-1', 'N-1'],
    trace: { events: [{ caseNumber: 'Q-1', kind: 'enqueued', details: { sequence: 7 } }], released: ['Q-1', 'N-1'].map(recordKey => ({ recordKey, event: { caseNumber: recordKey, kind: 'released' as const, details: { recordKey } } })) },
  })
  t.equal((await ledger.quarantine(AGENCY)).length, 0, 'released from quarantine')
  await ledger.endSend(AGENCY, 'j1#a', [{ caseNumber: 'Q-1', fingerprint: 'f1', sequence: 7, outcome: 'maybe', ackedAtMs: 0, answer: { status: 'failed', code: 'CB_ERR_REMOTE_UNAVAILABLE', message: 'HTTP 503 for 110101199003074514' } }])
  const { acknowledged } = await ledger.endSend(AGENCY, 'j1#b', [{ caseNumber: 'Q-1', fingerprint: 'f1', sequence: 7, outcome: 'accepted', ackedAtMs: 1000, answer: { status: 'accepted', acknowledgedAt: '2026-12-01T00:00:00Z' } }])
  t.equal(acknowledged, 1, 'the verdict is still returned from inside the MULTI')
  await ledger.recordDeadLetters(AGENCY, [{ agencyId: AGENCY, caseNumber: 'Q-1', fingerprint: 'f1', sequence: 7, reason: 'refused', attempts: 2, deadLetteredAt: new Date().toISOString(), case: {} }])
  await ledger.recordResent(AGENCY, [{ caseNumber: 'Q-1', version: { fingerprint: 'f1', mappingVersion: 'v1', firstSeenMs: 1, sequence: 9 }, trace: { runId: 'r1' } }])

  const events = await store.events(AGENCY, 'Q-1')
  t.same(events.map(e => e.kind), ['quarantined', 'released', 'enqueued', 'attempt', 'attempt', 'acknowledged', 'dead_lettered', 'repaired'], 'every event, in order')
  t.match(events[3], { outcome: 'maybe', answer: 'failed', code: 'CB_ERR_REMOTE_UNAVAILABLE', attempt: 'j1#a' }, 'the failed attempt with its code')
  t.notMatch(JSON.stringify(events), /110101199003074514|张三/, 'no personal data: the ID number in the message is masked')
  t.match(events[5], { platformAt: '2026-12-01T00:00:00Z', sequence: 7 }, 'the acknowledgement with the platform time')
  t.match(events[7], { runId: 'r1', sequence: 9 }, 'the repair with its run')
  t.same(await store.events(AGENCY, 'N-1'), [], 'no "released" for a record that was never in quarantine')
  t.same((await store.verify(AGENCY)).breaks, [], 'the chain verifies')
})

t.test('with tracing off the ledger writes no trace event', async t => {
  const prefix = testPrefix(t, 'ledger-untraced')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, prefix, 86_400_000, false)
  await ledger.commitPage(AGENCY, { ...page, quarantined: [entry('Q-2')] })
  await ledger.endSend(AGENCY, 'j2#a', [{ caseNumber: 'Q-2', fingerprint: 'f', sequence: 1, outcome: 'accepted', ackedAtMs: 5 }])
  t.equal((await ledger.ackedVersions(AGENCY, ['Q-2']))[0]?.fingerprint, 'f', 'acknowledged as before')
  t.same(await redis.keys(`${prefix}:{${AGENCY}}:trace*`), [], 'no trace key')
})
