/**
 * The agency simulator's `GET /api/cases/count`: how many records changed since a time (at or
 * after with updatedSince, strictly after with updatedAfter) and the oldest one's update time,
 * agreeing with what the listing pages hold. A real simulator on a free port.
 */
import t from 'tap'
import { startAgencySimulator, type AgencyRecord } from '../../fixtures/agency-sim/index.js'
import { getJson } from './fixtures/http.js'

interface CountAnswer { code: number; data: { count: number; oldestUpdatedAt: string | null } }

t.test('the count endpoint counts what the listing would page through, without listing it', async t => {
  const sim = await startAgencySimulator({ port: 0, records: 50, seed: 12 })
  t.teardown(() => sim.close())
  const count = async (params: Record<string, string>): Promise<CountAnswer['data']> => {
    const url = new URL('/api/cases/count', sim.url)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    const res = await getJson<CountAnswer>(url.toString())
    if (res.status !== 200) throw new Error(`${res.status} ${res.text}`)
    return res.body.data
  }
  const list = (await getJson<{ data: { list: AgencyRecord[] } }>(new URL('/api/cases?pageSize=100', sim.url).toString())).body.data.list
  const sorted = list.map(r => r.GXSJ).sort()
  t.same(await count({}), { count: 50, oldestUpdatedAt: sorted[0] }, 'no time: every record, and the oldest')
  const middle = sorted[25]!
  t.equal((await count({ updatedSince: middle })).count, sorted.filter(g => g >= middle).length, 'updatedSince: at or after')
  const after = await count({ updatedAfter: middle })
  t.equal(after.count, sorted.filter(g => g > middle).length, 'updatedAfter: strictly after')
  t.equal(after.oldestUpdatedAt, sorted.find(g => g > middle), 'the oldest of them')
  t.same(await count({ updatedAfter: sorted.at(-1)! }), { count: 0, oldestUpdatedAt: null }, 'nothing after the newest')
  const bad = await getJson(new URL('/api/cases/count?updatedSince=yesterday', sim.url).toString())
  t.equal(bad.status, 400, 'a time it cannot read is refused')
})
