import { createHash, createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { ANSWER, formatProvinceTime, sign, signedHeaders, startProvinceSimulator, stringToSign, supportedSignMethods, type ProvinceSimulator, type ProvinceSimulatorOptions, type ProvinceStats } from '../../fixtures/province-sim/index.js'
import { projectRoot } from '../../src/paths.js'
import { waitFor } from '../helpers/wait-for.js'
import { call, getJson, postJson } from './fixtures/http.js'
import { APP_KEY, APP_SECRET, OTHER_AGENCY, provinceRecord, query, upload } from './fixtures/province-records.js'

async function start (t: Test, options: ProvinceSimulatorOptions = {}): Promise<ProvinceSimulator> {
  const sim = await startProvinceSimulator({ port: 0, apps: { [APP_KEY]: APP_SECRET }, ...options })
  t.teardown(() => sim.close())
  return sim
}

t.test('a correctly signed upload is answered 0000 with one result per record, and stored', async t => {
  const sim = await start(t)
  const res = await upload(sim, [provinceRecord(1), provinceRecord(2)])
  t.equal(res.status, 200)
  t.match(res.body, { code: '0000', message: '成功' })
  t.same(res.body.data.RESULTS, [{ AJBH: 'PROV-00001', CODE: '0000', MSG: '成功' }, { AJBH: 'PROV-00002', CODE: '0000', MSG: '成功' }])
  t.match(sim.stats().totals, { stored: 2, applied: 2, authRefused: 0, requests: 1 })
  t.match(sim.record(DEMO_AGENCY_CODE, 'PROV-00001'), { AJMC: provinceRecord(1).AJMC, FKJE: 500000 })
})

t.test('the signature is the documented HMAC: a client written from the README alone is accepted', async t => {
  const sim = await start(t)
  const body = JSON.stringify({ AJLIST: [provinceRecord(1)] })
  const timestamp = String(Date.now())
  const nonce = 'abcdefghijklmnop'
  const bodyHash = createHash('sha256').update(body).digest('hex')
  const signature = createHmac('sha256', APP_SECRET).update(`POST\n/gateway/case/upload\n${timestamp}\n${nonce}\n${bodyHash}`).digest('hex')
  const res = await call<{ code: string }>('POST', `${sim.url}/gateway/case/upload`, {
    headers: { 'content-type': 'application/json', 'x-app-key': APP_KEY, 'x-timestamp': timestamp, 'x-nonce': nonce, 'x-sign-method': 'HMAC-SHA256', 'x-sign': signature },
    body,
  })
  t.equal(res.body.code, '0000')
  const emptyHash = createHash('sha256').update('').digest('hex')
  const target = `/gateway/case/query?XZJGDM=${DEMO_AGENCY_CODE}&PAGE=1`
  const getSign = createHmac('sha256', APP_SECRET).update(`GET\n${target}\n${timestamp}\nqrstuvwxyz012345\n${emptyHash}`).digest('hex')
  const got = await call<{ code: string; data: { TOTAL: number } }>('GET', sim.url + target, {
    headers: { 'x-app-key': APP_KEY, 'x-timestamp': timestamp, 'x-nonce': 'qrstuvwxyz012345', 'x-sign-method': 'HMAC-SHA256', 'x-sign': getSign },
  })
  t.match(got.body, { code: '0000', data: { TOTAL: 1 } }, 'a GET signs the query and the hash of an empty body')
})

t.test('HMAC-SM3 is accepted where Node.js has SM3, and refused as unsupported (8004) where not', async t => {
  const sim = await start(t)
  if (supportedSignMethods().includes('HMAC-SM3')) {
    t.equal((await upload(sim, [provinceRecord(1)], { method: 'HMAC-SM3' })).body.code, '0000')
    const mixed = await upload(sim, [provinceRecord(2)], { method: 'HMAC-SM3', override: { 'x-sign-method': 'HMAC-SHA256' } })
    t.equal(mixed.body.code, ANSWER.badSignature, 'an SM3 signature announced as SHA-256 does not match')
  } else {
    const res = await upload(sim, [provinceRecord(1)], { override: { 'x-sign-method': 'HMAC-SM3' } })
    t.equal(res.body.code, ANSWER.badAuthHeader)
  }
  const other = await upload(sim, [provinceRecord(3)], { override: { 'x-sign-method': 'MD5' } })
  t.equal(other.status, 401)
  t.equal(other.body.code, ANSWER.badAuthHeader)
  t.match(other.body.message, /X-Sign-Method/)
})

t.test('an unknown app key, a wrong secret or a tampered body or query is 8001, HTTP 401, nothing stored', async t => {
  const sim = await start(t)
  const wrongKey = await upload(sim, [provinceRecord(1)], { appKey: 'nobody' })
  t.equal(wrongKey.status, 401)
  t.match(wrongKey.body, { code: '8001', data: null })
  t.equal((await upload(sim, [provinceRecord(1)], { secret: 'guessed' })).body.code, '8001')
  const signedFor = JSON.stringify({ AJLIST: [provinceRecord(1)] })
  const tampered = await call<{ code: string }>('POST', `${sim.url}/gateway/case/upload`, {
    headers: { 'content-type': 'application/json', ...signedHeaders({ method: 'POST', target: '/gateway/case/upload', body: signedFor }, APP_KEY, APP_SECRET) },
    body: JSON.stringify({ AJLIST: [provinceRecord(2)] }),
  })
  t.equal(tampered.body.code, '8001', 'the body hash is signed')
  const q = await query(sim, { XZJGDM: DEMO_AGENCY_CODE })
  t.equal(q.body.code, '0000')
  const signedQuery = signedHeaders({ method: 'GET', target: `/gateway/case/query?XZJGDM=${DEMO_AGENCY_CODE}`, body: '' }, APP_KEY, APP_SECRET)
  const otherQuery = await call<{ code: string }>('GET', `${sim.url}/gateway/case/query?XZJGDM=${OTHER_AGENCY}`, { headers: signedQuery })
  t.equal(otherQuery.body.code, '8001', 'the query string is signed')
  t.match(sim.stats().totals, { stored: 0, authRefused: 4 })
})

t.test('missing or malformed signature headers are 8004 naming them', async t => {
  const sim = await start(t)
  const missing = await upload(sim, [provinceRecord(1)], { override: { 'x-nonce': undefined, 'x-sign': undefined } })
  t.equal(missing.status, 401)
  t.equal(missing.body.code, '8004')
  t.match(missing.body.message, /X-Nonce, X-Sign/)
  t.equal((await upload(sim, [provinceRecord(1)], { nonce: 'short' })).body.code, '8004', 'a nonce under 16 characters')
  t.equal((await upload(sim, [provinceRecord(1)], { nonce: 'n'.repeat(65) })).body.code, '8004', 'a nonce over 64 characters')
  t.equal((await upload(sim, [provinceRecord(1)], { timestamp: new Date().toISOString() })).body.code, '8004', 'a timestamp not in milliseconds')
  t.equal(sim.stats().totals.authRefused, 4)
})

t.test('a timestamp more than 300 s from the platform clock is 8002; the platform clock may be off', async t => {
  const sim = await start(t)
  t.equal((await upload(sim, [provinceRecord(1)], { timestamp: String(Date.now() - 301_000) })).body.code, '8002')
  t.equal((await upload(sim, [provinceRecord(1)], { timestamp: String(Date.now() + 301_000) })).body.code, '8002', 'ahead too')
  t.equal((await upload(sim, [provinceRecord(1)], { timestamp: String(Date.now() - 290_000) })).body.code, '0000', 'within the window')
  await postJson(`${sim.url}/__sim/faults`, { clockOffsetMs: 400_000 })
  const skewed = await upload(sim, [provinceRecord(2)])
  t.equal(skewed.body.code, '8002', 'a platform clock 400 s ahead refuses a client on time')
  t.match(skewed.body.message, /300 s/)
  t.equal((await upload(sim, [provinceRecord(2)], { timestamp: String(Date.now() + 400_000) })).body.code, '0000', 'a client following the platform clock is accepted')
  t.equal(sim.stats().totals.authRefused, 3)
})

t.test('a nonce used again within 600 s is 8003, even with a fresh timestamp; a refused request does not burn its nonce', async t => {
  const sim = await start(t)
  const nonce = 'nonce-0123456789-abc'
  t.equal((await upload(sim, [provinceRecord(1)], { nonce })).body.code, '0000')
  const replay = await upload(sim, [provinceRecord(1)], { nonce })
  t.equal(replay.status, 401)
  t.equal(replay.body.code, '8003')
  t.equal((await upload(sim, [provinceRecord(2)], { nonce, timestamp: String(Date.now() + 1000) })).body.code, '8003', 'a new timestamp does not make it new')
  const fresh = 'nonce-never-used-before'
  t.equal((await upload(sim, [provinceRecord(3)], { nonce: fresh, secret: 'wrong' })).body.code, '8001')
  t.equal((await upload(sim, [provinceRecord(3)], { nonce: fresh })).body.code, '0000', 'the nonce of a refused request is still free')
  t.match(sim.stats().totals, { stored: 2, authRefused: 3 })
})

t.test('each record is validated strictly: 1001 missing, 1002 code, 1003 date, 1004 amount, 1005 value, 1006 unknown field, each naming the field', async t => {
  const sim = await start(t)
  const variant = (n: number, patch: Record<string, unknown>, drop: string[] = []): Record<string, unknown> => {
    const r = { ...provinceRecord(n), ...patch }
    for (const k of drop) delete r[k]
    return r
  }
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [variant(1, {}, ['AJMC']), '1001', /^AJMC: /],
    [variant(2, { LASJ: '' }), '1001', /^LASJ: /],
    [variant(3, {}, ['CFJDSJ']), '1001', /^CFJDSJ: .*AJZT=30/],
    [variant(4, { CFZL: '02' }, ['FKJE']), '1001', /^FKJE: .*CFZL/],
    [variant(5, { AJZT: '50' }), '1001', /^YSSJ: /],
    [variant(6, { DSR: [] }), '1001', /^DSR: /],
    [variant(7, { DSR: [{ DSRLX: '1', ZJHM: '320322198503144213' }] }), '1001', /^DSR\[0\]\.DSRMC: /],
    [variant(8, { AJLB: '13' }), '1002', /^AJLB: .*01, 02/],
    [variant(9, { AJZT: '03' }), '1002', /^AJZT: /],
    [variant(10, { CFZL: '02,42' }), '1002', /^CFZL: /],
    [variant(11, { DSR: [{ DSRLX: '3', DSRMC: '某', ZJHM: '320322198503144213' }] }), '1002', /^DSR\[0\]\.DSRLX: /],
    [variant(12, { LASJ: '20240230093000' }), '1003', /^LASJ: .*yyyyMMddHHmmss/],
    [variant(13, { GXSJ: '2024-04-18T15:05:13+08:00' }), '1003', /^GXSJ: /],
    [variant(14, { CFJDSJ: '20240418250000' }), '1003', /^CFJDSJ: /],
    [variant(15, { FKJE: -1 }), '1004', /^FKJE: /],
    [variant(16, { FKJE: 5000.5 }), '1004', /^FKJE: /],
    [variant(17, { FKJE: '500000' }), '1004', /^FKJE: /],
    [variant(18, { MSJE: '42.00' }), '1004', /^MSJE: /],
    [variant(19, { XZJGDM: '1132032201416583' }), '1005', /^XZJGDM: /],
    [variant(20, { AQZY: '长'.repeat(4001) }), '1005', /^AQZY: .*4000/],
    [variant(21, { DSR: [{ DSRLX: '1', DSRMC: '某', ZJHM: '12345' }] }), '1005', /^DSR\[0\]\.ZJHM: /],
    [variant(22, { AJLB: 1 }), '1005', /^AJLB: /],
    [variant(23, { caseNumber: 'x' }), '1006', /^caseNumber: /],
    [variant(24, { DSR: [{ DSRLX: '1', DSRMC: '某', ZJHM: '320322198503144213', XB: '男' }] }), '1006', /^DSR\[0\]\.XB: /],
  ]
  const res = await upload(sim, [...cases.map(([r]) => r), provinceRecord(99), 'not a record'])
  t.equal(res.body.code, '0000', 'the request succeeds; records fail on their own')
  const results = res.body.data.RESULTS
  t.equal(results.length, cases.length + 2)
  cases.forEach(([record, code, message], i) => {
    t.equal(results[i]?.AJBH, record.AJBH, `result ${i} is for its record`)
    t.equal(results[i]?.CODE, code, `${String(record.AJBH)}: ${code}`)
    t.match(results[i]?.MSG, message, `${String(record.AJBH)} names the field`)
  })
  t.same(results[cases.length], { AJBH: 'PROV-00099', CODE: '0000', MSG: '成功' })
  t.match(results[cases.length + 1], { AJBH: '', CODE: '1005' })
  t.match(sim.stats().totals, { stored: 1, applied: 1, rejected: cases.length + 1 })
  t.equal(sim.stats().agencies[DEMO_AGENCY_CODE]?.rejected, cases.length - 1, 'rejections counted per agency (the bad XZJGDM and the non-record apart)')
})

