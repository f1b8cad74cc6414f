import t from 'tap'
import { startAgencySimulator, type AgencyRecord } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator, type CaseListPage } from '../../fixtures/platform-sim/index.js'
import { SortedKeys } from '../../fixtures/sim-shared/sorted-keys.js'
import { fingerprint } from '../../src/contracts/fingerprint.js'
import { validCases } from './fixtures/canonical-cases.js'
import { call, getJson } from './fixtures/http.js'

t.test('many keys inserted at once sort exactly as one by one, without duplicates', async t => {
  const keys = Array.from({ length: 500 }, (_, i) => `2024-0${1 + (i * 7) % 9}\u0000C-${(i * 31) % 200}`)
  const single = new SortedKeys()
  for (const k of keys) single.insert(k)
  const bulk = new SortedKeys()
  bulk.insert(keys[0] as string)
  bulk.insertMany(keys)
  t.equal(bulk.size, single.size, 'duplicates dropped')
  t.same(bulk.slice('', false, 1000), single.slice('', false, 1000), 'same order')
})

t.test('the platform simulator stores a bulk of cases as given, and the agency simulator deletes a case', async t => {
  const platform = await startPlatformSimulator({ port: 0, tokens: ['tok'] })
  t.teardown(() => platform.close())
  const cases = validCases(30)
  const stored = await call<{ stored: number }>('POST', `${platform.url}/__sim/cases/bulk`, { body: { cases } })
  t.same([stored.status, stored.body.stored], [200, 30], 'all stored')
  const page = (await getJson<CaseListPage>(`${platform.url}/api/v1/cases?agencyCode=${cases[0]!.agency.code}&pageSize=100`, { authorization: 'Bearer tok' })).body
  t.same(page.items.map(i => i.case.caseNumber).sort(), cases.map(c => c.caseNumber).sort(), 'listed as any other case')
  const bad = await call('POST', `${platform.url}/__sim/cases/bulk`, { body: { cases: [cases[0], { caseNumber: 7 }] } })
  t.equal(bad.status, 400, 'a case without a case number and agency code is refused')
  t.match(bad.text, /cases\[1\] needs caseNumber and agency\.code; the 1 case\(s\) before it were stored/, 'saying which one and what was stored')

  const more = validCases(34).slice(30)
  const ndjson = await call<{ stored: number }>('POST', `${platform.url}/__sim/cases/bulk`, { headers: { 'content-type': 'application/x-ndjson' }, body: more.map(c => JSON.stringify(c)).join('\n') + '\n' })
  t.same([ndjson.status, ndjson.body.stored], [200, 4], 'NDJSON is stored too')
  const all = (await getJson<CaseListPage>(`${platform.url}/api/v1/cases?agencyCode=${cases[0]!.agency.code}&pageSize=100`, { authorization: 'Bearer tok' })).body
  t.same(all.items.filter(i => more.some(c => c.caseNumber === i.case.caseNumber)).map(i => fingerprint(i.case)).sort(), more.map(c => fingerprint(c)).sort(), 'as the same cases')
  const broken = await call('POST', `${platform.url}/__sim/cases/bulk`, { headers: { 'content-type': 'application/x-ndjson' }, body: `${JSON.stringify(more[0])}\n{"caseNumber":` })
  t.match([broken.status, broken.text], [400, /line 2 is not JSON .*; the 1 case\(s\) before it were stored/], 'a broken line is refused, naming it')

  const agency = await startAgencySimulator({ port: 0, records: 5, seed: 3 })
  t.teardown(() => agency.close())
  const list = async (): Promise<string[]> => (await getJson<{ data: { list: AgencyRecord[] } }>(`${agency.url}/api/cases?pageSize=100`)).body.data.list.map(r => r.AJBH)
  const [first, ...rest] = await list()
  t.equal((await call('DELETE', `${agency.url}/__sim/cases/${first}`)).status, 204, 'deleted')
  t.same(await list(), rest, 'gone from the listing')
  t.equal((await call('DELETE', `${agency.url}/__sim/cases/${first}`)).status, 404, 'a case that is not there: 404')
})
