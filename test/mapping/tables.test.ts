import t from 'tap'
import { compileMapping } from '../../src/mapping/load-mapping.js'

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'

function statusMapping (table: string): ReturnType<typeof compileMapping> {
  return compileMapping(`${head}tables:\n  status: ${table}\nfields:\n  /status: { from: AJZT, table: status }\n`, '/virtual/tables.yaml')
}

t.test('a table maps known codes whatever its unknown rule', async t => {
  for (const rule of ['unknown: reject', 'unknown: pass', 'unknown: default, default: withdrawn']) {
    const m = statusMapping(`{ codes: { "10": filed, "20": investigating }, ${rule} }`)
    t.same(m.map({ AJBH: 'A1', AJZT: '20' }), { kind: 'mapped', caseNumber: 'A1', value: { status: 'investigating' } }, rule)
    t.same(m.map({ AJBH: 'A1', AJZT: ' 10 ' }), { kind: 'mapped', caseNumber: 'A1', value: { status: 'filed' } }, rule + ', code trimmed')
  }
})

t.test('unknown: reject makes an unknown code a problem that names the table and its codes', async t => {
  const m = statusMapping('{ codes: { "10": filed, "20": investigating }, unknown: reject }')
  t.same(m.map({ AJBH: 'A1', AJZT: '99' }), {
    kind: 'failed',
    caseNumber: 'A1',
    problems: [{ canonicalField: '/status', sourceField: 'AJZT', rule: 'table:status', message: 'not a code of table status (known codes: 10, 20); add the code at /virtual/tables.yaml:5:13 or correct the source', value: '99' }],
  })
})

t.test('unknown: pass keeps the source text', async t => {
  const m = statusMapping('{ codes: { "10": filed }, unknown: pass }')
  t.same(m.map({ AJBH: 'A1', AJZT: ' 99 ' }), { kind: 'mapped', caseNumber: 'A1', value: { status: '99' } })
})

t.test('unknown: default uses the table default', async t => {
  const m = statusMapping('{ codes: { "10": filed }, unknown: default, default: withdrawn }')
  t.same(m.map({ AJBH: 'A1', AJZT: '99' }), { kind: 'mapped', caseNumber: 'A1', value: { status: 'withdrawn' } })
})

t.test('table values may be booleans and numbers', async t => {
  const m = compileMapping(`${head}tables:\n  yesNo: { codes: { "0": false, "1": true }, unknown: reject }\n  level: { codes: { A: 1, B: 2 }, unknown: reject }\n` +
    'fields:\n  /flag: { from: F, table: yesNo }\n  /level: { from: L, table: level }\n', '/virtual/tables.yaml')
  t.same(m.map({ F: '0', L: 'B' }), { kind: 'mapped', caseNumber: undefined, value: { flag: false, level: 2 } })
  t.same(m.map({ F: '1', L: 'A' }), { kind: 'mapped', caseNumber: undefined, value: { flag: true, level: 1 } })
})

t.test('codes keep their leading zeros even when written without quotes', async t => {
  const m = compileMapping(`${head}tables:\n  penalty:\n    codes:\n      01: warning\n      02: fine\n    unknown: reject\nfields:\n  /kind: { from: K, table: penalty }\n`, '/virtual/tables.yaml')
  t.same(m.map({ K: '01' }), { kind: 'mapped', caseNumber: undefined, value: { kind: 'warning' } })
  t.equal(m.map({ K: '1' }).kind, 'failed', '"1" is not "01"')
})

t.test('a table with unknown: default needs a default, and a default needs unknown: default', async t => {
  t.throws(() => statusMapping('{ codes: { "10": filed }, unknown: default }'), /tables\.yaml:5:\d+: table status says unknown: default but has no default: value/)
  t.throws(() => statusMapping('{ codes: { "10": filed }, unknown: reject, default: filed }'), /tables\.yaml:5:\d+: table status has a default: but says unknown: reject/)
})

t.test('an unknown rule for unknown codes is refused with the allowed rules', async t => {
  t.throws(() => statusMapping('{ codes: { "10": filed }, unknown: ignore }'), { message: /^\/virtual\/tables\.yaml:5:\d+: "unknown" has an unknown value \(allowed: reject, pass, default\)$/ })
})
