/**
 * The "mapped" event names the fields the mapping derived (derive:, with the rule), beside
 * the missing and absent ones: the thin tobacco export (fixtures/agencies/tobacco-monopoly)
 * has no region code and no suspected-crime column, so its cases carry derived values, and
 * the trace must say which values the source did not give. Checked against the fixture's
 * expected canonical cases, one by one.
 */
import t from 'tap'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'tobacco-monopoly-peixian'
const FIXTURE = join(projectRoot, 'fixtures', 'agencies', 'tobacco-monopoly')
const TOKEN = 'viewer-token-mapped-derived-1'

interface Expected { records: { caseNumber?: string; outcome: string; case?: { derived?: { field: string; rule: string }[] } }[] }

t.test('the mapped event lists the derived fields with their rules, exactly as the cases carry them', async t => {
  const world = await startWorld(t, 'mapped-derived', { agency: { records: 0 } })
  const files = tempDir(t)
  const folder = join(files.dir, 'drop')
  mkdirSync(folder)
  copyFileSync(join(FIXTURE, 'sample.txt'), join(folder, 'export.txt'))
  writeFileSync(join(folder, 'export.txt.ok'), '')
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as Record<string, unknown> & { agencies: Record<string, unknown>[]; admin: Record<string, unknown> }
  config.agencies = [{ ...config.agencies[0], id: AGENCY, mapping: join(projectRoot, 'mappings', 'tobacco-monopoly-peixian.yaml'), source: { kind: 'dir-drop', directory: folder, completion: 'marker', include: ['.txt'] } }]
  config.admin = { ...config.admin, tokens: [{ id: 'viewer-1', role: 'viewer', sha256: hashToken(TOKEN) }] }
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  await hub.pullNow(AGENCY)
  const expected = (JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected).records.filter(r => r.outcome === 'valid')
  await waitFor('every valid case enqueued', async () => (await hub.ledger.counters(AGENCY)).enqueued >= expected.length)

  let withDerived = 0
  for (const r of expected) {
    const res = await fetch(`${hub.adminUrl}/api/agencies/${AGENCY}/cases/${encodeURIComponent(r.caseNumber ?? '')}/trace`, { headers: { authorization: `Bearer ${TOKEN}` } })
    const body = await res.json() as { events: { kind: string; derived?: unknown }[] }
    const mapped = body.events.find(e => e.kind === 'mapped')
    const want = r.case?.derived ?? []
    if (want.length > 0) withDerived++
    t.same(mapped?.derived ?? [], want, `${r.caseNumber ?? ''}: derived ${JSON.stringify(want)}`)
  }
  t.ok(withDerived > 0 && withDerived <= expected.length, `cases with derived fields were checked (${withDerived} of ${expected.length})`)
})
