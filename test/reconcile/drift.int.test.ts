import t from 'tap'
import { Redis } from 'ioredis'
import { readAudit } from '../../src/admin/audit-stream.js'
import { agencyLag } from '../../src/lag/agency-lag.js'
import { FINDING_KINDS } from '../../src/reconcile/findings.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait-for.js'
import { driftWorld, pastMinimumAge, plantDrift, sorted, SOURCE_CASES, startDriftHub, syncAll, webhookQueueIdle } from './drift-scenario.js'
import { AGENCY, platformCases } from './reconcile-world.js'

t.test('one reconciliation reports the scripted drift exactly, alarms once per kind, and repair restores equality', async t => {
  const { world, file, late } = await driftWorld(t, 'drift')
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world)

  const drift = await plantDrift(world, late)
  await pastMinimumAge(drift.at)
  const first = await hub.reconcileNow(AGENCY)

  t.equal(first.source, 'listed', 'the source was listed in full')
  t.equal(first.target, 'digests', 'the platform was compared by bucket digests')
  t.equal(first.counts.sourceValid, SOURCE_CASES, 'every source case is valid under the current mapping')
  t.equal(first.counts.tooYoung, 0, 'nothing was left unjudged as too young')
  const counts = Object.fromEntries(FINDING_KINDS.map(k => [k, first.findings[k].count]))
  t.same(counts, { missing_in_target: 17, source_changed_unsynced: 9, target_differs: 5, orphan_in_target: 3, stale: 0, late_entry: 4, source_deleted: 0 }, 'exactly 17 / 9 / 5 / 3 / 4 under the right kinds')
  t.same(sorted(first.findings.missing_in_target.samples), sorted(drift.deleted), 'missing: the deleted cases')
  t.same(sorted(first.findings.source_changed_unsynced.samples), sorted(drift.changedAtSource), 'changed: the cases edited at the source')
  t.same(sorted(first.findings.target_differs.samples), sorted(drift.editedOnPlatform), 'differs: the cases edited on the platform')
  t.same(sorted(first.findings.orphan_in_target.samples), sorted(drift.orphans), 'orphans: the cases only the platform has')
  t.same(sorted(first.findings.late_entry.samples), sorted(drift.late), 'late: the backdated decisions')
  t.ok(first.digest !== undefined && first.digest.casesListed < SOURCE_CASES, `only differing buckets were listed (${first.digest?.casesListed} cases)`)

  const open = await hub.alarms.list({ agencyId: AGENCY, state: 'open' })
  t.same(sorted(open.map(a => a.kind)), sorted(['missing_in_target', 'source_changed_unsynced', 'target_differs', 'orphan_in_target', 'late_entry']), 'one open alarm per kind found')
  t.equal(open.find(a => a.kind === 'missing_in_target')?.count, 17, 'the alarm carries the count')
  t.equal(open.find(a => a.kind === 'missing_in_target')?.severity, 'critical', 'severity from the default thresholds (critical from 10)')

  await waitFor('five webhook deliveries', () => world.webhook.deliveries.length >= 5)
  await webhookQueueIdle(t, world.prefix)
  const opened = world.webhook.deliveries
  t.equal(opened.length, 5, 'the webhook received exactly one notification per alarm')
  t.ok(opened.every(d => d.signatureValid), 'every notification is signed with the shared secret')
  t.same(sorted(opened.map(d => `${d.json.event}:${d.json.alarm.kind}`)), sorted(open.map(a => `opened:${a.kind}`)), 'each says which alarm opened')
  t.equal(opened.find(d => d.json.alarm.kind === 'late_entry')?.json.title, 'Late entry', 'texts in the hub language')

  await hub.alarms.acknowledge(AGENCY, 'orphan_in_target', 'test-operator', 'known test data')
  const repairRun = await hub.reconcileNow(AGENCY, { repair: true })
  t.same(repairRun.repair?.byKind, { missing_in_target: 17, source_changed_unsynced: 9, target_differs: 5 }, 'repair re-sent every repairable case')
  t.equal(repairRun.repair?.enqueued, 31)
  t.equal(repairRun.findings.late_entry.count, 0, 'no new late entry since the previous run')

  await waitFor('the platform to acknowledge the repairs', async () => (await agencyLag(hub.ledger, AGENCY)).pendingChanges === 0, { timeoutMs: 30_000 })
  const held = await platformCases(world)
  t.ok(drift.deleted.every(n => held.has(n)), 'the deleted cases are back')
  t.ok(drift.orphans.every(n => held.has(n)), 'orphans were not deleted')
  t.equal(world.platform.stats().totals.rejected, 0, 'the platform rejected nothing')

  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const audit = (await readAudit(redis, world.prefix, 100)).filter(e => e.what === 'reconcile.repair')
  t.equal(audit.length, 31, 'every repair is in the audit stream')
  t.same(sorted(audit.map(e => (e.detail as { caseNumber: string }).caseNumber)), sorted([...drift.deleted, ...drift.changedAtSource, ...drift.editedOnPlatform]), 'naming each repaired case')

  await pastMinimumAge(Date.now())
  const last = await hub.reconcileNow(AGENCY)
  t.equal(last.counts.tooYoung, 0, 'every repaired case was old enough to be judged')
  t.same(Object.fromEntries(FINDING_KINDS.map(k => [k, last.findings[k].count])), { missing_in_target: 0, source_changed_unsynced: 0, target_differs: 0, orphan_in_target: 3, stale: 0, late_entry: 0, source_deleted: 0 }, 'equality restored; orphans still reported')
  const after = await hub.alarms.list({ agencyId: AGENCY })
  t.same(sorted(after.filter(a => a.state === 'resolved').map(a => a.kind)), sorted(['missing_in_target', 'source_changed_unsynced', 'target_differs', 'late_entry']), 'the repaired kinds and late entries resolved')
  t.equal(after.find(a => a.kind === 'orphan_in_target')?.state, 'acknowledged', 'the orphan alarm stays, acknowledged')

  await waitFor('the acknowledgement and resolution notifications', () => world.webhook.deliveries.length >= 10)
  await webhookQueueIdle(t, world.prefix)
  const events = world.webhook.deliveries.map(d => `${d.json.event}:${d.json.alarm.kind}`)
  t.equal(events.length, 10, 'five opened, one acknowledged, four resolved: one notification per state change')
  t.equal(new Set(world.webhook.deliveries.map(d => d.json.id)).size, 10, 'no notification twice')
  t.ok(events.includes('acknowledged:orphan_in_target'), 'the acknowledgement was notified')
  t.ok(world.webhook.deliveries.every(d => d.signatureValid), 'all signed')
  const lag = await agencyLag(hub.ledger, AGENCY)
  t.ok(lag.sinceLastReconcileOkSeconds !== null && lag.sinceLastReconcileOkSeconds < 60, 'the last successful reconciliation is recorded for the lag metrics')
})
