import t from 'tap'
import { leafIndex } from '../../src/ledger/bucket-digest.js'
import { FINDING_KINDS, type ReconcileResult } from '../../src/reconcile/findings.js'
import type { ReconcileProgress } from '../../src/reconcile/progress.js'
import { waitFor } from '../helpers/wait-for.js'
import { driftWorld, ownReconciler, pastMinimumAge, plantDrift, sorted, startDriftHub, syncAll } from './drift-scenario.js'
import { AGENCY, platformCases, sim } from './reconcile-world.js'

const countsOf = (r: ReconcileResult): Record<string, number> => Object.fromEntries(FINDING_KINDS.filter(k => k !== 'late_entry').map(k => [k, r.findings[k].count]))
const EXPECTED = { missing_in_target: 17, source_changed_unsynced: 9, target_differs: 5, target_regressed: 0, orphan_in_target: 3, stale: 0, source_deleted: 0 }

t.test('the digest bisection descends to the leaves when told to list nothing bigger, and still finds exactly the drift; every run reports its progress', async t => {
  const { world, file, late } = await driftWorld(t, 'bisect')
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world)
  const drift = await plantDrift(world, late)
  pastMinimumAge(world, drift.at)

  // A reconciliation of this hub's agency with options the hub API does not offer.
  const own = await ownReconciler(t, hub, world, file)

  const shallow = await own.run()
  t.equal(shallow.digest?.deepestDepth, 2, '160 cases: the default threshold lists every differing top bucket at once')
  t.same(countsOf(shallow), EXPECTED, 'and finds the drift')

  const events: ReconcileProgress[] = []
  const deep = await own.run({ listThreshold: 0, onProgress: p => events.push(p) })
  t.equal(deep.digest?.deepestDepth, 4, 'threshold 0: it descended two levels below the top, to the leaves')
  t.ok((deep.digest?.requests ?? 0) >= 4, `three levels of digests and one listing (${deep.digest?.requests} requests)`)
  t.same(countsOf(deep), EXPECTED, 'and finds exactly the same drift')
  t.same(sorted(deep.findings.missing_in_target.samples), sorted(drift.deleted), 'the same cases')
  // Only leaves whose digests differ are listed: those of the deleted, edited and orphaned cases.
  const differing = new Set([...drift.deleted, ...drift.editedOnPlatform, ...drift.orphans].map(leafIndex))
  t.equal(deep.digest?.leavesListed, differing.size, `exactly the ${differing.size} leaves that differ were listed`)
  const held = await platformCases(world)
  t.equal(deep.digest?.casesListed, [...held.keys()].filter(n => differing.has(leafIndex(n))).length, 'and only the platform cases in them')
  t.ok((deep.digest?.casesListed ?? 0) < shallow.digest!.casesListed, `fewer cases listed than by the shallow run (${deep.digest?.casesListed} < ${shallow.digest?.casesListed})`)

  // Progress: the phases in order, each counting up to what the result reports.
  const phases = events.map(e => e.phase).filter((p, i, all) => p !== all[i - 1])
  t.same(phases, ['source', 'target', 'compare'], 'source listed, platform compared, cases compared')
  const last = (phase: string): ReconcileProgress | undefined => events.filter(e => e.phase === phase).at(-1)
  t.equal(last('source')?.done, deep.counts.sourceRecords, 'the source records listed')
  t.equal(last('target')?.done, deep.digest?.casesListed, 'the platform cases listed')
  t.equal(last('compare')?.done, deep.counts.compared, 'the cases compared')
  t.ok(events.every(e => e.runId === deep.runId), 'all of this run')
  const counts = events.filter(e => e.phase === 'compare').map(e => e.done)
  t.ok(counts.every((n, i) => i === 0 || n >= (counts[i - 1] ?? 0)), 'counting up')

  // Other processes (the admin API) read the progress of a run while it holds the lock.
  await sim('POST', `${world.platform.url}/__sim/faults`, { latencyMs: 300 })
  const running = hub.reconcileNow(AGENCY)
  const seen = await waitFor('the progress of the running reconciliation', async () => await hub.ledger.reconcileState(AGENCY).progress<ReconcileProgress>(), { intervalMs: 20 })
  const result = await running
  t.equal(seen.runId, result.runId, 'another process sees the running run\'s progress')
  t.equal(await hub.ledger.reconcileState(AGENCY).progress(), undefined, 'and none once it has finished')
})
