import t from 'tap'
import { compileMapping } from '../../src/mapping/load-mapping.js'

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'
const compile = (body: string): ReturnType<typeof compileMapping> => compileMapping(head + body, '/virtual/compose.yaml')

t.test('concat joins the fields present with the separator, and fixed texts', async t => {
  const m = compile('fields:\n' +
    '  /address: { concat: [SHENG, SHI, XIAN], separator: " " }\n' +
    '  /caseNumber: { concat: [{ const: "沛城管简" }, NF, { const: "-" }, XH] }\n')
  t.same(m.map({ SHENG: '江苏省', SHI: '', XIAN: '沛县', NF: 2024, XH: '0017' }), { kind: 'mapped', caseNumber: undefined, value: { address: '江苏省 沛县', caseNumber: '沛城管简2024-0017' } })
  t.same(m.map({}), { kind: 'mapped', caseNumber: undefined, value: {} }, 'no field present: the value is absent, fixed texts alone do not make one')
})

t.test('concat output goes through clean-ups and converters like any text', async t => {
  const m = compile('fields:\n  /dates/filed: { concat: [NF, YF, RI], separator: "-", date: yyyy-MM-dd, required: true }\n')
  t.same(m.map({ NF: '2024', YF: '03', RI: '05' }), { kind: 'mapped', caseNumber: undefined, value: { dates: { filed: '2024-03-05T00:00:00+08:00' } } })
  const failed = m.map({ NF: '2024', YF: '02', RI: '30' })
  t.same(failed.kind === 'failed' ? failed.problems.map(p => [p.canonicalField, p.sourceField, p.rule]) : [], [['/dates/filed', 'NF+YF+RI', 'date:yyyy-MM-dd']])
  t.same(m.map({}).kind === 'failed' ? 'required' : 'no', 'required')
})

t.test('choose takes the first alternative whose condition holds', async t => {
  const m = compile('tables:\n  procedure: { codes: { "1": general, "2": summary }, unknown: reject }\n' +
    'fields:\n' +
    '  /classification/procedure:\n' +
    '    required: true\n' +
    '    choose:\n' +
    '      - { when: { field: SFJY, equals: "是" }, const: summary }\n' +
    '      - { when: { field: CXLX, present: true }, from: CXLX, table: procedure }\n' +
    '      - { when: { field: CFJE_FEN, present: true }, const: general }\n')
  const procedure = (record: Record<string, unknown>): unknown => { const o = m.map(record); return o.kind === 'mapped' ? (o.value.classification as Record<string, unknown>).procedure : o.kind }
  t.equal(procedure({ SFJY: '是', CXLX: '1' }), 'summary', 'the first alternative wins')
  t.equal(procedure({ SFJY: '否', CXLX: '1' }), 'general')
  t.equal(procedure({ CFJE_FEN: '5000' }), 'general')
  t.equal(procedure({}), 'failed', 'no alternative applies and the rule is required')
  const failed = m.map({})
  t.same(failed.kind === 'failed' ? failed.problems : [], [{ canonicalField: '/classification/procedure', sourceField: 'CXLX', rule: 'required', message: 'a value is required, but the source field is missing or empty' }])
})

t.test('choose falls back to its default; an alternative without when is the otherwise branch', async t => {
  const m = compile('fields:\n' +
    '  /a: { default: none, choose: [ { when: { field: X, equals: "1" }, const: one } ] }\n' +
    '  /b: { choose: [ { when: { field: X, equals: "1" }, const: one }, { from: Y } ] }\n')
  t.same(m.map({ X: '1' }), { kind: 'mapped', caseNumber: undefined, value: { a: 'one', b: 'one' } })
  t.same(m.map({ X: '2', Y: 'why' }), { kind: 'mapped', caseNumber: undefined, value: { a: 'none', b: 'why' } })
})

t.test('choose is checked: required and default belong to it, an unconditional alternative must be last', async t => {
  t.throws(() => compile('fields:\n  /a: { choose: [ { from: A, default: x } ] }\n'), { message: '/virtual/compose.yaml:5:30: "default" belongs on the choose rule itself: it applies when no alternative gives a value' })
  t.throws(() => compile('fields:\n  /a: { choose: [ { from: A }, { from: B } ] }\n'), { message: '/virtual/compose.yaml:5:19: only the last alternative may go without when: the ones after it could never be chosen' })
  t.throws(() => compile('fields:\n  /a: { choose: [ { when: { field: A, present: true } } ] }\n'), { message: '/virtual/compose.yaml:5:19: a rule needs exactly one of from, const, concat, expr, each or choose (/a)' })
})

t.test('separator without concat, and concat parts that are neither paths nor fixed texts, are refused', async t => {
  t.throws(() => compile('fields:\n  /a: { from: A, separator: "-" }\n'), { message: '/virtual/compose.yaml:5:18: "separator" only goes with concat' })
  t.throws(() => compile('fields:\n  /a: { concat: [A, 3] }\n'), { message: '/virtual/compose.yaml:5:21: item 2 of "concat" is not valid here: A source path, or a fixed text written { const: … }.' })
})