t.test('a malformed upload is HTTP 400 7001, an upload over the batch limit 7002; nothing stored', async t => {
  const sim = await start(t, { maxBatch: 3 })
  for (const rawBody of ['{"AJLIST": [', '[]', '{"cases": []}', '{"AJLIST": "x"}']) {
    const res = await upload(sim, [], { rawBody })
    t.equal(res.status, 400, rawBody)
    t.equal(res.body.code, '7001', rawBody)
  }
  const big = await upload(sim, [1, 2, 3, 4].map(n => provinceRecord(n)))
  t.equal(big.status, 400)
  t.equal(big.body.code, '7002')
  t.match(big.body.message, /3/)
  t.equal((await upload(sim, [1, 2, 3].map(n => provinceRecord(n)))).body.code, '0000')
  const unknownRoute = await call<{ code: string }>('GET', `${sim.url}/gateway/nothing`)
  t.equal(unknownRoute.status, 404)
  t.equal(unknownRoute.body.code, '7001')
})

t.test('no fencing, no idempotency: the last write wins; counters tell applied, unchanged and reapplied apart', async t => {
  const sim = await start(t)
  const v1 = provinceRecord(1)
  const v2 = { ...provinceRecord(1), AQZY: '补充调查后更新', GXSJ: '20240420100000' }
  await upload(sim, [v1, provinceRecord(2)])
  t.match(sim.stats().totals, { stored: 2, applied: 2, unchanged: 0, reapplied: 0 })
  await upload(sim, [Object.fromEntries(Object.entries(v1).reverse())])
  t.match(sim.stats().totals, { stored: 2, applied: 2, unchanged: 1 }, 'property order is no change; the same upload again is not suppressed but unchanged')
  await upload(sim, [v2])
  t.match(sim.stats().totals, { applied: 3, reapplied: 0 })
  await upload(sim, [v1])
  t.match(sim.stats().totals, { applied: 4, reapplied: 1, staleRejected: 0, duplicatesSuppressed: 0 }, 'an older version overwrites the newer one and is counted')
  t.equal(sim.record(DEMO_AGENCY_CODE, 'PROV-00001')?.GXSJ, v1.GXSJ, 'the older version is what the platform holds now')
  const olderUnseen = { ...provinceRecord(2), AQZY: '从未上报过的旧版本', GXSJ: '20240101000000' }
  await upload(sim, [olderUnseen])
  t.match(sim.stats().totals, { applied: 5, reapplied: 2 }, 'a version with an earlier GXSJ than the one held is a write back in time too')
  await upload(sim, [{ ...provinceRecord(3, OTHER_AGENCY) }])
  const stats: ProvinceStats = sim.stats()
  t.match(stats.agencies[DEMO_AGENCY_CODE], { stored: 2, applied: 5, reapplied: 2, unchanged: 1 })
  t.match(stats.agencies[OTHER_AGENCY], { stored: 1, applied: 1, reapplied: 0 })
  t.same((await getJson<ProvinceStats>(`${sim.url}/__sim/stats`)).body, stats, 'the route answers the same')
})

