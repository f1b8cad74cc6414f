/**
 * A hub that had delivered cases before `risk:` was configured: its ledger has their versions
 * but no transfer-risk facts, and pulls will not bring those cases again until they change.
 * A reconciliation lists the source and records the missing facts — only for versions the
 * ledger holds (same fingerprint), never over facts a pull wrote.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

t.test('a reconciliation records the facts of cases delivered before risk: was configured', async t => {
  const world = await startWorld(t, 'risk-backfill', { agency: { records: 40 } })
  const files = tempDir(t)
  const base = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as Record<string, unknown>
  const env = { ...world.env, TEST_PARTY_SECRET: 'party-secret-backfill-0123456789abcdef' }
  const registry = builtInRegistry()

  const before = await startHub({ config: await loadConfig(files.write('before.yaml', JSON.stringify(base)), registry, env), registry, logger: silentLogger(), schedule: false })
  await before.pullNow(AGENCY)
  const cases = (await before.ledger.completeness(AGENCY)).cases
  t.ok(cases > 30, `the cases the first hub delivered (${cases})`)
  await waitFor('delivered', () => world.platform.stats().totals.stored === cases)
  t.equal((await before.ledger.riskFacts(AGENCY)).facts.size, 0, 'no facts without risk:')
  await before.close()

  const rulesFile = files.write('rules.yaml', 'thresholds: []\n')
  const withRisk = { ...base, risk: { rulesFile, partySecret: { env: 'TEST_PARTY_SECRET' } } }
  const hub = await startHub({ config: await loadConfig(files.write('after.yaml', JSON.stringify(withRisk)), registry, env), registry, logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  await hub.pullNow(AGENCY)
  t.equal((await hub.ledger.riskFacts(AGENCY)).facts.size, 0, 'a pull brings nothing new: still no facts')

  // One case changes at the source and is pulled: its facts come from the pull.
  const listed = await (await fetch(`${world.agency.url}/api/cases?pageSize=50`)).json() as { data: { list: Array<{ AJBH?: string }> } }
  const seenNumbers = new Set((await hub.ledger.seenVersions(AGENCY, listed.data.list.map(r => String(r.AJBH)))).map((v, i) => v === undefined ? '' : String(listed.data.list[i]?.AJBH)))
  const first = listed.data.list.find(r => seenNumbers.has(String(r.AJBH)))
  t.ok(first, 'a delivered case to change')
  await fetch(`${world.agency.url}/__sim/cases/${encodeURIComponent(String(first?.AJBH))}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AY: '销售伪劣产品（改）' }) })
  await hub.pullNow(AGENCY)
  const pulled = await hub.ledger.riskFacts(AGENCY)
  t.same([...pulled.facts.keys()], [String(first?.AJBH)], 'the changed case has facts from its pull')

  await hub.reconcileNow(AGENCY, { fullListing: true })
  const after = await hub.ledger.riskFacts(AGENCY)
  t.equal(after.facts.size, cases, 'after a reconciliation every case the ledger holds has facts')
  t.equal(after.facts.get(String(first?.AJBH))?.cause, '销售伪劣产品（改）', 'the pulled facts were not overwritten')
})
