import t from 'tap'
import { compileMapping, type MapOutcome } from '../../src/mapping/load-mapping.js'

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'
const compile = (body: string): ReturnType<typeof compileMapping> => compileMapping(head + body, '/virtual/rules.yaml')

t.test('missing, null and empty values are absent: the canonical property is not set', async t => {
  const m = compile('fields:\n  /a/b: { from: A }\n  /c: { from: C, text: [trim] }\n  /d: { from: D, date: yyyyMMdd }\n')
  for (const record of [{}, { A: null, C: '', D: '' }, { A: '', C: '   ', D: ' ' }]) {
    t.same(m.map(record), { kind: 'mapped', caseNumber: undefined, value: {} }, JSON.stringify(record))
  }
})

t.test('required turns an absent value into a problem', async t => {
  const m = compile('fields:\n  /dates/filed: { from: LASJ, date: yyyyMMdd, required: true }\n')
  t.same(m.map({ AJBH: 'X-1', LASJ: '' }), {
    kind: 'failed',
    caseNumber: 'X-1',
    problems: [{ canonicalField: '/dates/filed', sourceField: 'LASJ', rule: 'required', message: 'a value is required, but the source field is missing or empty' }],
  })
})

t.test('default is used when the value is absent', async t => {
  const m = compile('fields:\n  /penalties: { from: CFZL, split: ",", as: /kind, default: [] }\n  /flag: { from: F, default: false }\n')
  const a = m.map({ CFZL: '' })
  const b = m.map({ CFZL: '' })
  t.same(a, { kind: 'mapped', caseNumber: undefined, value: { penalties: [], flag: false } })
  const penalties = (o: MapOutcome): unknown => o.kind === 'mapped' ? o.value.penalties : undefined
  t.not(penalties(a), penalties(b), 'each record gets its own list')
})

t.test('const sets a fixed value, constants set values on every case', async t => {
  const m = compile('constants:\n  /schemaVersion: 1\n  /agency/name: 沛县市场监督管理局\nfields:\n  /kind: { const: decision_document }\n')
  t.same(m.map({}), { kind: 'mapped', caseNumber: undefined, value: { schemaVersion: 1, agency: { name: '沛县市场监督管理局' }, kind: 'decision_document' } })
})

t.test('from reaches into nested objects with dotted paths and list indexes', async t => {
  const m = compile('fields:\n  /uri: { from: CFJDS.URL }\n  /first: { from: "DSR[0].DSRXM" }\n')
  t.same(m.map({ CFJDS: { URL: 'https://x.example/a.pdf' }, DSR: [{ DSRXM: '张三' }] }), { kind: 'mapped', caseNumber: undefined, value: { uri: 'https://x.example/a.pdf', first: '张三' } })
  t.same(m.map({ CFJDS: null, DSR: [] }), { kind: 'mapped', caseNumber: undefined, value: {} })
  t.same(m.map({ CFJDS: 'not an object' }), { kind: 'mapped', caseNumber: undefined, value: {} })
})

t.test('numbers and booleans in the source are read as text', async t => {
  const m = compile('fields:\n  /fine: { from: CFJE, money: yuan }\n  /n: { from: N }\n')
  t.same(m.map({ CFJE: 1500, N: true }), { kind: 'mapped', caseNumber: undefined, value: { fine: '1500.00', n: 'true' } })
})

t.test('a list or object where a single value belongs is a problem', async t => {
  const m = compile('fields:\n  /cause: { from: AY }\n')
  t.same(m.map({ AY: ['a'] }), { kind: 'failed', caseNumber: undefined, problems: [{ canonicalField: '/cause', sourceField: 'AY', rule: 'single-value', message: 'expected a single value (text or a number), found a list or an object' }] })
})