t.test('the query pages by PAGE and PAGE_SIZE in (GXSJ, AJBH) order from GXSJ_BEGIN, each record as stored with RKSJ', async t => {
  const sim = await start(t)
  const records: Record<string, unknown>[] = Array.from({ length: 25 }, (_, i) => ({ ...provinceRecord(i + 1), GXSJ: `202405${String(1 + (i % 5)).padStart(2, '0')}120000` }))
  await upload(sim, records)
  await upload(sim, [provinceRecord(1, OTHER_AGENCY)])
  const before = formatProvinceTime(Date.now() - 60_000)
  const pages = []
  for (const PAGE of ['1', '2', '3', '4']) {
    const res = await query(sim, { XZJGDM: DEMO_AGENCY_CODE, PAGE, PAGE_SIZE: '10' })
    t.equal(res.body.code, '0000')
    t.equal(res.body.data.TOTAL, 25)
    t.equal(res.body.data.PAGE, Number(PAGE))
    pages.push(res.body.data.LIST)
  }
  t.same(pages.map(p => p.length), [10, 10, 5, 0])
  const listed = pages.flat()
  const keys = listed.map(r => `${String(r.GXSJ)}|${String(r.AJBH)}`)
  t.same(keys, [...keys].sort(), 'ordered by GXSJ, then AJBH')
  t.equal(new Set(listed.map(r => r.AJBH)).size, 25, 'each record once')
  const first = listed[0] as Record<string, unknown>
  t.match(first.RKSJ, /^\d{14}$/)
  t.ok(String(first.RKSJ) >= before, 'RKSJ is the time stored, Beijing time')
  const { RKSJ: _rksj, ...asStored } = first
  t.same(asStored, records.find(r => r.AJBH === asStored.AJBH), 'the record as uploaded')
  const since = await query(sim, { XZJGDM: DEMO_AGENCY_CODE, GXSJ_BEGIN: '20240504000000', PAGE_SIZE: '100' })
  t.equal(since.body.data.TOTAL, 10, 'GXSJ_BEGIN filters on GXSJ ≥')
  t.ok(since.body.data.LIST.every(r => String(r.GXSJ) >= '20240504000000'))
  t.equal((await query(sim, { XZJGDM: OTHER_AGENCY })).body.data.TOTAL, 1, 'per agency')
  t.equal((await query(sim, { XZJGDM: '91110000000000000X' })).body.data.TOTAL, 0)
  t.equal((await query(sim, { XZJGDM: DEMO_AGENCY_CODE })).body.data.LIST.length, 20, 'PAGE_SIZE defaults to 20')
  for (const params of <Record<string, string>[]>[{}, { XZJGDM: DEMO_AGENCY_CODE, PAGE_SIZE: '101' }, { XZJGDM: DEMO_AGENCY_CODE, PAGE: '0' }, { XZJGDM: DEMO_AGENCY_CODE, GXSJ_BEGIN: '2024-05-01' }]) {
    const res = await query(sim, params)
    t.equal(res.status, 400, JSON.stringify(params))
    t.equal(res.body.code, '7001')
  }
  t.equal((await query(sim, { XZJGDM: DEMO_AGENCY_CODE }, { secret: 'x' })).status, 401, 'the query is signed too')
})

