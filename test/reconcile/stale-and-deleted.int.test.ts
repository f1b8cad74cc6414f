import t from 'tap'
import { agencyLag } from '../../src/lag/agency-lag.js'
import { FINDING_KINDS, type ReconcileResult } from '../../src/reconcile/findings.js'
import { waitFor } from '../helpers/wait-for.js'
import { pastMinimumAge, sorted, startDriftHub, syncAll, webhookQueueIdle } from './drift-scenario.js'
import { AGENCY, platformCases, sim, startReconcileWorld } from './reconcile-world.js'

const countsOf = (r: ReconcileResult): Record<string, number> => Object.fromEntries(FINDING_KINDS.map(k => [k, r.findings[k].count]))
const NONE = Object.fromEntries(FINDING_KINDS.map(k => [k, 0]))
const CASES = 40

t.test('changes the platform does not acknowledge within the lag limit are reported stale, and resolve once acknowledged', async t => {
  const world = await startReconcileWorld(t, 'stale', CASES)
  // Decisions of fresh cases go back up to 40 days: the late-entry rule is not what this test is about.
  const file = world.writeConfig({ minAgeSeconds: 1, lagLimitSeconds: 1, entryDeadlineDays: 60 })
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world, CASES)

  // The platform refuses every batch from now on; six cases change at the agency (with a new timestamp).
  await sim('POST', `${world.platform.url}/__sim/faults`, { failureRate: 1 })
  const changed = world.records.slice(3, 9).map(r => r.AJBH)
  for (const n of changed) await sim('PUT', `${world.agency.url}/__sim/cases/${n}`, { AQZY: `补充调查后更新的案情（${n}）。` })
  await hub.pullNow(AGENCY)
  const lag = await waitFor('six changes pending', async () => { const l = await agencyLag(hub.ledger, AGENCY); return l.pendingChanges === 6 ? l : undefined })
  t.equal(lag.pendingChanges, 6, 'the hub knows six changes the platform has not acknowledged')
  const seenAt = Date.now()
  pastMinimumAge(world, seenAt + 1000) // past the minimum age and the lag limit (both 1 s)

  const first = await hub.reconcileNow(AGENCY)
  t.same(countsOf(first), { ...NONE, stale: 6 }, 'stale: exactly the six unacknowledged changes, nothing else')
  t.same(sorted(first.findings.stale.samples), sorted(changed), 'naming them')
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'stale')
  t.equal(alarm?.state, 'open', 'a stale alarm is open')
  t.equal(alarm?.count, 6, 'with the count')

  // The platform accepts again: the queued retries deliver, the next reconciliation finds nothing stale.
  await sim('POST', `${world.platform.url}/__sim/faults`, { failureRate: 0 })
  await waitFor('the changes acknowledged', async () => (await agencyLag(hub.ledger, AGENCY)).pendingChanges === 0, { timeoutMs: 60_000 })
  pastMinimumAge(world, Date.now())
  const second = await hub.reconcileNow(AGENCY)
  t.same(countsOf(second), NONE, 'nothing stale, nothing else')
  t.equal((await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'stale')?.state, 'resolved', 'the stale alarm resolved')
  await waitFor('both notifications', () => world.webhook.deliveries.length >= 2)
  await webhookQueueIdle(t, world.prefix)
  t.same(world.webhook.deliveries.map(d => `${d.json.event}:${d.json.alarm.kind}`), ['opened:stale', 'resolved:stale'], 'opened and resolved, each notified once')
})

t.test('cases deleted from the agency system are reported source_deleted and never deleted on the platform, not even by a repair', async t => {
  const world = await startReconcileWorld(t, 'deleted', CASES)
  const file = world.writeConfig({ minAgeSeconds: 1, entryDeadlineDays: 60 })
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world, CASES)

  const gone = world.records.slice(10, 14).map(r => r.AJBH)
  for (const n of gone) await sim('DELETE', `${world.agency.url}/__sim/cases/${n}`)
  pastMinimumAge(world, Date.now())

  const first = await hub.reconcileNow(AGENCY, { repair: true })
  t.equal(first.counts.sourceValid, CASES - 4, 'the source lists four cases fewer')
  t.same(countsOf(first), { ...NONE, source_deleted: 4 }, 'exactly the four deleted cases, as source_deleted')
  t.same(sorted(first.findings.source_deleted.samples), sorted(gone), 'naming them')
  t.equal(first.repair?.enqueued, 0, 'nothing to re-send: a deletion is reported, not repaired')
  t.equal((await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'source_deleted')?.state, 'open', 'a source_deleted alarm is open')
  const held = await platformCases(world)
  t.ok(gone.every(n => held.has(n)), 'the platform still holds the deleted cases')
  t.equal(held.size, CASES, 'and every other case')

  const again = await hub.reconcileNow(AGENCY)
  t.equal(again.findings.source_deleted.count, 4, 'still reported while the ledger knows them and the source does not')
})
