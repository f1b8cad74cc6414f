/**
 * The exchange's feedback (信息反馈) in its own format: decisions recorded through
 * /__sim/feedback, listed signed after a SEQ cursor, hidden ones only in the full listing.
 */
import t from 'tap'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { ANSWER, signedHeaders, startProvinceSimulator, type ProvinceDecisionPage, type Envelope } from '../../fixtures/province-sim/index.js'
import { call, postJson } from './fixtures/http.js'
import { APP_KEY, APP_SECRET, provinceRecord, upload } from './fixtures/province-records.js'

t.test('decisions are listed after SEQ_BEGIN in SEQ order, a hidden one only in /all; the listing is signed', async t => {
  const sim = await startProvinceSimulator({ port: 0, apps: { [APP_KEY]: APP_SECRET } })
  t.teardown(() => sim.close())
  t.equal((await upload(sim, [provinceRecord(1), provinceRecord(2)])).body.code, '0000')
  const decide = async (body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> => await postJson<Record<string, unknown>>(`${sim.url}/__sim/feedback`, body)
  const first = await decide({ AJBH: 'PROV-00001', XZJGDM: DEMO_AGENCY_CODE, CLJG: '01', CLSJ: '20240418151002', CLYJ: '材料齐全' })
  t.match(first, { status: 200, body: { FKID: 'FK0000000001', SEQ: 1, CLJG: '01', CLSJ: '20240418151002', CLYJ: '材料齐全' } })
  t.match((await decide({ AJBH: 'PROV-00002', XZJGDM: DEMO_AGENCY_CODE, CLJG: '03', hidden: true })).body, { SEQ: 2, CLSJ: /^\d{14}$/ }, 'CLSJ defaults to the exchange\'s now')
  t.match((await decide({ AJBH: 'PROV-00001', XZJGDM: DEMO_AGENCY_CODE, CLJG: '02' })).body, { SEQ: 3 })
  t.equal((await decide({ AJBH: 'PROV-09999', XZJGDM: DEMO_AGENCY_CODE, CLJG: '01' })).status, 404, 'only on a record the exchange holds')
  t.equal((await decide({ AJBH: 'PROV-00001', XZJGDM: DEMO_AGENCY_CODE, CLJG: 'accepted' })).status, 400, 'CLJG from its own code list')
  t.equal((await decide({ AJBH: 'PROV-00001', XZJGDM: DEMO_AGENCY_CODE, CLJG: '01', CLSJ: '2024-04-18' })).status, 400)

  const list = async (path: string, query: string, sign = true): Promise<{ status: number; body: Envelope<ProvinceDecisionPage> }> => {
    const target = `${path}?${query}`
    return await call<Envelope<ProvinceDecisionPage>>('GET', sim.url + target, { headers: sign ? signedHeaders({ method: 'GET', target, body: '' }, APP_KEY, APP_SECRET) : {} })
  }
  const page1 = await list('/gateway/feedback/query', 'SEQ_BEGIN=0&PAGE_SIZE=1')
  t.same(page1.body.data.LIST.map(d => d.SEQ), [1])
  t.equal(page1.body.data.NEXT, 1)
  const page2 = await list('/gateway/feedback/query', 'SEQ_BEGIN=1&PAGE_SIZE=10')
  t.same(page2.body.data.LIST.map(d => d.FKID), ['FK0000000003'], 'the hidden decision is left out of the incremental listing')
  t.same((await list('/gateway/feedback/query', 'SEQ_BEGIN=3')).body.data, { LIST: [], NEXT: null }, 'past the end: empty, NEXT null')
  t.same((await list('/gateway/feedback/all', 'SEQ_BEGIN=0')).body.data.LIST.map(d => d.SEQ), [1, 2, 3], 'the full listing has it')
  t.match(await list('/gateway/feedback/query', 'SEQ_BEGIN=x'), { status: 400, body: { code: ANSWER.badRequest, message: /SEQ_BEGIN/ } })
  t.match(await list('/gateway/feedback/query', 'SEQ_BEGIN=0', false), { status: 401 }, 'unsigned: refused like every gateway request')
  t.equal(sim.decisions().length, 3)
})