t.test('busy answers: failureRate, outage and rate limit are 9001 (HTTP 200 by default, 503 if set), nothing stored', async t => {
  const sim = await start(t, { failureRate: 1 })
  const failed = await upload(sim, [provinceRecord(1)])
  t.equal(failed.status, 200)
  t.match(failed.body, { code: '9001', data: null })
  t.match(sim.stats().totals, { stored: 0, failuresInjected: 1 })
  await postJson(`${sim.url}/__sim/faults`, { failureRate: 0, busyHttpStatus: 503, rateLimit: { capacity: 1, refillPerSecond: 0.5 } })
  t.equal((await upload(sim, [provinceRecord(1)])).body.code, '0000')
  const limited = await upload(sim, [provinceRecord(2)])
  t.equal(limited.status, 503)
  t.match(limited.body, { code: '9001', data: { RETRY_AFTER: 2 } })
  t.equal(limited.headers['retry-after'], '2')
  t.equal(sim.stats().totals.rateLimited, 1)
  await postJson(`${sim.url}/__sim/faults`, { rateLimit: null, busyHttpStatus: 200 })
  await postJson(`${sim.url}/__sim/outage`, { durationMs: 1500 })
  const during = await upload(sim, [provinceRecord(3)])
  t.equal(during.status, 200)
  t.equal(during.body.code, '9001')
  t.ok(Number((during.body.data as unknown as { RETRY_AFTER: number }).RETRY_AFTER) >= 1, 'with the wait')
  t.equal((await query(sim, { XZJGDM: DEMO_AGENCY_CODE })).body.code, '9001', 'the query too')
  t.equal(sim.stats().totals.outageRejections, 2)
  await waitFor('the outage to end', async () => (await upload(sim, [provinceRecord(3)])).body.code === '0000', { timeoutMs: 5000, intervalMs: 50 })
  t.equal(sim.stats().totals.stored, 2)
  t.ok(sim.requests().some(r => r.code === '9001' && r.retryAfterMs !== undefined), 'the request log has the envelope code and the wait')
})