t.test('split cuts text into a list, each piece converted and wrapped with as', async t => {
  const m = compile('tables:\n  penalty: { codes: { "01": warning, "02": fine }, unknown: reject }\nfields:\n  /penalties: { from: CFZL, text: [halfwidth], split: ",", table: penalty, as: /kind }\n')
  t.same(m.map({ CFZL: '02,01' }), { kind: 'mapped', caseNumber: undefined, value: { penalties: [{ kind: 'fine' }, { kind: 'warning' }] } })
  t.same(m.map({ CFZL: ' 02 ，, 01,' }), { kind: 'mapped', caseNumber: undefined, value: { penalties: [{ kind: 'fine' }, { kind: 'warning' }] } }, 'fullwidth comma, spaces, empty pieces')
  t.same(m.map({ CFZL: '02,09' }), {
    kind: 'failed',
    caseNumber: undefined,
    problems: [{ canonicalField: '/penalties/1/kind', sourceField: 'CFZL', rule: 'table:penalty', message: 'not a code of table penalty (known codes: 01, 02); add the code at /virtual/rules.yaml:5:14 or correct the source', value: '09' }],
  })
})

const parties = 'tables:\n  partyKind: { codes: { "1": person, "2": organisation }, unknown: reject }\n' +
  'fields:\n  /parties:\n    each: DSR\n    required: true\n    fields:\n' +
  '      /kind: { from: DSRLX, table: partyKind }\n' +
  '      /name: { from: DSRXM, text: [trim], required: true }\n' +
  '      /idNumber: { from: ZJHM, text: [trim, upper], when: { field: DSRLX, equals: "1" }, required: true }\n' +
  '      /creditCode: { from: ZJHM, text: [trim, upper], when: { field: DSRLX, equals: 2 } }\n' +
  '      /legalRepresentative: { from: FDDBR, when: { field: DSRLX, in: ["2"] } }\n'

t.test('each builds one object per list element, and when picks the rules that apply', async t => {
  const m = compile(parties)
  t.same(m.map({ DSR: [
    { DSRLX: '1', DSRXM: ' 张三 ', ZJHM: '32032219921105101x' },
    { DSRLX: '2', DSRXM: '沛县鑫盛商贸有限公司', ZJHM: '91320322ma1xk7q376', FDDBR: '李四' },
  ] }), { kind: 'mapped', caseNumber: undefined, value: { parties: [
    { kind: 'person', name: '张三', idNumber: '32032219921105101X' },
    { kind: 'organisation', name: '沛县鑫盛商贸有限公司', creditCode: '91320322MA1XK7Q376', legalRepresentative: '李四' },
  ] } })
})

t.test('each treats a single object as a list of one, and an empty list as absent', async t => {
  const m = compile(parties)
  t.same(m.map({ DSR: { DSRLX: '1', DSRXM: '张三', ZJHM: '320322198503172011' } }), { kind: 'mapped', caseNumber: undefined, value: { parties: [{ kind: 'person', name: '张三', idNumber: '320322198503172011' }] } })
  t.same(m.map({ DSR: [] }), { kind: 'failed', caseNumber: undefined, problems: [{ canonicalField: '/parties', sourceField: 'DSR', rule: 'required', message: 'a list is required, but the source field is missing or empty' }] })
})

t.test('each reports elements that are not records, and sources that are not lists', async t => {
  const m = compile(parties)
  t.same(m.map({ DSR: ['张三'] }), { kind: 'failed', caseNumber: undefined, problems: [{ canonicalField: '/parties/0', sourceField: 'DSR[0]', rule: 'each', message: 'expected a record (a map of fields)' }] })
  t.same(m.map({ DSR: '张三' }), { kind: 'failed', caseNumber: undefined, problems: [{ canonicalField: '/parties', sourceField: 'DSR', rule: 'each', message: 'expected a list of records (or a single record)' }] })
})

t.test('all problems of a record are collected, with the paths of list elements', async t => {
  const m = compile(parties.replace('fields:\n  /parties', 'fields:\n  /dates/filed: { from: LASJ, date: yyyyMMdd }\n  /fine: { from: CFJE, money: yuan }\n  /parties'))
  const outcome = m.map({ AJBH: 'SCJG-1', LASJ: '20240230', CFJE: '12.345', DSR: [{ DSRLX: '1', DSRXM: '张三', ZJHM: '' }, { DSRLX: '3', DSRXM: '' }] })
  t.equal(outcome.kind, 'failed')
  t.equal(outcome.caseNumber, 'SCJG-1', 'the case number is known even when mapping fails')
  t.same(outcome.kind === 'failed' ? outcome.problems.map(p => [p.canonicalField, p.sourceField, p.rule]) : [], [
    ['/dates/filed', 'LASJ', 'date:yyyyMMdd'],
    ['/fine', 'CFJE', 'money:yuan'],
    ['/parties/0/idNumber', 'DSR[0].ZJHM', 'required'],
    ['/parties/1/kind', 'DSR[1].DSRLX', 'table:partyKind'],
    ['/parties/1/name', 'DSR[1].DSRXM', 'required'],
  ])
})

