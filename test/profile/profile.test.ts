import t, { type Test } from 'tap'
import { createHash, createHmac } from 'node:crypto'
import { join } from 'node:path'
import { fingerprint } from '../../src/contracts/fingerprint.js'
import { ProfileSecretError } from '../../src/errors.js'
import { compileProfileText, loadProfile } from '../../src/profile/load-profile.js'
import { projectRoot } from '../../src/paths.js'
import { sampleCase } from '../helpers/sample-case.js'

const PROFILES = join(projectRoot, 'mappings', 'profiles')
const ENV = { PROVINCE_APP_KEY: 'hub-1', PROVINCE_APP_SECRET: 's3cret' }
const province = async () => await loadProfile(join(PROFILES, 'province.yaml'), { env: ENV })

const refused = (t: Test, text: string, pattern: RegExp, what: string): void => {
  t.throws(() => compileProfileText(text, '/x/p.yaml'), { name: 'ProfileFileError', code: 'CB_ERR_PROFILE_FILE', message: pattern }, what)
}

t.test('the province profile projects a case to the platform record', async t => {
  const p = await province()
  t.equal(p.version, 'province-exchange@3')
  const out = p.project(sampleCase())
  if (out.kind !== 'record') throw new Error(`held: ${out.reason}`)
  t.same(out.record, {
    AJBH: '沛市监罚〔2024〕12号', AJMC: '销售不合格产品案', AY: '销售不合格产品', XZJGDM: '11320322014166079X', XZJGMC: '沛县市场监督管理局',
    XZQHDM: '320322', AJLB: '01', CXLX: '1', LASJ: '20240131093000', CFJDSJ: '20240201090000', AJZT: '30', FKJE: 435, SFSXFZ: '0', GXSJ: '20240201101530',
    DSR: [{ DSRLX: '1', DSRMC: '张三', ZJHM: '11010519491231002X' }, { DSRLX: '2', DSRMC: '沛县某某商贸有限公司', ZJHM: '91320322MA1XXXXXXX' }],
  })
  t.same(p.project(sampleCase()), out, 'deterministic')
})

t.test('reading the platform record back gives the projection fingerprint, whatever the platform adds or retypes', async t => {
  const p = await province()
  const out = p.project(sampleCase())
  if (out.kind !== 'record') throw new Error('held')
  const listed = { ...JSON.parse(JSON.stringify(out.record)) as Record<string, unknown>, FKJE: '435', RKSJ: '20240202000000', BZ: null }
  const back = p.readBack(listed)
  t.equal(back.fingerprint, out.fingerprint)
  t.equal(back.caseNumber, '沛市监罚〔2024〕12号')
  t.equal(back.storedAt, '2024-02-02T00:00:00+08:00', 'stored at: the platform\'s RKSJ (入库时间)')
  t.not(p.readBack({ ...listed, AJZT: '40' }).fingerprint, out.fingerprint, 'a changed field changes it')
})

t.test('the identity profile returns the case itself with fingerprint(case)', async t => {
  const p = await loadProfile(join(PROFILES, 'canonical.yaml'))
  const c = sampleCase()
  const out = p.project(c)
  t.equal(out.kind, 'record')
  if (out.kind !== 'record') return
  t.equal(out.record, c, 'the same object')
  t.equal(out.fingerprint, fingerprint(c))
  t.equal(p.readBack(JSON.parse(JSON.stringify(c)) as Record<string, unknown>).fingerprint, fingerprint(c))
})

