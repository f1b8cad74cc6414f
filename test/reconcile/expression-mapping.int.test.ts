import t from 'tap'
import { readFileSync } from 'node:fs'
import { tempDir } from '../helpers/temp-files.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { pastMinimumAge, sorted, startDriftHub, syncAll } from './drift-scenario.js'
import { AGENCY, deleteOnPlatform, editSourceSilently, startReconcileWorld } from './reconcile-world.js'

const CASES = 30

t.test('an agency whose mapping uses a JSONata expression is reconciled and repaired like any other', async t => {
  const world = await startReconcileWorld(t, 'expr', CASES)
  const text = readFileSync(DEMO_MAPPING, 'utf8').replace('/factsSummary:                   { from: AQZY, text: [trim] }', '/factsSummary:                   { expr: "AQZY", text: [trim] }')
  t.ok(text.includes('expr: "AQZY"'), 'the facts summary is computed by an expression')
  const mapping = tempDir(t).write('market-regulation-peixian.yaml', text)
  const hub = await startDriftHub(t, world, world.writeConfig({ minAgeSeconds: 1, entryDeadlineDays: 60 }, { mapping }))
  await syncAll(hub, world, CASES)
  const changed = world.records.slice(0, 3).map(r => r.AJBH)
  const deleted = world.records.slice(5, 7).map(r => r.AJBH)
  for (const n of changed) await editSourceSilently(world, n)
  for (const n of deleted) await deleteOnPlatform(world, n)
  pastMinimumAge(world, Date.now())

  const result = await hub.reconcileNow(AGENCY, { repair: true })
  t.equal(result.counts.sourceValid, CASES, 'every source record maps to a valid case')
  t.same(sorted(result.findings.source_changed_unsynced.samples), sorted(changed), 'the silent source changes are found')
  t.same(sorted(result.findings.missing_in_target.samples), sorted(deleted), 'and the cases missing on the platform')
  t.equal(result.repair?.enqueued, 5, 'all five are re-sent')
})