t.test('personal values are masked in problems, other values are shown', async t => {
  const m = compile('fields:\n  /parties:\n    each: DSR\n    fields:\n' +
    '      /name: { from: DSRXM, date: yyyyMMdd }\n      /idNumber: { from: ZJHM, money: yuan }\n      /legalRepresentative: { from: FDDBR, money: fen }\n' +
    '  /secret: { from: S, date: yyyyMMdd, personal: true }\n  /dates/filed: { from: LASJ, date: yyyyMMdd }\n')
  const outcome = m.map({ S: 'secret-value-1', LASJ: '2024-02-30', DSR: [{ DSRXM: '欧阳娜娜', ZJHM: '32032219921105101X', FDDBR: '李四光明媚' }] })
  t.equal(outcome.kind, 'failed')
  const values = outcome.kind === 'failed' ? Object.fromEntries(outcome.problems.map(p => [p.canonicalField, p.value])) : {}
  t.same(values, {
    '/parties/0/name': '欧***',
    '/parties/0/idNumber': '320*************1X',
    '/parties/0/legalRepresentative': '李****',
    '/secret': 'sec*********-1',
    '/dates/filed': '2024-02-30',
  })
  const messages = outcome.kind === 'failed' ? outcome.problems.map(p => p.message).join('\n') : ''
  for (const raw of ['欧阳娜娜', '32032219921105101X', '李四光明媚', 'secret-value-1', '2024-02-30']) t.notMatch(messages, raw, 'no message quotes ' + raw)
})

t.test('skip conditions skip a record and say which one', async t => {
  const m = compile('skip:\n  deleted: { field: SCBZ, equals: "1" }\n  draft: { field: AJZT, in: ["00", "01"] }\nfields:\n  /caseNumber: { from: AJBH, required: true }\n')
  t.same(m.map({ AJBH: 'X-1', SCBZ: '1' }), { kind: 'skipped', caseNumber: 'X-1', rule: 'skip:deleted' })
  t.same(m.map({ AJBH: 'X-2', AJZT: '00' }), { kind: 'skipped', caseNumber: 'X-2', rule: 'skip:draft' })
  t.same(m.map({ AJBH: 'X-3', SCBZ: '0', AJZT: '10' }), { kind: 'mapped', caseNumber: 'X-3', value: { caseNumber: 'X-3' } })
})

t.test('when with present tests whether a field has a value', async t => {
  const m = compile('fields:\n  /attachments:\n    each: CFJDS\n    when: { field: CFJDS.URL, present: true }\n    fields:\n      /kind: { const: decision_document }\n      /uri: { from: URL }\n' +
    '  /noDoc: { const: true, when: { field: CFJDS, present: false } }\n')
  t.same(m.map({ CFJDS: { URL: 'https://x.example/d.pdf' } }), { kind: 'mapped', caseNumber: undefined, value: { attachments: [{ kind: 'decision_document', uri: 'https://x.example/d.pdf' }] } })
  t.same(m.map({ CFJDS: { URL: '' } }), { kind: 'mapped', caseNumber: undefined, value: {} })
  t.same(m.map({ CFJDS: null }), { kind: 'mapped', caseNumber: undefined, value: { noDoc: true } })
})

t.test('a record that is not an object fails instead of throwing', async t => {
  const m = compile('fields:\n  /a: { from: A }\n')
  t.equal(m.map(null as unknown as Record<string, unknown>).kind, 'failed')
  t.equal(m.map([] as unknown as Record<string, unknown>).kind, 'failed')
})

t.test('source paths never reach into Object.prototype', async t => {
  const m = compile('fields:\n  /a: { from: toString }\n  /b: { from: A.constructor }\n')
  t.same(m.map({ A: {} }), { kind: 'mapped', caseNumber: undefined, value: {} })
})

