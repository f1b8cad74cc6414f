import t from 'tap'
import { Redis } from 'ioredis'
import { readAudit } from '../../src/audit/audit-stream.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait-for.js'
import { DEADLINE_DAYS, driftWorld, MIN_AGE_MS, pastMinimumAge, plantDrift, sorted, startDriftHub, syncAll } from './drift-scenario.js'
import { AGENCY, platformCases } from './reconcile-world.js'

const REPAIRABLE = ['missing_in_target', 'source_changed_unsynced', 'target_differs'] as const

t.test('with autoRepair, a scheduled reconciliation re-sends what it finds and the platform comes back to equality, every repair audited', async t => {
  const { world, late } = await driftWorld(t, 'autorepair')
  // Reconcile every second, repairing on scheduled runs; pulls only on demand.
  const file = world.writeConfig({ schedule: '* * * * * *', autoRepair: true, minAgeSeconds: MIN_AGE_MS / 1000, entryDeadlineDays: DEADLINE_DAYS, lagLimitSeconds: 600 })
  const hub = await startDriftHub(t, world, file, true)
  await syncAll(hub, world)
  const state = hub.ledger.reconcileState(AGENCY)
  const drift = await plantDrift(world, late)
  // The scheduled runs' clock is moved past the minimum age: the next run may judge all of the drift.
  pastMinimumAge(world, drift.at)
  const afterDrift = async (): Promise<Awaited<ReturnType<typeof state.history>>> => (await state.history()).filter(h => Date.parse(h.startedAt) > drift.at)

  // No one asks: the schedule finds the drift, repairs it, and a later run finds it gone.
  const clean = await waitFor('a scheduled run, after one that repaired, that finds nothing to repair', async () => {
    const runs = await afterDrift()
    const repaired = runs.findIndex(h => (h.repaired ?? 0) > 0)
    return repaired > 0 ? runs.slice(0, repaired).find(h => Date.parse(h.startedAt) > drift.at + MIN_AGE_MS && REPAIRABLE.every(k => h.findings[k] === 0)) : undefined
  }, { timeoutMs: 60_000, describe: async () => JSON.stringify((await afterDrift()).slice(0, 5)) })
  const runs = await afterDrift()
  t.ok(runs.every(h => h.trigger === 'schedule'), 'every run since the drift was a scheduled one')
  const repairing = runs.filter(h => (h.repaired ?? 0) > 0)
  t.ok(repairing.length >= 1, `${repairing.length} scheduled run(s) re-sent cases`)
  // A run judges what is past the minimum age, so the drift may be found over more than one run.
  const found = (k: typeof REPAIRABLE[number]): number => runs.reduce((n, h) => n + (h.findings[k] ?? 0), 0)
  t.ok(found('missing_in_target') >= 17 && found('source_changed_unsynced') >= 9 && found('target_differs') >= 5, `they found the drift (${REPAIRABLE.map(k => `${k} ${found(k)}`).join(', ')})`)
  t.equal(clean.findings.orphan_in_target, 3, 'orphans are reported, never deleted')
  const held = await platformCases(world)
  t.ok(drift.deleted.every(n => held.has(n)), 'the cases deleted on the platform are back')
  t.ok(drift.editedOnPlatform.every(n => !(held.get(n)?.case.factsSummary ?? '').includes('平台端被改动')), 'the cases edited on the platform hold the source version again')
  t.ok(drift.changedAtSource.every(n => (held.get(n)?.case.factsSummary ?? '').includes('复核后更正')), 'the cases changed silently at the source hold the change')
  t.ok(drift.orphans.every(n => held.has(n)), 'the orphans are still there')
  const alarms = await hub.alarms.list({ agencyId: AGENCY })
  t.ok(REPAIRABLE.every(k => alarms.find(a => a.kind === k)?.state === 'resolved'), 'the repaired kinds resolved by themselves')

  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const audit = (await readAudit(redis, world.prefix, 1000)).filter(e => e.what === 'reconcile.repair')
  t.same(sorted([...new Set(audit.map(e => (e.detail as { caseNumber: string }).caseNumber))]), sorted([...drift.deleted, ...drift.changedAtSource, ...drift.editedOnPlatform]), 'every repaired case is in the audit stream')
  t.ok(audit.every(e => e.who === 'reconciler' && e.result === 'ok'), 'recorded as the reconciler\'s')
  t.ok(audit.every(e => repairing.some(h => h.runId === (e.detail as { runId: string }).runId)), 'each under a scheduled run that repaired')
})
