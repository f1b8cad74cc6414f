import t, { type Test } from 'tap'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator, type CaseListPage, type PlatformSimulator, type RecordResult } from '../../fixtures/platform-sim/index.js'
import { OTHER_AGENCY_CODE, validCase, validCases } from './fixtures/canonical-cases.js'
import { call, getJson } from './fixtures/http.js'

const TOKEN = 'test-token'
const AUTH = { authorization: `Bearer ${TOKEN}` }

async function startPlatform (t: Test): Promise<PlatformSimulator> {
  const sim = await startPlatformSimulator({ port: 0, tokens: [TOKEN] })
  t.teardown(() => sim.close())
  return sim
}

let keys = 0
async function push (sim: PlatformSimulator, cases: unknown[]): Promise<RecordResult[]> {
  const res = await call<{ results: RecordResult[] }>('POST', `${sim.url}/api/v1/cases/batch`, {
    headers: { ...AUTH, 'idempotency-key': `key-${++keys}` }, body: { cases },
  })
  if (res.status !== 200) throw new Error(`push: ${res.status} ${res.text}`)
  return res.body.results
}

function listUrl (sim: PlatformSimulator, params: Record<string, string | number>): string {
  const url = new URL('/api/v1/cases', sim.url)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
  return url.toString()
}

async function listAll (sim: PlatformSimulator, agencyCode: string, pageSize: number, updatedSince?: string): Promise<CaseListPage['items']> {
  const items: CaseListPage['items'] = []
  let token: string | null = null
  do {
    const params: Record<string, string | number> = { agencyCode, pageSize }
    if (updatedSince !== undefined) params.updatedSince = updatedSince
    if (token !== null) params.pageToken = token
    const res = await getJson<CaseListPage>(listUrl(sim, params), AUTH)
    if (res.status !== 200) throw new Error(`list: ${res.status} ${res.text}`)
    items.push(...res.body.items)
    token = res.body.nextPageToken
  } while (token !== null)
  return items
}

t.test('listing pages through every stored case of an agency once, in (updatedAt, caseNumber) order', async t => {
  const sim = await startPlatform(t)
  for (let batch = 0; batch < 5; batch++) await push(sim, validCases(50, DEMO_AGENCY_CODE, batch * 50 + 1))
  await push(sim, validCases(7, OTHER_AGENCY_CODE))
  const items = await listAll(sim, DEMO_AGENCY_CODE, 23)
  t.equal(items.length, 250)
  t.equal(new Set(items.map(i => i.case.caseNumber)).size, 250, 'each once')
  const keysOf = items.map(i => `${i.updatedAt}|${i.case.caseNumber}`)
  t.same(keysOf, [...keysOf].sort(), 'ordered')
  t.ok(items.every(i => i.case.agency.code === DEMO_AGENCY_CODE), 'only that agency')
  t.ok(items.every(i => i.receivedAt <= i.updatedAt && !Number.isNaN(Date.parse(i.updatedAt))), 'ISO times')
  t.equal((await listAll(sim, OTHER_AGENCY_CODE, 1000)).length, 7)
  t.same((await listAll(sim, '91320322MA00000000', 10)), [], 'an unknown agency holds nothing')
})

t.test('updatedSince is inclusive and a changed case moves to the end; receivedAt stays', async t => {
  const sim = await startPlatform(t)
  await push(sim, validCases(10))
  const before = await listAll(sim, DEMO_AGENCY_CODE, 100)
  const since = before[4]?.updatedAt as string
  t.same((await listAll(sim, DEMO_AGENCY_CODE, 3, since)).map(i => i.case.caseNumber), before.filter(i => i.updatedAt >= since).map(i => i.case.caseNumber))
  await new Promise(resolve => setTimeout(resolve, 5)) // a later millisecond for the changed case's updatedAt
  const changed = validCase(1)
  changed.factsSummary = '更新'
  await push(sim, [changed])
  const after = await listAll(sim, DEMO_AGENCY_CODE, 4)
  t.equal(after.at(-1)?.case.caseNumber, 'PLAT-TEST-00001')
  t.equal(after.at(-1)?.receivedAt, before.find(i => i.case.caseNumber === 'PLAT-TEST-00001')?.receivedAt)
  const last = after.at(-1)?.updatedAt as string
  t.same((await listAll(sim, DEMO_AGENCY_CODE, 10, last)).map(i => i.case.caseNumber), ['PLAT-TEST-00001'])
})

t.test('listing needs the token, an agencyCode, and well-formed parameters', async t => {
  const sim = await startPlatform(t)
  await push(sim, validCases(5))
  t.equal((await getJson(listUrl(sim, { agencyCode: DEMO_AGENCY_CODE }))).status, 401)
  const bad: [Record<string, string>, RegExp][] = [
    [{}, /agencyCode/],
    [{ agencyCode: DEMO_AGENCY_CODE, pageSize: '1001' }, /pageSize/],
    [{ agencyCode: DEMO_AGENCY_CODE, updatedSince: '2024-01-01 00:00:00' }, /updatedSince/],
    [{ agencyCode: DEMO_AGENCY_CODE, pageToken: 'garbage' }, /pageToken/],
  ]
  for (const [params, message] of bad) {
    const res = await getJson<{ message: string }>(listUrl(sim, params), AUTH)
    t.equal(res.status, 400, JSON.stringify(params))
    t.match(res.body.message, message)
  }
  const first = await getJson<CaseListPage>(listUrl(sim, { agencyCode: DEMO_AGENCY_CODE, pageSize: 2 }), AUTH)
  const other = await getJson(listUrl(sim, { agencyCode: OTHER_AGENCY_CODE, pageToken: first.body.nextPageToken as string }), AUTH)
  t.equal(other.status, 400, "another agency's token")
})

t.test('drift helpers delete a case or store one as given, unvalidated', async t => {
  const sim = await startPlatform(t)
  await push(sim, validCases(3))
  const gone = await call('DELETE', `${sim.url}/__sim/cases/${DEMO_AGENCY_CODE}/PLAT-TEST-00002`)
  t.equal(gone.status, 204)
  t.equal((await call('DELETE', `${sim.url}/__sim/cases/${DEMO_AGENCY_CODE}/PLAT-TEST-00002`)).status, 404)
  const drifted = { ...validCase(3), status: 'nonsense' }
  const put = await call<{ case: unknown; updatedAt: string }>('PUT', `${sim.url}/__sim/cases/${DEMO_AGENCY_CODE}/PLAT-TEST-00003`, { body: drifted })
  t.equal(put.status, 200)
  const caseNumber = '沛市监罚〔2024〕17号'
  t.equal((await call('PUT', `${sim.url}/__sim/cases/${DEMO_AGENCY_CODE}/${encodeURIComponent(caseNumber)}`, { body: { ...validCase(4), caseNumber } })).status, 200, 'case numbers with any characters')
  const items = await listAll(sim, DEMO_AGENCY_CODE, 2)
  t.same(items.map(i => i.case.caseNumber), ['PLAT-TEST-00001', 'PLAT-TEST-00003', caseNumber])
  t.same(items[1]?.case, drifted, 'stored as given')
  t.equal(sim.stats().totals.stored, 3)
})
