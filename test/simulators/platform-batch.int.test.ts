import t, { type Test } from 'tap'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator, type PlatformSimulator, type PlatformSimulatorOptions, type PlatformStats, type RecordResult } from '../../fixtures/platform-sim/index.js'
import { caseTransferredNotSuspected, OTHER_AGENCY_CODE, validCase, validCases } from './fixtures/canonical-cases.js'
import { waitFor } from '../helpers/wait-for.js'
import { call, getJson } from './fixtures/http.js'

const TOKEN = 'test-token'
const AUTH = { authorization: `Bearer ${TOKEN}` }

async function startPlatform (t: Test, options: PlatformSimulatorOptions = {}): Promise<PlatformSimulator> {
  const sim = await startPlatformSimulator({ port: 0, tokens: [TOKEN], ...options })
  t.teardown(() => sim.close())
  return sim
}

let keys = 0
function push (sim: PlatformSimulator, cases: unknown[], key = `key-${++keys}`, headers: Record<string, string> = AUTH) {
  return call<{ results: RecordResult[]; code?: string; message?: string }>('POST', `${sim.url}/api/v1/cases/batch`, {
    headers: { ...headers, 'idempotency-key': key }, body: { cases },
  })
}

t.test('a batch without a bearer token, or with an unknown one, is a 401 and nothing is stored', async t => {
  const sim = await startPlatform(t)
  for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: TOKEN }] as Record<string, string>[]) {
    const res = await push(sim, validCases(2), 'k', headers)
    t.equal(res.status, 401, JSON.stringify(headers))
    t.equal(res.body.code, 'UNAUTHORIZED')
  }
  t.equal(sim.stats().totals.stored, 0)
  const other = await startPlatform(t, { tokens: ['a', 'b'] })
  t.equal((await push(other, validCases(1), 'k', { authorization: 'Bearer b' })).status, 200, 'any configured token works')
  const demo = await startPlatformSimulator({ port: 0 })
  t.teardown(() => demo.close())
  t.equal((await push(demo, validCases(1), 'k', { authorization: 'Bearer demo-platform-token' })).status, 200, 'the demo token by default')
})

t.test('a batch without Idempotency-Key, or with a bad body, is a 400', async t => {
  const sim = await startPlatform(t)
  const noKey = await call<{ code: string; message: string }>('POST', `${sim.url}/api/v1/cases/batch`, { headers: AUTH, body: { cases: validCases(1) } })
  t.equal(noKey.status, 400)
  t.match(noKey.body.message, /Idempotency-Key/)
  const longKey = await push(sim, validCases(1), 'x'.repeat(201))
  t.equal(longKey.status, 400, 'a key over 200 characters')
  const bodies: [unknown, Record<string, string>?][] = [
    ['{"cases": [', undefined],
    ['just text', { 'content-type': 'text/plain' }],
    [{ cases: 'none' }],
    [{ items: [] }],
    [[validCase(1)]],
  ]
  for (const [body, extra] of bodies) {
    const res = await call<{ code: string }>('POST', `${sim.url}/api/v1/cases/batch`, { headers: { ...AUTH, 'idempotency-key': 'k', ...extra }, body })
    t.equal(res.status, 400, `400 for ${JSON.stringify(body).slice(0, 30)}`)
    t.type(res.body.code, 'string', 'a JSON error')
  }
  t.same(sim.stats().totals.stored, 0)
})

t.test('a batch over maxBatch is a 413', async t => {
  const sim = await startPlatform(t, { maxBatch: 5 })
  t.equal((await push(sim, validCases(6))).status, 413)
  t.equal((await push(sim, validCases(5))).status, 200)
})

t.test('each record is accepted or rejected on its own; a rejection is a 422 whose reason names the field', async t => {
  const sim = await startPlatform(t)
  const bad = caseTransferredNotSuspected(1)
  const res = await push(sim, [validCase(1), bad, { caseNumber: 7 }, validCase(2)])
  t.equal(res.status, 200)
  const [first, second, third, fourth] = res.body.results
  t.match(first, { caseNumber: 'PLAT-TEST-00001', agencyCode: DEMO_AGENCY_CODE, status: 'accepted' })
  t.ok(first?.status === 'accepted' && !Number.isNaN(Date.parse(first.acknowledgedAt)), 'acknowledgedAt is an ISO time')
  t.match(second, { caseNumber: bad.caseNumber, agencyCode: DEMO_AGENCY_CODE, status: 'rejected', code: 422 })
  t.match(second?.status === 'rejected' ? second.reason : '', /^\/transfer\/suspectedCrime /, 'the reason starts with the field')
  t.ok(second?.status === 'rejected' && second.errors.some(e => e.path === '/transfer/suspectedCrime'), 'errors list the problems')
  t.match(third, { caseNumber: null, agencyCode: null, status: 'rejected' }, 'a record with no identity is still answered')
  t.match(fourth, { caseNumber: 'PLAT-TEST-00002', status: 'accepted' })
  const stats = sim.stats()
  t.match(stats.totals, { stored: 2, applied: 2, unchanged: 0, rejected: 2 })
  t.match(stats.agencies[DEMO_AGENCY_CODE], { stored: 2, applied: 2, rejected: 1 })
})

