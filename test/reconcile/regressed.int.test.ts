import t from 'tap'
import { FINDING_KINDS, type ReconcileResult } from '../../src/reconcile/findings.js'
import { waitFor } from '../helpers/wait-for.js'
import { pastMinimumAge, sorted, startDriftHub, syncAll } from './drift-scenario.js'
import { AGENCY, platformCases, putOnPlatform, sim, startReconcileWorld } from './reconcile-world.js'

const countsOf = (r: ReconcileResult): Record<string, number> => Object.fromEntries(FINDING_KINDS.map(k => [k, r.findings[k].count]))
const NONE = Object.fromEntries(FINDING_KINDS.map(k => [k, 0]))
const CASES = 40

t.test('a platform that went back to a version the hub sent earlier, while the ledger acknowledges the newer one, is reported target_regressed — apart from a foreign edit — and repaired', async t => {
  const world = await startReconcileWorld(t, 'regressed', CASES)
  const file = world.writeConfig({ minAgeSeconds: 1, entryDeadlineDays: 60 })
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world, CASES)

  // Three cases change at the agency and are delivered: the ledger acknowledges version 2.
  const before = await platformCases(world)
  const regressed = world.records.slice(5, 8).map(r => r.AJBH)
  for (const n of regressed) await sim('PUT', `${world.agency.url}/__sim/cases/${n}`, { AQZY: `补充调查后更新的案情（${n}）。` })
  await hub.pullNow(AGENCY)
  await waitFor('version 2 of the three acknowledged', async () => {
    const held = await platformCases(world)
    return regressed.every(n => JSON.stringify(held.get(n)?.case) !== JSON.stringify(before.get(n)?.case)) && await hub.ledger.pendingCount(AGENCY) === 0
  })

  // Then the platform holds version 1 of them again (a late delivery of the old one), and a foreign edit of another case.
  for (const n of regressed) {
    const old = before.get(n)?.case
    if (old === undefined) throw new Error(`no platform copy of ${n}`)
    await putOnPlatform(world, old)
  }
  const foreign = world.records[20]?.AJBH as string
  const held = before.get(foreign)?.case
  if (held === undefined) throw new Error(`no platform copy of ${foreign}`)
  await putOnPlatform(world, { ...held, factsSummary: `${held.factsSummary ?? ''}（平台侧被人工修改）` })
  pastMinimumAge(world, Date.now())

  const first = await hub.reconcileNow(AGENCY, { repair: true })
  t.same(countsOf(first), { ...NONE, target_regressed: regressed.length, target_differs: 1 }, 'exactly the three regressed cases and the foreign edit, each under its own kind')
  t.same(sorted(first.findings.target_regressed.samples), sorted(regressed), 'target_regressed names the cases whose older version came back')
  t.same(first.findings.target_differs.samples, [foreign], 'target_differs names the case nobody sent')
  t.same(first.repair?.byKind, { target_regressed: regressed.length, target_differs: 1 }, 'repair re-sends them')
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'target_regressed')
  t.equal(alarm?.state, 'open', 'a target_regressed alarm is open')
  t.equal(alarm?.severity, 'critical', 'critical from the first case: a legal record went back in time')

  await waitFor('the repair delivered', async () => await hub.ledger.pendingCount(AGENCY) === 0, { timeoutMs: 30_000 })
  pastMinimumAge(world, Date.now())
  const second = await hub.reconcileNow(AGENCY)
  t.same(countsOf(second), NONE, 'after the repair: nothing')
  t.equal((await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'target_regressed')?.state, 'resolved', 'the alarm resolved')
})
