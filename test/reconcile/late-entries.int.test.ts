import t from 'tap'
import { startDriftHub, syncAll } from './drift-scenario.js'
import { agencyKeys } from '../../src/ledger/keys.js'
import { AGENCY, startReconcileWorld } from './reconcile-world.js'

const CASES = 20
const DAY_MS = 86_400_000

t.test('an acknowledgement recorded after a run started, with a time before it, is judged by the next run — once', async t => {
  const world = await startReconcileWorld(t, 'late', CASES)
  // Fresh cases are decided up to 40 days before they are entered: on time under a 60-day deadline.
  const hub = await startDriftHub(t, world, world.writeConfig({ minAgeSeconds: 1, entryDeadlineDays: 60 }))
  await syncAll(hub, world, CASES)
  const first = await hub.reconcileNow(AGENCY)
  t.equal(first.findings.late_entry.count, 0, 'the synced cases were entered in time')

  // While the first run was going on, another hub process — whose clock is behind, or whose
  // push took long — recorded a late acknowledgement stamped before that run started.
  const decided = new Date(Date.now() - 90 * DAY_MS).toISOString().slice(0, 10) + 'T00:00:00+08:00'
  const started = Date.parse(first.startedAt)
  await hub.ledger.acknowledge(AGENCY, [{ caseNumber: 'LATE-A', fingerprint: 'fa', ackedAtMs: started - 5000, decidedAt: decided }])
  const second = await hub.reconcileNow(AGENCY)
  t.equal(second.findings.late_entry.count, 1, 'the next run judges it')
  t.same(second.findings.late_entry.samples, ['LATE-A'], 'naming it')
  t.equal((await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'late_entry')?.state, 'open', 'and raises the late-entry alarm')

  // The same again after the second run, with a time even earlier than the first run.
  await hub.ledger.acknowledge(AGENCY, [{ caseNumber: 'LATE-B', fingerprint: 'fb', ackedAtMs: started - 60_000, decidedAt: decided }])
  const third = await hub.reconcileNow(AGENCY)
  t.same([third.findings.late_entry.count, third.findings.late_entry.samples], [1, ['LATE-B']], 'the third run judges the new one and not the one judged before')
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'late_entry')
  t.same([alarm?.state, alarm?.count, alarm?.samples], ['open', 2, ['LATE-A', 'LATE-B']], 'the alarm, still open, names both late entries of its episode')
  const fourth = await hub.reconcileNow(AGENCY)
  t.equal(fourth.findings.late_entry.count, 0, 'nothing is counted twice')
  t.equal(await hub.redis.xlen(agencyKeys(hub.config.redis.keyPrefix, AGENCY).decisionLog), 0, 'judged acknowledgements leave the decision log')
})

const lateEntryAlarm = async (hub: { alarms: { list: (f: { agencyId: string }) => Promise<{ kind: string; state: string; version: number }[]> } }): Promise<{ state: string; version: number } | undefined> =>
  (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'late_entry')

// Issue 21: the alarm resolved at the next run with no new late entry and reopened at the
// next one with some, each cycle a notification. Late entries are history: the alarm stays.
t.test('a late_entry alarm stays open through runs with no new late entry, stays acknowledged once acknowledged, and resolves only when its window has passed', async t => {
  const world = await startReconcileWorld(t, 'late-window', CASES)
  const hub = await startDriftHub(t, world, world.writeConfig({ minAgeSeconds: 1, entryDeadlineDays: 60 }))
  await syncAll(hub, world, CASES)
  const decided = new Date(Date.now() - 90 * DAY_MS).toISOString().slice(0, 10) + 'T00:00:00+08:00'
  await hub.ledger.acknowledge(AGENCY, [{ caseNumber: 'LATE-W', fingerprint: 'fw', ackedAtMs: Date.now(), decidedAt: decided }])
  t.equal((await hub.reconcileNow(AGENCY)).findings.late_entry.count, 1, 'a run finds the late entry')
  const opened = await lateEntryAlarm(hub)
  t.equal(opened?.state, 'open', 'and opens the alarm')

  t.equal((await hub.reconcileNow(AGENCY)).findings.late_entry.count, 0, 'the next run finds no new one')
  t.same(await lateEntryAlarm(hub), opened, 'the alarm stays open, unchanged: no resolve, no reopen, no notification')

  await hub.alarms.acknowledge(AGENCY, 'late_entry', 'test-operator', 'entered late by the clerk, known')
  await hub.reconcileNow(AGENCY)
  t.equal((await lateEntryAlarm(hub))?.state, 'acknowledged', 'an acknowledged late_entry alarm stays acknowledged (it does not page) while its window lasts')

  // The default window is a day (schemas/config.schema.json lateEntryWindowSeconds): move the runs' clock past it.
  world.clock.movePast(Date.now() + DAY_MS + 1000)
  t.equal((await hub.reconcileNow(AGENCY)).findings.late_entry.count, 0, 'a day later, still no new late entry')
  t.equal((await lateEntryAlarm(hub))?.state, 'resolved', 'the window has passed: the alarm resolves')
})