t.test('upserts by (agency, case number): the same content is unchanged, new content applied', async t => {
  const sim = await startPlatform(t)
  await push(sim, validCases(3))
  t.match(sim.stats().totals, { stored: 3, applied: 3, unchanged: 0 })
  const reordered = validCase(1)
  const shuffled = Object.fromEntries(Object.entries(reordered).reverse())
  await push(sim, [shuffled, validCase(2)])
  t.match(sim.stats().totals, { stored: 3, applied: 3, unchanged: 2 }, 'property order does not count as a change')
  const changed = validCase(3)
  changed.factsSummary = '补充调查后更新'
  await push(sim, [changed, validCase(3, OTHER_AGENCY_CODE)])
  const stats: PlatformStats = sim.stats()
  t.match(stats.totals, { stored: 4, applied: 5, unchanged: 2 }, 'one changed, one new for another agency')
  t.match(stats.agencies[DEMO_AGENCY_CODE], { stored: 3, applied: 4, unchanged: 2 })
  t.match(stats.agencies[OTHER_AGENCY_CODE], { stored: 1, applied: 1, unchanged: 0 })
  t.same((await getJson<PlatformStats>(`${sim.url}/__sim/stats`)).body, stats, 'the route answers the same')
})

t.test('the same case twice in one batch is handled in order: the last wins', async t => {
  const sim = await startPlatform(t)
  const older = validCase(1)
  const newer = validCase(1)
  newer.factsSummary = '较新的版本'
  const res = await push(sim, [older, newer])
  t.same(res.body.results.map(r => r.status), ['accepted', 'accepted'])
  t.match(sim.stats().totals, { stored: 1, applied: 2 })
  const listed = await getJson<{ items: { case: { factsSummary: string } }[] }>(`${sim.url}/api/v1/cases?agencyCode=${DEMO_AGENCY_CODE}`, AUTH)
  t.equal(listed.body.items[0]?.case.factsSummary, '较新的版本')
})

t.test('a repeated Idempotency-Key with the same body replays the answer and counts suppressed duplicates', async t => {
  const sim = await startPlatform(t)
  const cases = [...validCases(3), validCase(9, OTHER_AGENCY_CODE)]
  const first = await push(sim, cases, 'batch-1')
  const again = await push(sim, cases, 'batch-1')
  t.equal(again.status, 200)
  t.equal(again.text, first.text, 'byte-identical answer')
  const stats = sim.stats()
  t.match(stats.totals, { stored: 4, applied: 4, unchanged: 0, duplicatesSuppressed: 4 })
  t.match(stats.agencies[DEMO_AGENCY_CODE], { duplicatesSuppressed: 3 })
  t.match(stats.agencies[OTHER_AGENCY_CODE], { duplicatesSuppressed: 1 })
  const reordered = cases.map(c => Object.fromEntries(Object.entries(c).reverse()))
  t.equal((await push(sim, reordered, 'batch-1')).text, first.text, 'the same body up to property order is the same body')
})

t.test('reusing an Idempotency-Key with a different body is a 422 IDEMPOTENCY_KEY_REUSED', async t => {
  const sim = await startPlatform(t)
  await push(sim, validCases(2), 'batch-x')
  const res = await push(sim, validCases(3), 'batch-x')
  t.equal(res.status, 422)
  t.equal(res.body.code, 'IDEMPOTENCY_KEY_REUSED')
  t.match(sim.stats().totals, { stored: 2, duplicatesSuppressed: 0 })
})

t.test('GET /__sim/requests?sinceMs= lists the requests that arrived from then on; a bad value is a 400', async t => {
  const sim = await startPlatform(t)
  await push(sim, validCases(1))
  const since = Date.now() + 1
  // the next request must arrive in a later millisecond than the first
  await waitFor('the clock to pass sinceMs', () => Date.now() >= since, { intervalMs: 1 })
  await push(sim, validCases(1), 'later')
  const later = await getJson<{ idempotencyKey?: string }[]>(`${sim.url}/__sim/requests?sinceMs=${since}`)
  t.equal(later.status, 200)
  t.same(later.body.map(r => r.idempotencyKey), ['later'])
  t.equal((await getJson<unknown[]>(`${sim.url}/__sim/requests`)).body.length, 2)
  t.equal((await getJson(`${sim.url}/__sim/requests?sinceMs=soon`)).status, 400)
})
