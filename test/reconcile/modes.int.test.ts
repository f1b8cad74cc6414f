import t from 'tap'
import { Agent } from 'undici'
import { FINDING_KINDS, type ReconcileResult } from '../../src/reconcile/findings.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import type { TargetAdapter } from '../../src/contracts/target-adapter.js'
import { platformListing } from '../../adapters/http-platform-listing.js'
import { TEST_PLATFORM_TOKEN } from '../helpers/world.js'
import { driftWorld, ownReconciler, pastMinimumAge, plantDrift, startDriftHub, syncAll } from './drift-scenario.js'
import { AGENCY } from './reconcile-world.js'

const countsOf = (r: ReconcileResult): Record<string, number> => Object.fromEntries(FINDING_KINDS.filter(k => k !== 'late_entry').map(k => [k, r.findings[k].count]))

t.test('the same drift is found by digests, by full listing, after a 404 on digests, and — for what it can see — without a source listing', async t => {
  const { world, file, late } = await driftWorld(t, 'modes')
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world)
  const drift = await plantDrift(world, late)
  pastMinimumAge(world, drift.at)

  const expected = { missing_in_target: 17, source_changed_unsynced: 9, target_differs: 5, target_regressed: 0, orphan_in_target: 3, stale: 0, source_deleted: 0 }
  const byDigests = await hub.reconcileNow(AGENCY)
  t.same(countsOf(byDigests), expected, 'by digests')
  const byListing = await hub.reconcileNow(AGENCY, { fullListing: true })
  t.equal(byListing.target, 'full-listing', 'the platform was listed in full')
  t.same(countsOf(byListing), expected, 'by full listing: the same findings')
  t.same(byListing.findings.missing_in_target.samples, byDigests.findings.missing_in_target.samples, 'the same cases')

  // A reconciliation with hand-made adapters: the real ones, one without digests, one without a full listing.
  const own = await ownReconciler(t, hub, world, file)
  const { source, target } = own
  const dispatcher = new Agent()
  t.teardown(async () => { await dispatcher.close() })
  // The platform answers 404 for digests here (a path it does not have).
  const noDigests: TargetAdapter = { kind: target.kind, push: target.push.bind(target), listCases: target.listCases!.bind(target), close: async () => {}, digests: platformListing({ baseUrl: world.platform.url, listPath: '/api/v2/none', token: TEST_PLATFORM_TOKEN, dispatcher, who: 'test platform', pageSize: 500 }).digests }
  const noListing: SourceAdapter = { kind: source.kind, pull: source.pull.bind(source), close: async () => {} }
  const run = async (s: SourceAdapter, tg: TargetAdapter): Promise<ReconcileResult> => await own.run({}, { source: s, target: tg })

  const after404 = await run(source, noDigests)
  t.equal(after404.target, 'full-listing', 'digests refused with 404: the platform was listed instead')
  t.ok(after404.notes.some(n => n.includes('no bucket digests')), 'and the result says so')
  t.same(countsOf(after404), expected, 'with the same findings')

  const withoutSource = await run(noListing, target)
  t.equal(withoutSource.source, 'not-listed', 'a source without a full listing is not listed')
  t.ok(withoutSource.notes.some(n => n.includes('ledger ⇄ platform only')), 'and the result says what that means')
  t.same(countsOf(withoutSource), { ...expected, source_changed_unsynced: 0 }, 'ledger ⇄ platform still finds missing, differing and orphaned cases; unpulled source changes cannot be seen')
  const changed = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'source_changed_unsynced')
  t.equal(changed?.state, 'open', 'a kind it could not judge keeps its alarm as it was')
})
