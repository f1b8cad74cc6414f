import t, { type Test } from 'tap'
import { startAgencySimulator, type AgencyRecord, type AgencySimulator, type AgencySimulatorOptions } from '../../fixtures/agency-sim/index.js'
import { call, getJson } from './fixtures/http.js'

interface CasesAnswer { code: number; msg: string; data: { list: AgencyRecord[]; nextPageToken: string | null } }

async function startAgency (t: Test, options: AgencySimulatorOptions = {}): Promise<AgencySimulator> {
  const sim = await startAgencySimulator({ port: 0, ...options })
  t.teardown(() => sim.close())
  return sim
}

function casesUrl (sim: AgencySimulator, params: Record<string, string | number>): string {
  const url = new URL('/api/cases', sim.url)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
  return url.toString()
}

/** Every page from `since` (or the start), following nextPageToken. */
async function readAll (sim: AgencySimulator, pageSize: number, since?: string, onPage?: (n: number) => Promise<void>): Promise<{ records: AgencyRecord[]; pages: number }> {
  const records: AgencyRecord[] = []
  let token: string | null = null
  let pages = 0
  do {
    const params: Record<string, string | number> = { pageSize }
    if (since !== undefined) params.updatedSince = since
    if (token !== null) params.pageToken = token
    const res = await getJson<CasesAnswer>(casesUrl(sim, params))
    if (res.status !== 200 || res.body.code !== 0) throw new Error(`page ${pages}: ${res.status} ${res.text}`)
    records.push(...res.body.data.list)
    token = res.body.data.nextPageToken
    pages++
    await onPage?.(pages)
  } while (token !== null)
  return { records, pages }
}

const byKey = (a: AgencyRecord, b: AgencyRecord): number =>
  a.GXSJ < b.GXSJ ? -1 : a.GXSJ > b.GXSJ ? 1 : a.AJBH < b.AJBH ? -1 : a.AJBH > b.AJBH ? 1 : 0

t.test('paging returns every case exactly once in (GXSJ, AJBH) order across many GXSJ ties', async t => {
  const sim = await startAgency(t, { records: 500, seed: 4 })
  const { records, pages } = await readAll(sim, 7)
  t.equal(pages, Math.ceil(500 / 7), 'pages of 7')
  t.equal(records.length, 500)
  t.equal(new Set(records.map(r => r.AJBH)).size, 500, 'no case twice')
  t.same(records, [...records].sort(byKey), 'ordered by (GXSJ, AJBH)')
  const perStamp = new Map<string, number>()
  for (const r of records) perStamp.set(r.GXSJ, (perStamp.get(r.GXSJ) ?? 0) + 1)
  const tied = [...perStamp.values()].filter(n => n > 1).length
  t.ok(tied >= 20, `${tied} GXSJ values shared by several cases`)
  t.ok([...perStamp.values()].every(n => n > 7), 'every tie group is larger than a page, so pages end inside ties')
})

t.test('a page that ends exactly at the last case has no next token', async t => {
  const sim = await startAgency(t, { records: 40 })
  const res = await getJson<CasesAnswer>(casesUrl(sim, { pageSize: 40 }))
  t.equal(res.body.data.list.length, 40)
  t.equal(res.body.data.nextPageToken, null)
  const empty = await getJson<CasesAnswer>(casesUrl(sim, { updatedSince: '2099-01-01 00:00:00' }))
  t.same(empty.body.data, { list: [], nextPageToken: null }, 'nothing since then')
})

t.test('updatedSince is inclusive: cases updated at exactly that second are returned', async t => {
  const sim = await startAgency(t, { records: 300, seed: 2 })
  const all = (await readAll(sim, 500)).records
  const since = all[150]?.GXSJ as string
  const expected = all.filter(r => r.GXSJ >= since)
  const { records } = await readAll(sim, 7, since)
  t.same(records.map(r => r.AJBH), expected.map(r => r.AJBH), 'exactly the cases with GXSJ ≥ updatedSince, in order')
  t.ok(records.filter(r => r.GXSJ === since).length >= 2, 'several at exactly updatedSince')
})

