import t from 'tap'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { Expected } from '../../fixtures/agencies/sample-kit.js'
import { startWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const DROPS = [
  { id: 'ecology-environment-peixian', fixture: 'ecology-environment', file: 'hj-cases-20241101.xml' },
  { id: 'urban-management-peixian', fixture: 'urban-management', file: 'cg-ajxx-20241101.csv' },
] as const

t.test('the GBK XML and GB18030 CSV exports, dropped into folders as in the demo, reach the platform; skips are counted per rule', async t => {
  const world = await startWorld(t, 'drops', { agency: { records: 0 } })
  const files = tempDir(t)
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as { agencies: Array<Record<string, unknown>> }
  const base = config.agencies[0]!
  const expected = new Map<string, Expected>()
  config.agencies = DROPS.map(drop => {
    const folder = join(files.dir, drop.id)
    mkdirSync(folder)
    const fixture = join(projectRoot, 'fixtures', 'agencies', drop.fixture)
    const exp = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Expected
    expected.set(drop.id, exp)
    copyFileSync(join(fixture, exp.sample), join(folder, drop.file))
    writeFileSync(join(folder, drop.file + '.ok'), '')
    return { ...base, id: drop.id, mapping: join(projectRoot, exp.mapping), source: { kind: 'dir-drop', directory: folder, completion: 'marker' } }
  })
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  for (const drop of DROPS) await hub.pullNow(drop.id)
  const valid = [...expected.values()].reduce((n, e) => n + e.summary.valid, 0)
  await waitFor('every clean record on the platform', () => world.platform.stats().totals.stored === valid, { describe: () => JSON.stringify(world.platform.stats().totals) })
  for (const drop of DROPS) {
    const exp = expected.get(drop.id)!
    const quarantine = await hub.ledger.quarantine(drop.id)
    t.same(quarantine.map(q => q.caseNumber).sort(), exp.records.filter(r => r.outcome === 'invalid').map(r => r.caseNumber).sort(), `${drop.id}: exactly the dirty records are quarantined`)
    t.ok(quarantine.every(q => q.origin?.file !== undefined && q.origin.line > 0), `${drop.id}: each names the file and line it came from`)
    const counters = await hub.ledger.counters(drop.id)
    const skips: Record<string, number> = {}
    for (const r of exp.records) if (r.outcome === 'skipped') skips[r.rule.replace('skip:', '')] = (skips[r.rule.replace('skip:', '')] ?? 0) + 1
    t.same(counters.skippedByRule, skips, `${drop.id}: skips counted per rule`)
    t.equal(counters.skipped, exp.summary.skipped)
  }
})
