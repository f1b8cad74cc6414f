import t from 'tap'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import { EXPRESSION_LIMITS } from '../../src/mapping/expressions.js'

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'
const FILE = '/virtual/expr.yaml'
const compile = (body: string): ReturnType<typeof compileMapping> => compileMapping(head + body, FILE)

t.test('an expression computes a value from the record; its result goes through the rule like any text', async t => {
  const m = compile('fields:\n' +
    '  /caseNumber: { from: AJBH }\n' +
    '  /factsSummary: { expr: "$join([DD, \'：\', SS], \'\')", text: [trim] }\n' +
    '  /amounts/fine: { expr: "$string(JE1 + JE2)", money: yuan }\n')
  t.ok(m.usesExpressions)
  t.same(await m.mapAsync({ AJBH: 'A-1', DD: '沛县汉城路', SS: '占道经营 ', JE1: 100, JE2: 50.5 }), {
    kind: 'mapped', caseNumber: 'A-1', value: { caseNumber: 'A-1', factsSummary: '沛县汉城路：占道经营', amounts: { fine: '150.50' } },
  })
})

t.test('an expression may build a whole list or a boolean, kept as it is when the rule does not reshape it', async t => {
  const m = compile('fields:\n' +
    '  /parties: { expr: "[DSR.{ \'kind\': \'person\', \'name\': XM }]" }\n' +
    '  /transfer/suspectedCrime: { expr: "SFYS = \'Y\'" }\n')
  t.same(await m.mapAsync({ DSR: [{ XM: '张三' }, { XM: '李四' }], SFYS: 'Y' }), {
    kind: 'mapped', caseNumber: undefined, value: { parties: [{ kind: 'person', name: '张三' }, { kind: 'person', name: '李四' }], transfer: { suspectedCrime: true } },
  })
  t.same(await m.mapAsync({ DSR: { XM: '王五' }, SFYS: 'N' }), {
    kind: 'mapped', caseNumber: undefined, value: { parties: [{ kind: 'person', name: '王五' }], transfer: { suspectedCrime: false } },
  })
})

t.test('an expression giving nothing is absent, so required and default apply', async t => {
  const m = compile('fields:\n  /a: { expr: "MISSING", required: true }\n  /b: { expr: "MISSING", default: none }\n')
  const outcome = await m.mapAsync({})
  t.same(outcome, { kind: 'failed', caseNumber: undefined, problems: [{ canonicalField: '/a', sourceField: '(expression)', rule: 'required', message: 'a value is required, but the source field is missing or empty' }] })
})

