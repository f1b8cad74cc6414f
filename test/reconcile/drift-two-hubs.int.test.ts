import t from 'tap'
import { AlarmStateError, ReconcileBusyError } from '../../src/errors.js'
import { agencyLag } from '../../src/lag/agency-lag.js'
import { waitFor } from '../helpers/wait-for.js'
import { driftWorld, pastMinimumAge, plantDrift, sorted, startDriftHub, syncAll, webhookQueueIdle } from './drift-scenario.js'
import { AGENCY } from './reconcile-world.js'

t.test('two hub processes on one Redis still deliver one webhook notification per alarm state change', async t => {
  const { world, file, late } = await driftWorld(t, 'drift2')
  const a = await startDriftHub(t, world, file)
  const b = await startDriftHub(t, world, file)
  await syncAll(a, world)
  const drift = await plantDrift(world, late)
  pastMinimumAge(world, drift.at)

  // Both hubs reconcile at the same moment: one runs, the other is told it is busy.
  const both = await Promise.allSettled([a.reconcileNow(AGENCY), b.reconcileNow(AGENCY)])
  const ran = both.filter(r => r.status === 'fulfilled')
  t.equal(ran.length, 1, 'exactly one of two simultaneous reconciliations ran')
  t.ok(both.some(r => r.status === 'rejected' && r.reason instanceof ReconcileBusyError), 'the other was refused as busy')
  // …and then each runs one more while the alarms are already open: no new state change.
  await a.reconcileNow(AGENCY)
  await b.reconcileNow(AGENCY)

  // Late entries are history: reported by the run that saw them acknowledged, and the alarm
  // stays open through the next runs that find no new one (no resolve-and-reopen).
  await waitFor('the opened notifications', () => world.webhook.deliveries.length >= 5)
  await webhookQueueIdle(t, world.prefix)
  t.same(sorted(world.webhook.deliveries.map(d => `${d.json.event}:${d.json.alarm.kind}`)), sorted([
    'opened:missing_in_target', 'opened:source_changed_unsynced', 'opened:target_differs', 'opened:orphan_in_target', 'opened:late_entry',
  ]), 'three reconciliations on two hubs: one notification per state change, none twice')

  const acks = await Promise.allSettled([a.alarms.acknowledge(AGENCY, 'orphan_in_target', 'operator-a'), b.alarms.acknowledge(AGENCY, 'orphan_in_target', 'operator-b')])
  t.equal(acks.filter(r => r.status === 'fulfilled').length, 1, 'one of two simultaneous acknowledgements wins')
  t.ok(acks.some(r => r.status === 'rejected' && r.reason instanceof AlarmStateError), 'the other finds it acknowledged already')

  await a.reconcileNow(AGENCY, { repair: true })
  await waitFor('the repairs acknowledged', async () => (await agencyLag(a.ledger, AGENCY)).pendingChanges === 0, { timeoutMs: 30_000 })
  pastMinimumAge(world, Date.now())
  await Promise.allSettled([a.reconcileNow(AGENCY), b.reconcileNow(AGENCY)])
  await b.reconcileNow(AGENCY)

  await waitFor('the resolution notifications', () => world.webhook.deliveries.length >= 9)
  await webhookQueueIdle(t, world.prefix)
  const changes = world.webhook.deliveries.map(d => d.json.id)
  t.equal(changes.length, 9, 'five opened, one acknowledged, three resolved (the late_entry alarm stays) — nothing twice')
  t.equal(new Set(changes).size, 9, 'every notification names a different change')
  t.ok(world.webhook.deliveries.every(d => d.signatureValid), 'all signed')
})

t.test('a scheduled reconciliation runs once per tick across two hub processes', async t => {
  const { world } = await driftWorld(t, 'ticks')
  const file = world.writeConfig({ schedule: '* * * * * *', minAgeSeconds: 1 })
  const first = await startDriftHub(t, world, file, true)
  await startDriftHub(t, world, file, true)
  const state = first.ledger.reconcileState(AGENCY)
  await waitFor('six scheduled reconciliations', async () => (await state.history()).filter(h => h.trigger === 'schedule').length >= 6, { timeoutMs: 30_000 })
  const ticks = (await state.history()).filter(h => h.trigger === 'schedule').map(r => r.scheduledFor)
  t.ok(ticks.every(tick => tick !== undefined), 'each scheduled run names its tick')
  t.equal(new Set(ticks).size, ticks.length, `no tick ran twice (${ticks.length} runs, ${new Set(ticks).size} distinct ticks)`)
})
