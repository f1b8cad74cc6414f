/**
 * An agency API page whose list holds items that are no record (a number, text, null, a
 * list) between real records: each such item is quarantined with its page and index, and
 * the records beside it reach the platform — nothing is dropped silently.
 */
import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { startWorld, TEST_PLATFORM_TOKEN } from '../helpers/world.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

t.test('list items that are no object are quarantined with their page position; their neighbours are delivered', async t => {
  const world = await startWorld(t, 'http-non-objects', { agency: { records: 5, seed: 11 } })
  // Real records of the simulator, as its API serves them, to place the odd items between.
  const served = await (await fetch(`${world.agency.url}/api/cases?pageSize=5`)).json() as { data: { list: Record<string, unknown>[] } }
  const records = served.data.list
  t.equal(records.length, 5, 'five records to place the odd items between')
  t.equal(world.agency.stats().invalidByDesign, 0, 'every record of this seed is valid, so only the odd items can be quarantined')
  const page = (list: unknown[], next: string | null): string => JSON.stringify({ data: { list, nextPageToken: next } })
  // Page 1: record, number, record. Page 2: text, record, null, list, record, record.
  world.agency.serveRaw({ body: page([records[0], 42, records[1]], 'p2') })
  world.agency.serveRaw({ body: page(['not a record', records[2], null, ['a', 'list'], records[3], records[4]], null) })

  const hub = await startHub({ config: await loadConfig(world.writeConfig({ pageSize: 5 }), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())

  const summary = await hub.pullNow(AGENCY)
  t.equal(summary?.records, 5, 'the five records were read')
  t.equal(summary?.quarantined, 4, 'the four odd items were quarantined')

  const quarantine = await hub.ledger.quarantine(AGENCY)
  const odd = quarantine.filter(q => q.stage === 'parse').map(q => ({ position: q.position, message: q.problems[0]?.message ?? '' })).sort((a, b) => (a.position?.page ?? 0) - (b.position?.page ?? 0) || (a.position?.index ?? 0) - (b.position?.index ?? 0))
  t.same(odd.map(o => o.position), [{ page: 1, index: 1 }, { page: 2, index: 0 }, { page: 2, index: 2 }, { page: 2, index: 3 }], 'each odd item is in quarantine with its page and index')
  t.match(odd[0]?.message, /^page 1 \(updatedSince \(none\), first page\), item 1: expected a JSON object \(a record\) at "data\.list"\[1\], found a number$/, 'the message names the page, the request and what was found')
  t.match(odd[1]?.message, /^page 2 \(updatedSince \(none\), page token p2\), item 0: .*found text$/)
  t.match(odd[2]?.message, /found null$/)
  t.match(odd[3]?.message, /found a list$/)
  t.notOk(odd.some(o => o.message.includes('not a record')), 'the item\'s value is not repeated in the message (it may be personal data)')
  t.equal(quarantine.length, 4, 'nothing else is quarantined')

  await waitFor('the five records on the platform', () => world.platform.stats().totals.stored === 5)
  const stored = await (await fetch(`${world.platform.url}/api/v1/cases?agencyCode=${DEMO_AGENCY_CODE}&pageSize=100`, { headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}` } })).json() as { items: { case: { caseNumber: string } }[] }
  const caseNumbers = records.map(r => String(r.AJBH))
  t.same(stored.items.map(i => i.case.caseNumber).sort(), [...caseNumbers].sort(), 'the neighbours of the odd items were delivered')
})
