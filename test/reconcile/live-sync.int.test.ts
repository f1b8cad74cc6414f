import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { agencyLag } from '../../src/lag/agency-lag.js'
import { FINDING_KINDS, type ReconcileResult } from '../../src/reconcile/findings.js'
import { builtInRegistry } from '../../adapters/index.js'
import { waitFor } from '../helpers/wait-for.js'
import { AGENCY, sim, startReconcileWorld } from './reconcile-world.js'

const MIN_AGE_S = 4
const total = (r: ReconcileResult): number => FINDING_KINDS.reduce((n, k) => n + r.findings[k].count, 0)

t.test('reconciling during a live sync reports nothing for cases younger than the minimum age', async t => {
  const world = await startReconcileWorld(t, 'live', 120)
  // Live cases are decided up to 40 days before they are entered; the late-entry rule is
  // not what this test is about, so its deadline is set beyond that.
  const file = world.writeConfig({ minAgeSeconds: MIN_AGE_S, entryDeadlineDays: 60, lagLimitSeconds: 120 }, { schedule: '* * * * * *' })
  const hub = await startHub({ config: await loadConfig(file, builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), reconcileClock: world.clock.now })
  t.teardown(async () => await hub.close())
  await waitFor('the first sync', async () => await hub.ledger.ackedCount(AGENCY) === 120, { timeoutMs: 30_000 })
  const quietSince = Date.now()
  // Waited in real time, not moved: the reconciliations during the live sync must see the cases
  // entered meanwhile as younger than the minimum age, which a clock moved ahead would not.
  await waitFor('the first cases to age past the minimum', () => Date.now() > quietSince + MIN_AGE_S * 1000, { timeoutMs: 10_000, intervalMs: 50 })

  // The agency keeps entering and editing cases while the hub syncs and reconciles.
  let stop = false
  let added = 0
  const live = (async () => {
    let round = 0
    while (!stop) {
      added += (await sim<unknown[]>('POST', `${world.agency.url}/__sim/cases`, { count: 4 })).length
      const target = world.records[(round * 7) % world.records.length]
      if (target !== undefined) await sim('PUT', `${world.agency.url}/__sim/cases/${target.AJBH}`, { AQZY: `第${round}次补充调查记录。` })
      round++
      await new Promise(resolve => setTimeout(resolve, 150))
    }
  })()
  const during: ReconcileResult[] = []
  try {
    const until = Date.now() + 6000
    while (during.length < 4 || Date.now() < until) {
      during.push(await hub.reconcileNow(AGENCY))
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  } finally {
    stop = true
    await live
  }

  t.ok(added >= 40, `the agency entered ${added} cases meanwhile`)
  const noisy = during.filter(r => total(r) > 0).map(r => Object.fromEntries(FINDING_KINDS.map(k => [k, r.findings[k].count])))
  t.same(noisy, [], `none of the ${during.length} reconciliations during the live sync found anything`)
  t.ok(during.every(r => r.counts.tooYoung > 0), `each saw fresh cases in flight and left them unjudged (${Math.min(...during.map(r => r.counts.tooYoung))} to ${Math.max(...during.map(r => r.counts.tooYoung))})`)
  t.ok(during.every(r => r.counts.compared >= 120), 'every case was compared')
  t.same(await hub.alarms.list({ agencyId: AGENCY }), [], 'no alarm was raised')

  // Once the activity has stopped and aged, the same comparison judges everything — and finds it equal.
  // The last edits may not be pulled yet (acknowledged counts cases, not versions). The first
  // pull may be one already running, begun before the stop; the second begins after it ended,
  // so it reads every last edit.
  const expected = 120 + added
  await hub.pullNow(AGENCY)
  await hub.pullNow(AGENCY)
  await waitFor('every live case acknowledged', async () => await hub.ledger.ackedCount(AGENCY) === expected && (await agencyLag(hub.ledger, AGENCY)).pendingChanges === 0, { timeoutMs: 30_000 })
  // Nothing is entered any more: the reconciler's clock is moved past the minimum age instead of waiting for it.
  world.clock.movePast(Date.now() + MIN_AGE_S * 1000)
  const after = await hub.reconcileNow(AGENCY)
  t.equal(after.counts.tooYoung, 0, 'nothing is in flight any more')
  t.equal(after.counts.sourceValid, expected, `all ${expected} cases listed`)
  t.equal(total(after), 0, 'and nothing differs')
})