t.test('failAfterStoreRate: stored, answered 9002; the retry (no idempotency key) counts unchanged', async t => {
  const sim = await start(t, { failAfterStoreRate: 1 })
  const records = [provinceRecord(1), provinceRecord(2)]
  const res = await upload(sim, records)
  t.equal(res.status, 200)
  t.equal(res.body.code, '9002')
  t.match(sim.stats().totals, { stored: 2, applied: 2, failuresInjected: 1 })
  await postJson(`${sim.url}/__sim/faults`, { failAfterStoreRate: 0 })
  t.equal((await upload(sim, records)).body.code, '0000')
  t.match(sim.stats().totals, { stored: 2, applied: 2, unchanged: 2, duplicatesSuppressed: 0 })
})

t.test('per-record faults: recordRetryableRate answers CODE 9001 unstored, poison AJBH 1099; unavailableAgencies and htmlAnswers refuse the upload', async t => {
  const sim = await start(t, { recordRetryableRate: 1, poisonCaseNumbers: ['PROV-00002'] })
  const res = await upload(sim, [provinceRecord(1), provinceRecord(2)])
  t.equal(res.body.code, '0000')
  t.same(res.body.data.RESULTS.map(r => r.CODE), ['9001', '1099'])
  t.match(sim.stats().totals, { stored: 0, retryable: 1, rejected: 1 })
  await postJson(`${sim.url}/__sim/faults`, { recordRetryableRate: 0, unavailableAgencies: [OTHER_AGENCY], htmlAnswers: 1 })
  const html = await upload(sim, [provinceRecord(1)])
  t.equal(html.status, 200)
  t.match(html.headers['content-type'], /text\/html/)
  t.equal(html.body, undefined, 'not JSON')
  const unavailable = await upload(sim, [provinceRecord(1), provinceRecord(3, OTHER_AGENCY)])
  t.equal(unavailable.body.code, '9001')
  t.equal(sim.stats().totals.stored, 0, 'nothing of that upload stored')
  t.equal((await upload(sim, [provinceRecord(1)])).body.code, '0000')
  t.match(sim.stats().totals, { stored: 1, failuresInjected: 2 })
})

