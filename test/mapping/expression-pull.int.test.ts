import t from 'tap'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { builtInRegistry } from '../../adapters/index.js'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { DEMO_MAPPING, startWorld, TEST_PLATFORM_TOKEN } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

t.test('a mapping with an expression syncs through the hub like any other', async t => {
  const world = await startWorld(t, 'expr-pull', { agency: { records: 80, seed: 5 } })
  const files = tempDir(t)
  const mapping = files.write('market.yaml', readFileSync(DEMO_MAPPING, 'utf8')
    .replace('/factsSummary:                   { from: AQZY, text: [trim] }', '/factsSummary:                   { expr: "AY & \'：\' & AQZY", text: [trim] }'))
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as { agencies: Array<Record<string, unknown>> }
  config.agencies[0]!.mapping = mapping
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  t.ok(hub.mappings.get(AGENCY)?.current().usesExpressions, 'the mapping uses an expression')
  const stats = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  const summary = await hub.pullNow(AGENCY)
  t.equal(summary?.quarantined, stats.invalidByDesign, 'only the invalid-by-design records are quarantined')
  await waitFor('every valid case on the platform', () => world.platform.stats().totals.stored === stats.records - stats.invalidByDesign)
  const res = await fetch(`${world.platform.url}/api/v1/cases?agencyCode=${DEMO_AGENCY_CODE}&pageSize=1000`, { headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}` } })
  const page = await res.json() as { items: Array<{ case: CanonicalCase }> }
  t.equal(page.items.length, stats.records - stats.invalidByDesign)
  t.ok(page.items.every(i => i.case.factsSummary?.startsWith(`${i.case.classification?.cause ?? '(no cause)'}：`) === true), 'every facts summary was computed by the expression')
})
