import t from 'tap'
import { Redis } from 'ioredis'
import { readAudit } from '../../src/audit/audit-stream.js'
import { agencyLag } from '../../src/lag/agency-lag.js'
import { FINDING_KINDS } from '../../src/reconcile/findings.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait-for.js'
import { driftWorld, pastMinimumAge, plantDrift, sorted, SOURCE_CASES, startDriftHub, syncAll, webhookQueueIdle } from './drift-scenario.js'
import { AGENCY } from './reconcile-world.js'
import { TARGET_KINDS } from '../helpers/targets.js'

// One scenario, run against every kind of platform: the canonical API (compared by bucket
// digests), the provincial exchange and the 前置库 table (compared by full listing through their profiles).
for (const kind of TARGET_KINDS) t.test(`${kind}: one reconciliation reports the scripted drift exactly, alarms once per kind, and repair restores equality`, async t => {
  const { world, file, late } = await driftWorld(t, `drift-${kind}`, kind)
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world)

  const drift = await plantDrift(world, late)
  pastMinimumAge(world, drift.at)
  const first = await hub.reconcileNow(AGENCY)

  t.equal(first.source, 'listed', 'the source was listed in full')
  const digests = kind === 'canonical'
  t.equal(first.target, digests ? 'digests' : 'full-listing', digests ? 'the platform was compared by bucket digests' : 'the platform was listed in full through its profile')
  t.equal(first.counts.sourceValid, SOURCE_CASES, 'every source case is valid under the current mapping')
  t.equal(first.counts.tooYoung, 0, 'nothing was left unjudged as too young')
  const planted = { deleted: drift.deleted.length, changedAtSource: drift.changedAtSource.length, editedOnPlatform: drift.editedOnPlatform.length, orphans: drift.orphans.length, late: drift.late.length }
  t.same(planted, { deleted: 17, changedAtSource: 9, editedOnPlatform: 5, orphans: 3, late: 4 }, 'the scripted drift was planted in full (drift-scenario.ts)')
  const counts = Object.fromEntries(FINDING_KINDS.map(k => [k, first.findings[k].count]))
  t.same(counts, { missing_in_target: planted.deleted, source_changed_unsynced: planted.changedAtSource, target_differs: planted.editedOnPlatform, target_regressed: 0, orphan_in_target: planted.orphans, stale: 0, late_entry: planted.late, source_deleted: 0 }, 'exactly as many as planted, each under its kind')
  t.same(sorted(first.findings.missing_in_target.samples), sorted(drift.deleted), 'missing: the deleted cases')
  t.same(sorted(first.findings.source_changed_unsynced.samples), sorted(drift.changedAtSource), 'changed: the cases edited at the source')
  t.same(sorted(first.findings.target_differs.samples), sorted(drift.editedOnPlatform), 'differs: the cases edited on the platform')
  t.same(sorted(first.findings.orphan_in_target.samples), sorted(drift.orphans), 'orphans: the cases only the platform has')
  t.same(sorted(first.findings.late_entry.samples), sorted(drift.late), 'late: the backdated decisions')
  if (digests) t.ok(first.digest !== undefined && first.digest.casesListed < SOURCE_CASES, `only differing buckets were listed (${first.digest?.casesListed} cases)`)

  const open = await hub.alarms.list({ agencyId: AGENCY, state: 'open' })
  t.same(sorted(open.map(a => a.kind)), sorted(['missing_in_target', 'source_changed_unsynced', 'target_differs', 'orphan_in_target', 'late_entry']), 'one open alarm per kind found')
  t.equal(open.find(a => a.kind === 'missing_in_target')?.count, planted.deleted, 'the alarm carries the count')
  t.equal(open.find(a => a.kind === 'missing_in_target')?.severity, 'critical', 'severity from the default thresholds (critical from 10)')

  await waitFor('one webhook delivery per open alarm', () => world.webhook.deliveries.length >= open.length)
  await webhookQueueIdle(t, world.prefix)
  const opened = world.webhook.deliveries
  t.equal(opened.length, open.length, 'the webhook received exactly one notification per alarm')
  t.ok(opened.every(d => d.signatureValid), 'every notification is signed with the shared secret')
  t.same(sorted(opened.map(d => `${d.json.event}:${d.json.alarm.kind}`)), sorted(open.map(a => `opened:${a.kind}`)), 'each says which alarm opened')
  t.equal(opened.find(d => d.json.alarm.kind === 'late_entry')?.json.title, 'Late entry', 'texts in the hub language')

  await hub.alarms.acknowledge(AGENCY, 'orphan_in_target', 'test-operator', 'known test data')
  const repairRun = await hub.reconcileNow(AGENCY, { repair: true })
  const repairable = planted.deleted + planted.changedAtSource + planted.editedOnPlatform
  t.same(repairRun.repair?.byKind, { missing_in_target: planted.deleted, source_changed_unsynced: planted.changedAtSource, target_differs: planted.editedOnPlatform }, 'repair re-sent every repairable case')
  t.equal(repairRun.repair?.enqueued, repairable)
  t.equal(repairRun.findings.late_entry.count, 0, 'no new late entry since the previous run')

  await waitFor('the platform to acknowledge the repairs', async () => (await agencyLag(hub.ledger, AGENCY)).pendingChanges === 0, { timeoutMs: 30_000 })
  const holds = async (numbers: readonly string[]): Promise<boolean[]> => await Promise.all(numbers.map(async n => await world.target.drift.has(world.agency.agencyCode, n)))
  t.same(await holds(drift.deleted), drift.deleted.map(() => true), 'the deleted cases are back')
  t.same(await holds(drift.orphans), drift.orphans.map(() => true), 'orphans were not deleted')
  t.equal((await world.target.totals()).rejected, 0, 'the platform rejected nothing')

  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const audit = (await readAudit(redis, world.prefix, 100)).filter(e => e.what === 'reconcile.repair')
  t.equal(audit.length, repairable, 'every repair is in the audit stream')
  t.same(sorted(audit.map(e => (e.detail as { caseNumber: string }).caseNumber)), sorted([...drift.deleted, ...drift.changedAtSource, ...drift.editedOnPlatform]), 'naming each repaired case')

  pastMinimumAge(world, Date.now())
  const last = await hub.reconcileNow(AGENCY)
  t.equal(last.counts.tooYoung, 0, 'every repaired case was old enough to be judged')
  t.same(Object.fromEntries(FINDING_KINDS.map(k => [k, last.findings[k].count])), { missing_in_target: 0, source_changed_unsynced: 0, target_differs: 0, target_regressed: 0, orphan_in_target: planted.orphans, stale: 0, late_entry: 0, source_deleted: 0 }, 'equality restored; orphans still reported')
  const after = await hub.alarms.list({ agencyId: AGENCY })
  t.same(sorted(after.filter(a => a.state === 'resolved').map(a => a.kind)), sorted(['missing_in_target', 'source_changed_unsynced', 'target_differs']), 'the repaired kinds resolved')
  t.equal(after.find(a => a.kind === 'late_entry')?.state, 'open', 'the late entries are history: their alarm stays open until acknowledged or its window passes')
  t.equal(after.find(a => a.kind === 'orphan_in_target')?.state, 'acknowledged', 'the orphan alarm stays, acknowledged')

  await waitFor('the acknowledgement and resolution notifications', () => world.webhook.deliveries.length >= 9)
  await webhookQueueIdle(t, world.prefix)
  const events = world.webhook.deliveries.map(d => `${d.json.event}:${d.json.alarm.kind}`)
  t.equal(events.length, 9, 'five opened, one acknowledged, three resolved: one notification per state change')
  t.equal(new Set(world.webhook.deliveries.map(d => d.json.id)).size, 9, 'no notification twice')
  t.ok(events.includes('acknowledged:orphan_in_target'), 'the acknowledgement was notified')
  t.ok(world.webhook.deliveries.every(d => d.signatureValid), 'all signed')
  const lag = await agencyLag(hub.ledger, AGENCY)
  t.ok(lag.sinceLastReconcileOkSeconds !== null && lag.sinceLastReconcileOkSeconds < 60, 'the last successful reconciliation is recorded for the lag metrics')
})