t.test('latency delays answers; bad options and fault settings are refused naming them', async t => {
  const sim = await start(t, { latencyMs: 150 })
  const started = Date.now()
  await upload(sim, [provinceRecord(1)])
  t.ok(Date.now() - started >= 145, 'latency from the options')
  for (const body of [{ busyHttpStatus: 404 }, { clockOffsetMs: 'x' }, { failureRate: 2 }, { fencing: true }]) {
    const res = await postJson<{ message: string }>(`${sim.url}/__sim/faults`, body)
    t.equal(res.status, 400, JSON.stringify(body))
    t.match(res.body.message, new RegExp(Object.keys(body)[0] as string))
  }
  await t.rejects(startProvinceSimulator({ apps: {} }), /apps/)
  await t.rejects(startProvinceSimulator({ idempotency: true } as ProvinceSimulatorOptions), /idempotency/)
  await t.rejects(startProvinceSimulator({ busyHttpStatus: 500 as 503 }), /busyHttpStatus/)
})

t.test('the demo app key works by default', async t => {
  const sim = await startProvinceSimulator({ port: 0 })
  t.teardown(() => sim.close())
  t.same(sim.appKeys, ['demo-app-key'])
  t.equal((await upload(sim, [provinceRecord(1)], { appKey: 'demo-app-key', secret: 'demo-app-secret' })).body.code, '0000')
})