t.test('an expression failing at run time is a problem of that record, without quoting its data', async t => {
  const m = compile('fields:\n  /a: { expr: "$number(JE)" }\n')
  const outcome = await m.mapAsync({ JE: '张三丰' })
  t.equal(outcome.kind, 'failed')
  const p = outcome.kind === 'failed' ? outcome.problems[0] : undefined
  t.equal(p?.rule, 'expr')
  t.equal(p?.canonicalField, '/a')
  t.match(p?.message, /^the expression failed \(JSONata error D3030/)
  t.notMatch(JSON.stringify(outcome), /张三丰/)
})

t.test('an expression that recurses without end is stopped at the depth limit', async t => {
  const m = compile('fields:\n  /a: { expr: "($f := function($n) { 1 + $f($n + 1) }; $f(0))" }\n')
  const outcome = await m.mapAsync({})
  t.same(outcome.kind === 'failed' ? outcome.problems.map(p => p.message) : [], [`the expression nested deeper than ${EXPRESSION_LIMITS.depth} steps (endless recursion?) and was stopped`])
})

t.test('an expression that runs too long is stopped at the time limit', async t => {
  // Slow through work per item, not through many items: the ranges make 90,300 items, under the
  // item limit (100,000), so only the time limit can stop it (the former [1..9000] × [1..200]
  // made 1.8 M items, and on a fast run the item limit came first). Unguarded it takes about 7 s here.
  const terms = Array.from({ length: 100 }, (_, i) => `$ * ${i + 2}`).join(' + ')
  const m = compile(`fields:\n  /a: { expr: "$count([1..300].($x := $; [1..300].(${terms})))" }\n`)
  const started = Date.now()
  const outcome = await m.mapAsync({})
  t.same(outcome.kind === 'failed' ? outcome.problems.map(p => p.message) : [], [`the expression ran longer than ${EXPRESSION_LIMITS.timeoutMs} ms and was stopped`])
  t.ok(Date.now() - started < EXPRESSION_LIMITS.timeoutMs * 5, 'stopped soon after the limit')
})

t.test('an expression cannot reach JavaScript globals', async t => {
  const m = compile('fields:\n  /a: { expr: "$exists($process) or $exists($require) or $exists($globalThis) or $exists(require) or $exists(constructor)" }\n')
  t.same(await m.mapAsync({}), { kind: 'mapped', caseNumber: undefined, value: { a: false } }, 'globals are unknown names to JSONata')
})

t.test('clock, randomness, $eval and regular expressions are refused when the mapping is loaded', async t => {
  t.throws(() => compile('fields:\n  /a: { expr: "$now()" }\n'), { message: /^\/virtual\/expr\.yaml:5:15: \$now is not allowed in mapping expressions \(character \d+\): it changes on every run/ })
  t.throws(() => compile('fields:\n  /a: { expr: "($f := $millis; $f())" }\n'), { message: /^\/virtual\/expr\.yaml:5:15: \$millis is not allowed/ })
  t.throws(() => compile('fields:\n  /a: { expr: "$random()" }\n'), { message: /\$random is not allowed/ })
  t.throws(() => compile('fields:\n  /a: { expr: "$eval(CODE)" }\n'), { message: /\$eval is not allowed in mapping expressions \(character \d+\): it runs text built at run time/ })
  t.throws(() => compile('fields:\n  /a: { expr: "$match(A, /(a+)+$/)" }\n'), { message: /^\/virtual\/expr\.yaml:5:15: regular expressions are not allowed in mapping expressions/ })
})

t.test('a syntax error in an expression is reported at the expression with the character', async t => {
  t.throws(() => compile('fields:\n  /a: { expr: "A +" }\n'), { message: /^\/virtual\/expr\.yaml:5:15: the expression is not valid JSONata: .* \(at character \d+\)$/ })
})

t.test('expressions are refused inside each, and a mapping with expressions must be run with mapAsync', async t => {
  t.throws(() => compile('fields:\n  /parties:\n    each: DSR\n    fields:\n      /name: { expr: "XM" }\n'),
    { message: '/virtual/expr.yaml:8:16: expr can only be used in top-level fields, not inside each: compute the whole list with expr on the list\'s pointer instead (e.g. /parties: { expr: … })' })
  const m = compile('fields:\n  /a: { expr: "A" }\n')
  t.throws(() => m.map({ A: 'x' }), /uses expressions.*call mapAsync/)
  t.same(await compile('fields:\n  /a: { from: A }\n').mapAsync({ A: 'x' }), { kind: 'mapped', caseNumber: undefined, value: { a: 'x' } }, 'mapAsync runs any mapping')
})

t.test('the built-ins that allocate in one call are refused before they allocate, with what was stopped', async t => {
  const cases: Array<[string, RegExp]> = [
    ['$string($length($pad("", 200000000)))', /^\$pad to a width of 200000000 would make text longer than 100000 characters/],
    ['$join([1..2000].$pad("", 99))', /^\$join would make text of 198000 characters/],
    ['$reduce([1..40], function($a, $b) { $a & $a }, "x")', /^"&" would make text of 131072 characters, more than 100000/],
    ['$count([1..10000].[[1..10000]])', /^the expression made more than 100000 list items in all; stopped at the range \[1\.\.10000\]/],
    ['$string([1..1000].{ "a": [1..20] })', /^\$string of a value larger than 100000 characters as text/],
    ['$replace($pad("", 1000, "a"), "a", $pad("", 1000))', /^\$replace could make text of 1001000 characters/],
    ['$formatInteger(1e15, "I")', /^\$formatInteger as a Roman numeral of a number above 100000/],
    ['$fromMillis(0, "[Y,1000000]")', /^\$fromMillis with a width of 1000 or more/],
    ['$split($pad("", 90000), "")', /^the expression's result is larger than 100000 characters as JSON/],
    ['[1..400].$pad("", 9999)', /^the expression made more than 2000000 characters of text in all; stopped at \$pad/],
    [`($a := "xxxxxxxxxx"; ${'$a := $a & $a; '.repeat(15)}$a)`, /^"&" would make text of 163840 characters, more than 100000/],
  ]
  for (const [expr, message] of cases) {
    const m = compile(`fields:\n  /a: { expr: ${JSON.stringify(expr)} }\n`)
    const before = process.memoryUsage().rss
    const outcome = await m.mapAsync({})
    t.match(outcome.kind === 'failed' ? outcome.problems[0]?.message : '(mapped)', message, expr)
    t.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, `${expr}: no large allocation`)
    await t.rejects(m.checkExpressions(), { code: 'CB_ERR_MAPPING_FILE', message: /^\/virtual\/expr\.yaml:5:15: the expression breaks a limit even on an empty record, so it is refused: / }, `${expr}: refused when loaded`)
  }
})

t.test('guarded built-ins and operators give what JSONata gives within the limits', async t => {
  const m = compile('fields:\n' +
    '  /a: { expr: "$pad(S, 6, \'#\') & \'|\' & $join([S, $string(N)], \'-\') & \'|\' & $string({ \'k\': [1..3] }) & N & MISSING" }\n' +
    '  /b: { expr: "$count($split(\'a,b,c\', \',\')) + $count([1..5]) + $count($distinct([1, 1, 2]))" }\n' +
    '  /c: { expr: "$map([1, 2], $string)" }\n')
  t.same(await m.mapAsync({ S: 'ab', N: 5 }), { kind: 'mapped', caseNumber: undefined, value: { a: 'ab####|ab-5|{"k":[1,2,3]}5', b: 10, c: ['1', '2'] } })
  await m.checkExpressions()
})

t.test('a record too large for an expression fails that record only; the mapping loads', async t => {
  const m = compile('fields:\n  /a: { expr: "$uppercase(AQZY)" }\n')
  await m.checkExpressions()
  const outcome = await m.mapAsync({ AQZY: 'x'.repeat(200_000) })
  t.match(outcome.kind === 'failed' ? outcome.problems[0]?.message : '', /^\$uppercase was given text of 200000 characters, more than 100000/)
  t.same(await m.mapAsync({ AQZY: 'abc' }), { kind: 'mapped', caseNumber: undefined, value: { a: 'ABC' } })
})

t.test('$shuffle is refused like the other functions that change on every run', async t => {
  t.throws(() => compile('fields:\n  /a: { expr: "$shuffle([1, 2])" }\n'), { message: /\$shuffle is not allowed in mapping expressions \(character \d+\): it orders at random/ })
})
