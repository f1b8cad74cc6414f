/**
 * A reconciliation that could not compare the platform (here: the agency code is unknown — a
 * file drop that has delivered nothing yet) says so, and does not resolve the alarm about
 * what the platform holds: an open late_entry stays open. (Issue 21: such a run printed "no
 * findings: source, ledger and platform agree" and resolved a critical late_entry alarm.)
 */
import t from 'tap'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { reconcileReport } from '../../src/cli/reconcile-progress.js'
import { translator } from '../../src/i18n/translate.js'
import { startWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'

const AGENCY = 'market-regulation-peixian'

t.test('a run that did not compare the platform says so and leaves an open late_entry alarm open', async t => {
  const world = await startWorld(t, 'not-compared', { agency: { records: 0 } })
  const files = tempDir(t)
  const folder = join(files.dir, 'drop')
  mkdirSync(folder)
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as { agencies: Array<Record<string, unknown>> }
  config.agencies = [{ ...config.agencies[0], source: { kind: 'dir-drop', directory: folder, completion: 'marker' } }]
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  await hub.alarms.report(AGENCY, 'late_entry', { count: 3, samples: ['A-1', 'A-2', 'A-3'] })

  const result = await hub.reconcileNow(AGENCY)
  t.equal(result.target, 'not-compared', 'the platform was not compared')
  t.ok(result.notes.some(n => /agency code is unknown/.test(n)), 'and the run says why')
  t.equal(result.findings.late_entry.count, 0, 'it found no new late entry')
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'late_entry')
  t.equal(alarm?.state, 'open', 'the late_entry alarm stays open: a run blind to the platform cannot call it clean')
  t.match(reconcileReport(translator('en'), AGENCY, result).at(-1), /^ {2}nothing compared: neither the source nor the platform could be read/, 'the report does not say source, ledger and platform agree')
})
