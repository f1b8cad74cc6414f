import t from 'tap'
import { TARGET_KINDS } from '../helpers/targets.js'
import { driftRun } from './drift-run.js'

// One scenario, run against every kind of platform: the canonical API (compared by bucket
// digests), the provincial exchange and the 前置库 table (compared by full listing through their profiles).
for (const kind of TARGET_KINDS) t.test(`${kind}: one reconciliation reports the scripted drift exactly, alarms once per kind, and repair restores equality`, async t => {
  await driftRun(t, kind, `drift-${kind}`)
})