t.test('slowAnswers: the upload is stored at once and answered late', async t => {
  const sim = await start(t, { slowAnswers: { count: 1, delayMs: 400 } })
  const started = Date.now()
  const pending = upload(sim, [provinceRecord(1)])
  await waitFor('the record to be stored before the answer', () => sim.record(DEMO_AGENCY_CODE, 'PROV-00001') !== undefined, { timeoutMs: 5000, intervalMs: 10 })
  const res = await pending
  t.ok(Date.now() - started >= 395, 'answered after the delay')
  t.equal(res.body.code, '0000')
  const quick = Date.now()
  await upload(sim, [provinceRecord(2)])
  t.ok(Date.now() - quick < 395, 'only the first upload is slow')
})

t.test('the request log, and drift through /__sim/records: read, put as given, delete', async t => {
  const sim = await start(t)
  const since = Date.now()
  await upload(sim, [provinceRecord(1)])
  await upload(sim, [provinceRecord(1)], { secret: 'x' })
  await query(sim, { XZJGDM: DEMO_AGENCY_CODE })
  const log = (await getJson<{ method: string; path: string; status: number; code?: string }[]>(`${sim.url}/__sim/requests?sinceMs=${since}`)).body
  t.match(log, [{ method: 'POST', path: '/gateway/case/upload', status: 200, code: '0000' }, { status: 401, code: '8001' }, { method: 'GET', path: '/gateway/case/query', status: 200, code: '0000' }])
  const path = `${sim.url}/__sim/records/${DEMO_AGENCY_CODE}/PROV-00001`
  t.match((await getJson(path)).body, { AJBH: 'PROV-00001', RKSJ: /^\d{14}$/ })
  const drifted = await call<Record<string, unknown>>('PUT', path, { body: { ...provinceRecord(1), AJMC: '平台侧被改动', EXTRA: 1 } })
  t.match(drifted.body, { AJMC: '平台侧被改动', EXTRA: 1 }, 'stored as given, unvalidated')
  t.equal((await query(sim, { XZJGDM: DEMO_AGENCY_CODE })).body.data.LIST[0]?.AJMC, '平台侧被改动', 'the query shows the drift')
  t.match(sim.stats().totals, { stored: 1, applied: 1 }, 'drift is not counted')
  t.equal((await call('DELETE', path)).status, 204)
  t.equal((await call('DELETE', path)).status, 404)
  t.equal((await getJson(path)).status, 404)
  t.equal(sim.stats().totals.stored, 0)
})

t.test('the CLI runner starts the exchange with the given app key and stops on SIGTERM', async t => {
  const { spawn } = await import('node:child_process')
  const child = spawn(process.execPath, ['--import', 'tsx', 'fixtures/province-sim/main.ts', '--port', '0', '--app-key', 'cli-key', '--app-secret', 'cli-secret'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m !== null) resolve(m[1] as string)
    })
    child.on('close', (code) => reject(new Error(`province-sim exited ${String(code)} before listening`)))
  })
  const handle = { url } as ProvinceSimulator
  t.equal((await upload(handle, [provinceRecord(1)], { appKey: 'cli-key', secret: 'cli-secret' })).body.code, '0000')
  child.kill('SIGTERM')
  t.equal(await closed, 0, 'a clean exit')
})

t.test('the worked signing example of the README is what the exchange computes', async t => {
  const readme = readFileSync(join(projectRoot, 'fixtures', 'province-sim', 'README.md'), 'utf8')
  const input = { method: 'GET', target: '/gateway/case/query?XZJGDM=11320322MB1580421M&GXSJ_BEGIN=20240101000000&PAGE=1&PAGE_SIZE=50', timestamp: '1709602200000', nonce: '4f1c2a9be0d34a5c9b7e2f10c3d4e5f6', body: '' }
  t.ok(readme.includes(stringToSign(input)), 'the string to sign as shown')
  t.ok(readme.includes(`\`X-Sign\` with \`HMAC-SHA256\`: \`${sign(input, 'demo-app-secret')}\``), 'the SHA-256 signature as shown')
  if (supportedSignMethods().includes('HMAC-SM3')) t.ok(readme.includes(`with \`HMAC-SM3\`: \`${sign(input, 'demo-app-secret', 'HMAC-SM3')}\``), 'the SM3 signature as shown')
})