t.test('sourceFieldFor names the source field of a canonical pointer', async t => {
  const m = compile('constants:\n  /schemaVersion: 1\n' + parties + '  /penalties: { from: CFZL, split: ",", as: /kind }\n  /attachments:\n    each: CFJDS\n    fields:\n      /uri: { from: URL }\n')
  t.equal(m.sourceFieldFor('/parties/0/idNumber'), 'DSR[0].ZJHM')
  t.equal(m.sourceFieldFor('/parties/2/legalRepresentative'), 'DSR[2].FDDBR')
  t.equal(m.sourceFieldFor('/parties/1'), 'DSR[1]')
  t.equal(m.sourceFieldFor('/parties'), 'DSR')
  t.equal(m.sourceFieldFor('/parties/0/unknown'), 'DSR[0]')
  t.equal(m.sourceFieldFor('/penalties/1/kind'), 'CFZL')
  t.equal(m.sourceFieldFor('/attachments/0/uri'), 'CFJDS[0].URL')
  t.equal(m.sourceFieldFor('/schemaVersion'), undefined)
  t.equal(m.sourceFieldFor('/nothing'), undefined)
  t.equal(m.sourceFieldFor(''), undefined)
})

t.test('the compiled mapping carries agency, version and the absolute file', async t => {
  const m = compileMapping(head + 'fields:\n  /a: { from: A }\n', 'relative/x.yaml')
  t.equal(m.agency, 'test-agency')
  t.equal(m.version, '1')
  t.match(m.file, /^\/.*\/relative\/x\.yaml$/)
  t.ok(Object.isFrozen(m))
})

t.test('the input section becomes the mapping\'s input options', async t => {
  t.same(compile('fields:\n  /a: { from: A }\n').input, { encoding: 'utf-8' }, 'utf-8 by default')
  const m = compile('input:\n  encoding: gbk\n  format: xml\n  xmlRecordPath: 案件列表.案件\nfields:\n  /a: { from: A }\n')
  t.same(m.input, { encoding: 'gbk', format: 'xml', xmlRecordPath: '案件列表.案件' })
  t.same(compile('input: { encoding: gb18030, format: csv, csvDelimiter: "|" }\nfields:\n  /a: { from: A }\n').input, { encoding: 'gb18030', format: 'csv', csvDelimiter: '|' })
  t.throws(() => compile('input: { encoding: big5 }\nfields:\n  /a: { from: A }\n'), { message: '/virtual/rules.yaml:4:20: "encoding" has an unknown value (allowed: utf-8, gbk, gb18030)' })
})

t.test('each: . makes the record itself the one element, for flat rows', async t => {
  const m = compile('tables:\n  partyKind: { codes: { ZRR: person, FR: organisation }, unknown: reject }\n' +
    'fields:\n  /parties:\n    each: .\n    fields:\n      /kind: { from: dsrlx, table: partyKind }\n      /name: { from: dsrxm, required: true }\n')
  t.same(m.map({ dsrlx: 'ZRR', dsrxm: '张三' }), { kind: 'mapped', caseNumber: undefined, value: { parties: [{ kind: 'person', name: '张三' }] } })
  const failed = m.map({ dsrlx: 'XX', dsrxm: '' })
  t.same(failed.kind === 'failed' ? failed.problems.map(p => [p.sourceField, p.canonicalField]) : [],
    [['dsrlx', '/parties/0/kind'], ['dsrxm', '/parties/0/name']], 'problems name the flat columns')
  t.equal(m.sourceFieldFor('/parties/0/name'), 'dsrxm')
  t.equal(m.sourceFieldFor('/parties/0'), undefined)
})

t.test('a driver\'s own Date value is read as its instant: date: timestamp maps it exactly, conditions see it as text', async t => {
  const m = compile('skip:\n  old: { field: GXSJ, startsWith: "2023" }\nfields:\n  /sourceUpdatedAt: { from: GXSJ, date: timestamp }\n')
  t.same(m.map({ GXSJ: new Date('2024-03-01T01:30:00.123Z') }), { kind: 'mapped', caseNumber: undefined, value: { sourceUpdatedAt: '2024-03-01T09:30:00.123+08:00' } })
  t.match(m.map({ GXSJ: new Date('2023-03-01T01:30:00Z') }), { kind: 'skipped', rule: 'skip:old' }, 'a condition compares the Date as ISO text')
  t.match(m.map({ GXSJ: new Date(Number.NaN) }), { kind: 'failed', problems: [{ rule: 'single-value' }] }, 'an invalid Date is a problem, not a date')
})