t.test('a case lacking a required platform field is held, naming the fields', async t => {
  const p = await province()
  const c = sampleCase({ parties: [{ kind: 'person', name: '张三', idNumber: '' }] })
  delete c.sourceUpdatedAt
  const out = p.project(c)
  t.equal(out.kind, 'held')
  if (out.kind !== 'held') return
  t.same(out.missing, [{ field: 'GXSJ', from: '/sourceUpdatedAt' }, { field: 'DSR[0].ZJHM', from: '/parties/0/idNumber' }])
  t.match(out.reason, /^province-exchange@3: the platform requires GXSJ \(from \/sourceUpdatedAt/)
})

const TABLES = (unknown: string, extra = ''): string => `name: t
version: "1"
tables:
  status:
    codes: { filed: "10" }
    unknown: ${unknown}
${extra}record:
  /AJBH: { from: /caseNumber }
  /AJZT: { from: /status, table: status }
`

t.test('code tables: hold, pass or default for a code the table lacks', async t => {
  const held = compileProfileText(TABLES('hold'), '/x/p.yaml').project(sampleCase())
  t.equal(held.kind, 'held')
  if (held.kind === 'held') {
    t.same(held.missing, [{ field: 'AJZT', from: '/status' }])
    t.match(held.reason, /table:status: the platform has no code for this value in table status \(known: filed\)/)
  }
  const passed = compileProfileText(TABLES('pass'), '/x/p.yaml').project(sampleCase())
  t.same(passed.kind === 'record' && passed.record.AJZT, 'decided')
  const defaulted = compileProfileText(TABLES('default\n    default: "99"'), '/x/p.yaml').project(sampleCase())
  t.same(defaulted.kind === 'record' && defaulted.record.AJZT, '99')
  const known = compileProfileText(TABLES('hold'), '/x/p.yaml').project(sampleCase({ status: 'filed' }))
  t.same(known.kind === 'record' && known.record.AJZT, '10')
})

t.test('a broken profile is refused at file:line:column naming what was expected', async t => {
  refused(t, 'name: t\nversion: "1"\nrecord:\n  /AJBH: { from: /caseNumber, date: ddMMyyyy }\n', /^\/x\/p\.yaml:4:37: unknown output date format "ddMMyyyy" \(allowed: yyyyMMdd, /, 'an unknown date format')
  refused(t, 'name: t\nversion: "1"\nrecord:\n  /AJBH: { from: /caseNumber, fomrat: x }\n', /^\/x\/p\.yaml:4:31: unknown key "fomrat"/, 'an unknown key')
  refused(t, 'name: t\nversion: "1"\nrecord:\n  /AJBH: { from: /caseNumber, money: cents }\n', /^\/x\/p\.yaml:4:38: unknown output money unit "cents" \(allowed: yuan, fen, fenText\)/, 'an unknown money unit')
  refused(t, 'name: t\nversion: "1"\nrecord:\n  /AJBH: { from: /caseNumber, table: nope }\n', /^\/x\/p\.yaml:4:38: unknown table "nope"/, 'an unknown table')
  refused(t, 'name: t\nversion: "1"\nrecord:\n  /AJMC: { from: /classification/cause }\n', /^\/x\/p\.yaml:4:3: no platform field is written from \/caseNumber/, 'no case number field')
  refused(t, 'name: t\nversion: "1"\nrecord:\n  /A: { from: /caseNumber\n', /^\/x\/p\.yaml:\d+:\d+: YAML syntax error/, 'YAML syntax')
  refused(t, 'name: t\nversion: "1"\nrecord: identity\nauth: { kind: signature, algorithm: HMAC-MD5, appKey: { env: A }, secret: "${B}" }\n', /^\/x\/p\.yaml:4:37: unknown signature algorithm "HMAC-MD5" \(allowed: HMAC-SHA256, HMAC-SM3\)/, 'an unknown algorithm')
})

t.test('HMAC-SM3 loads only where node:crypto has sm3', async t => {
  const text = 'name: t\nversion: "1"\nrecord: identity\nauth: { kind: signature, algorithm: HMAC-SM3, appKey: { env: A }, secret: { env: B } }\n'
  const { getHashes } = await import('node:crypto')
  if (getHashes().includes('sm3')) {
    const p = compileProfileText(text, '/x/p.yaml', { env: { A: 'k', B: 's' } })
    t.equal(p.sign('POST', '/p', '', 0, 'n')['X-Sign-Method'], 'HMAC-SM3')
  } else {
    refused(t, text, /^\/x\/p\.yaml:4:37: HMAC-SM3 needs the sm3 hash, which this Node\.js/, 'a clear load error')
  }
})

t.test('the signature matches one computed independently', async t => {
  const p = await province()
  const body = '{"AJLIST":[]}'
  const headers = p.sign('post', '/gateway/case/push?x=1', body, new Date(1706668200000), 'nonce-1')
  const text = ['POST', '/gateway/case/push?x=1', '1706668200000', 'nonce-1', createHash('sha256').update(body).digest('hex')].join('\n')
  t.same(headers, {
    'X-App-Key': 'hub-1', 'X-Timestamp': '1706668200000', 'X-Nonce': 'nonce-1', 'X-Sign-Method': 'HMAC-SHA256',
    'X-Sign': createHmac('sha256', 's3cret').update(text).digest('hex'),
  })
  const unset = await loadProfile(join(PROFILES, 'province.yaml'), { env: {} })
  t.same(unset.missingSecrets, ['PROVINCE_APP_KEY', 'PROVINCE_APP_SECRET'])
  t.throws(() => unset.sign('POST', '/', '', 0, 'n'), new ProfileSecretError('the profile\'s signature secret comes from environment variable PROVINCE_APP_SECRET, which is not set'))
  const bearer = compileProfileText('name: t\nversion: "1"\nrecord: identity\nauth: { kind: bearer, token: "${TOK}" }\n', '/x/p.yaml', { env: { TOK: 'abc' } })
  t.same(bearer.sign('GET', '/', '', 0, ''), { Authorization: 'Bearer abc' })
  const appKey = compileProfileText('name: t\nversion: "1"\nrecord: identity\nauth: { kind: app-key, appKey: { env: K }, headers: { appKey: X-Key } }\n', '/x/p.yaml', { env: { K: 'k1' } })
  t.same(appKey.sign('GET', '/', '', 0, ''), { 'X-Key': 'k1' })
})

t.test('envelopes: JSON batches under a key, chunked; XML; one record per request', async t => {
  const p = await province()
  const records = Array.from({ length: 150 }, (_v, i) => ({ AJBH: `A${i}` }))
  const requests = p.envelope(records)
  t.equal(requests.length, 2)
  t.same(JSON.parse(requests[0]!.body), { AJLIST: records.slice(0, 100) })
  t.same(requests[1]!.indexes, Array.from({ length: 50 }, (_v, i) => 100 + i))
  t.match(requests[0]!.contentType, /^application\/json/)
  const xml = compileProfileText('name: t\nversion: "1"\nrecord: identity\nenvelope: { format: xml, batch: { path: /AJLIST }, xml: { root: DATA, item: AJ } }\n', '/x/p.yaml')
  const [one] = xml.envelope([{ AJBH: 'a<b', DSR: [{ DSRMC: '张三' }] }])
  t.equal(one!.body, '<?xml version="1.0" encoding="UTF-8"?><DATA><AJLIST><AJ><AJBH>a&lt;b</AJBH><DSR><AJ><DSRMC>张三</DSRMC></AJ></DSR></AJ></AJLIST></DATA>')
  const single = compileProfileText('name: t\nversion: "1"\nrecord: identity\n', '/x/p.yaml').envelope([{ a: 1 }, { a: 2 }])
  t.same(single.map(r => r.body), ['{"a":1}', '{"a":2}'])
})

t.test('answers: per record and per request, each class', async t => {
  const p = await province()
  const at = '2024-02-01T00:00:00.000Z'
  const answer = (code: string, results: unknown[] = []): string => JSON.stringify({ code, message: 'm', data: { RESULTS: results } })
  const ok = p.classifyAnswer(200, answer('0000', [{ AJBH: 'A', CODE: '0000' }, { AJBH: 'B', CODE: '1003', MSG: '当事人证件号码有误' }, { AJBH: 'C', CODE: '9002' }]), { caseNumbers: ['A', 'B', 'C', 'D'], acknowledgedAt: at })
  t.same(ok, {
    kind: 'records',
    results: [
      { caseNumber: 'A', status: 'accepted', acknowledgedAt: at },
      { caseNumber: 'B', status: 'rejected', reason: '1003 当事人证件号码有误' },
      { caseNumber: 'C', status: 'retryable', reason: '9002' },
      { caseNumber: 'D', status: 'retryable', reason: 'the platform\'s answer does not mention this case' },
    ],
  })
  t.same(p.classifyAnswer(200, answer('8001')), { kind: 'auth-refused', code: '8001', message: 'm' })
  t.same(p.classifyAnswer(200, answer('9001')), { kind: 'busy', code: '9001', message: 'm' })
  t.same(p.classifyAnswer(200, answer('9002')), { kind: 'retryable', code: '9002', message: 'm' })
  t.same(p.classifyAnswer(200, answer('1001')), { kind: 'rejected', code: '1001', message: 'm' })
  t.same(p.classifyAnswer(200, answer('6666')), { kind: 'retryable', code: '6666', message: 'unknown code 6666: m' })
  t.same(p.classifyAnswer(400, answer('7001')), { kind: 'rejected', code: '7001', message: 'm' }, 'a malformed request (7xxx) is refused for good')
  t.equal(p.classifyAnswer(200, 'not json').kind, 'retryable', 'an unreadable answer may have been stored: send again')
  t.equal(p.classifyAnswer(401, '').kind, 'auth-refused')
  t.equal(p.classifyAnswer(429, '').kind, 'busy')
  t.equal(p.classifyAnswer(503, '').kind, 'retryable')
  t.equal(p.classifyAnswer(400, '').kind, 'rejected')
  t.equal(p.classifyAnswer(500, answer('8002')).kind, 'auth-refused', 'a known code says more than the status')
})

t.test('listing query and pages for the way back', async t => {
  const p = await province()
  t.same(p.listing.query('11320322014166079X', 1, '2024-01-31T16:00:00Z'), { XZJGDM: '11320322014166079X', PAGE: '1', PAGE_SIZE: '100', GXSJ_BEGIN: '20240201000000' })
  t.same(p.listing.page({ code: '0000', data: { TOTAL: 3, PAGE: 1, LIST: [{ AJBH: 'A' }] } }), { records: [{ AJBH: 'A' }], total: 3 })
  t.equal(p.listing.path, '/gateway/case/query')
})

t.test('the exchange table: rows in, rows read back with the payload fingerprint', async t => {
  const p = await loadProfile(join(PROFILES, 'table.yaml'))
  const c = sampleCase()
  const out = p.project(c)
  if (out.kind !== 'record') throw new Error('held')
  const row = p.tableRow('market', 7, out)
  t.same(Object.keys(row).sort(), ['agency_code', 'case_number', 'fingerprint', 'payload', 'seq', 'status', 'status_message'])
  t.equal(row.status, 'pending')
  t.equal(row.case_number, c.caseNumber)
  t.same(p.readRow({ ...row, status: 'rejected', status_message: '缺少立案时间' }), { caseNumber: c.caseNumber, fingerprint: fingerprint(c), status: 'rejected', message: '缺少立案时间' })
  const commit = compileProfileText('name: t\nversion: "1"\nrecord: identity\ntable: { name: x, ack: commit }\n', '/x/p.yaml')
  t.notOk('status' in commit.tableRow('m', 1, out), 'ack: commit writes no status column')
})
