import t from 'tap'
import { compileMapping, type MapOutcome } from '../../src/mapping/load-mapping.js'

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'
const compile = (body: string): ReturnType<typeof compileMapping> => compileMapping(head + body, '/virtual/conditions.yaml')
const skipped = (o: MapOutcome): string | undefined => o.kind === 'skipped' ? o.rule : undefined

t.test('skip rules filter drafts and test records, each skip named by its rule', async t => {
  const m = compile('skip:\n' +
    '  draft: { field: AJZT, in: ["00", "01"] }\n' +
    '  testRecord: { any: [ { field: AJMC, contains: 测试 }, { field: AJBH, startsWith: TEST- } ] }\n' +
    'fields:\n  /caseNumber: { from: AJBH }\n')
  t.equal(skipped(m.map({ AJBH: 'A-1', AJZT: '01' })), 'skip:draft')
  t.equal(skipped(m.map({ AJBH: 'A-2', AJMC: '某某测试案件' })), 'skip:testRecord')
  t.equal(skipped(m.map({ AJBH: 'TEST-3' })), 'skip:testRecord')
  t.equal(m.map({ AJBH: 'A-4', AJZT: '10', AJMC: '销售过期食品案' }).kind, 'mapped')
})

t.test('notEquals and notIn hold for absent values; equals, in, contains and startsWith do not', async t => {
  const m = compile('fields:\n' +
    '  /ne: { const: true, when: { field: F, notEquals: "1" } }\n' +
    '  /ni: { const: true, when: { field: F, notIn: ["1", "2"] } }\n' +
    '  /eq: { const: true, when: { field: F, equals: "1" } }\n' +
    '  /in: { const: true, when: { field: F, in: ["1"] } }\n' +
    '  /co: { const: true, when: { field: F, contains: "1" } }\n' +
    '  /sw: { const: true, when: { field: F, startsWith: "1" } }\n')
  t.same(m.map({}), { kind: 'mapped', caseNumber: undefined, value: { ne: true, ni: true } })
  t.same(m.map({ F: ' 1 ' }), { kind: 'mapped', caseNumber: undefined, value: { eq: true, in: true, co: true, sw: true } })
  t.same(m.map({ F: '3' }), { kind: 'mapped', caseNumber: undefined, value: { ne: true, ni: true } })
})

t.test('all, any and not combine conditions', async t => {
  const m = compile('fields:\n' +
    '  /both: { const: true, when: { all: [ { field: A, equals: "1" }, { field: B, present: true } ] } }\n' +
    '  /either: { const: true, when: { any: [ { field: A, equals: "1" }, { field: B, present: true } ] } }\n' +
    '  /neither: { const: true, when: { not: { any: [ { field: A, equals: "1" }, { field: B, present: true } ] } } }\n')
  t.same(m.map({ A: '1', B: 'x' }), { kind: 'mapped', caseNumber: undefined, value: { both: true, either: true } })
  t.same(m.map({ A: '1' }), { kind: 'mapped', caseNumber: undefined, value: { either: true } })
  t.same(m.map({ A: '2', B: '' }), { kind: 'mapped', caseNumber: undefined, value: { neither: true } })
})

t.test('a condition with two operators, or field beside a combination, is refused at its position', async t => {
  t.throws(() => compile('fields:\n  /a: { from: A, when: { field: B, equals: "1", in: ["2"] } }\n'),
    { message: '/virtual/conditions.yaml:5:24: a condition needs exactly one operator (found equals and in; allowed: equals, notEquals, in, notIn, present, contains, startsWith, all, any, not)' })
  t.throws(() => compile('fields:\n  /a: { from: A, when: { field: B, not: { field: C, equals: "1" } } }\n'),
    { message: '/virtual/conditions.yaml:5:26: "field" cannot be used with not: the conditions inside name their fields' })
  t.throws(() => compile('fields:\n  /a: { from: A, when: { equals: "1" } }\n'),
    { message: '/virtual/conditions.yaml:5:24: a condition with equals needs field: the source field it tests' })
})