t.test('a case updated while paging moves to the end and is seen again; paging stays complete', async t => {
  const sim = await startAgency(t, { records: 200, seed: 3 })
  const before = (await readAll(sim, 500)).records
  const early = before[5] as AgencyRecord
  const { records } = await readAll(sim, 25, undefined, async page => {
    if (page !== 2) return
    const res = await call<AgencyRecord>('PUT', `${sim.url}/__sim/cases/${early.AJBH}`, { body: { AQZY: '补充调查后更新的案情摘要' } })
    t.equal(res.status, 200)
    t.equal(res.body.AQZY, '补充调查后更新的案情摘要', 'the edit is returned')
    t.ok(res.body.GXSJ > before.at(-1)!.GXSJ, 'GXSJ bumped to now')
  })
  t.equal(new Set(records.map(r => r.AJBH)).size, 200, 'every case seen')
  t.equal(records.length, 201, 'the edited case once more')
  t.equal(records.at(-1)?.AJBH, early.AJBH, 'at the end')
  t.equal(records.at(-1)?.AQZY, '补充调查后更新的案情摘要')
})

t.test('an edit with keepTimestamp keeps GXSJ and the case keeps its place', async t => {
  const sim = await startAgency(t, { records: 60 })
  const before = (await readAll(sim, 500)).records
  const target = before[10] as AgencyRecord
  const res = await call<AgencyRecord>('PUT', `${sim.url}/__sim/cases/${target.AJBH}`, { body: { JSDW: '', keepTimestamp: true } })
  t.equal(res.status, 200)
  t.equal(res.body.GXSJ, target.GXSJ)
  const after = (await readAll(sim, 500)).records
  t.equal(after[10]?.AJBH, target.AJBH)
  const unknown = await call('PUT', `${sim.url}/__sim/cases/NO-SUCH-CASE`, { body: { AQZY: 'x' } })
  t.equal(unknown.status, 404)
  const typo = await call<{ msg: string }>('PUT', `${sim.url}/__sim/cases/${target.AJBH}`, { body: { AQZZ: 'x' } })
  t.equal(typo.status, 400)
  t.match(typo.body.msg, /AQZZ/, 'an unknown field is named')
})

t.test('a bad pageToken, updatedSince or pageSize is a 400 naming the parameter and the expected form', async t => {
  const sim = await startAgency(t, { records: 50, pageSizeMax: 100 })
  const cases: [Record<string, string>, RegExp][] = [
    [{ pageToken: 'not-a-token' }, /pageToken/],
    [{ pageToken: Buffer.from('{"since":""}').toString('base64url') }, /pageToken/],
    [{ updatedSince: '2024-01-31T09:30:00' }, /updatedSince.*yyyy-MM-dd HH:mm:ss/],
    [{ updatedSince: '2024-02-30 10:00:00' }, /updatedSince/],
    [{ pageSize: '0' }, /pageSize.*1 to 100/],
    [{ pageSize: '101' }, /pageSize.*1 to 100/],
    [{ pageSize: 'ten' }, /pageSize/],
  ]
  for (const [params, message] of cases) {
    const res = await getJson<{ code: number; msg: string }>(casesUrl(sim, params))
    t.equal(res.status, 400, JSON.stringify(params))
    t.equal(res.body.code, 400)
    t.match(res.body.msg, message)
  }
  const first = await getJson<CasesAnswer>(casesUrl(sim, { pageSize: 10, updatedSince: '2024-01-01 00:00:00' }))
  const token = first.body.data.nextPageToken as string
  const mixed = await getJson<{ msg: string }>(casesUrl(sim, { pageToken: token, updatedSince: '2024-06-01 00:00:00' }))
  t.equal(mixed.status, 400, 'a token used with another updatedSince')
  t.match(mixed.body.msg, /pageToken/)
  const same = await getJson<CasesAnswer>(casesUrl(sim, { pageToken: token, updatedSince: '2024-01-01 00:00:00', pageSize: 10 }))
  t.equal(same.status, 200, 'the same updatedSince with its token is fine')
})

t.test('with an apiKey the API wants X-Api-Key; /__sim does not', async t => {
  const sim = await startAgency(t, { records: 10, apiKey: 'k-123' })
  t.equal((await getJson(casesUrl(sim, {}))).status, 401)
  t.equal((await getJson(casesUrl(sim, {}), { 'x-api-key': 'wrong' })).status, 401)
  t.equal((await getJson(casesUrl(sim, {}), { 'x-api-key': 'k-123' })).status, 200)
  t.equal((await getJson(`${sim.url}/__sim/stats`)).status, 200)
})

t.test('the same seed serves identical cases from separate simulators; another seed serves different ones', async t => {
  const a = await startAgency(t, { records: 120, seed: 9 })
  const b = await startAgency(t, { records: 120, seed: 9 })
  const c = await startAgency(t, { records: 120, seed: 10 })
  const [ra, rb, rc] = await Promise.all([a, b, c].map(async sim => (await readAll(sim, 500)).records))
  t.same(rb, ra, 'seed 9 twice')
  t.not(JSON.stringify(rc), JSON.stringify(ra), 'seed 10 differs')
})
