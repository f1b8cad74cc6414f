/**
 * The mapping code generator (src/mapping/codegen.ts) with hostile names: whatever a
 * mapping file calls its fields and pointers, it enters the generated source only as a
 * string literal, never as code, and the generated mapper does what the interpreted one does.
 */
import t from 'tap'
import { literal } from '../../src/mapping/codegen.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'

const HOSTILE = [
  '"', "'", '`', '\\', '"; globalThis.cbPwned = 1; "', '*/ globalThis.cbPwned = 2; /*', '${globalThis.cbPwned = 3}',
  '\u2028', '\u2029', '</script>', '__proto__', 'constructor', 'prototype', '\u0000', '\ud800', '🙂', '//',
]

t.test('literal gives a JavaScript string literal of exactly the text, with no bare line separator', async t => {
  for (const text of HOSTILE) {
    const code = literal(text)
    // eslint-disable-next-line no-new-func -- evaluating the literal is the point of the test
    t.equal(new Function(`return ${code}`)(), text, `round trip of ${code}`) // the message shows the literal: a raw U+2028 would break the TAP line
    t.notOk(/[\u2028\u2029]/.test(code), `no raw U+2028/U+2029 in ${code}`)
  }
})

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'
/** A YAML double-quoted scalar of `text`: JSON's escapes are YAML's. */
const yamlQuoted = (text: string): string => JSON.stringify(text)

t.test('hostile source field names are read as names, in the generated and the interpreted mapper alike', async t => {
  // Source names the path syntax allows: no dots, brackets or white space.
  const names = HOSTILE.filter(n => !/[.[\]\s\u2028\u2029]/.test(n) && !n.includes(String.fromCharCode(0)) && n !== '__proto__')
  const fields = names.map((name, i) => `  /f${i}: { from: ${yamlQuoted(name)}, text: [trim], required: true }`).join('\n')
  const text = `${head}fields:\n${fields}\n`
  const generated = compileMapping(text, '/virtual/hostile.yaml')
  const interpreted = compileMapping(text, '/virtual/hostile.yaml', { interpreted: true })
  const record = Object.fromEntries(names.map((name, i) => [name, ` value ${i} `]))
  const expected = Object.fromEntries(names.map((_name, i) => [`f${i}`, `value ${i}`]))
  t.same(generated.map(record), { kind: 'mapped', caseNumber: undefined, value: expected })
  t.same(generated.map(record), interpreted.map(record))
  const empty = generated.map({})
  t.same(empty, interpreted.map({}), 'every field missing: the same problems')
  t.same(empty.kind === 'failed' ? empty.problems.map(p => p.sourceField) : [], names, 'each problem names its hostile source field as written')
  t.equal((globalThis as Record<string, unknown>).cbPwned, undefined, 'no name ran as code')
})

t.test('hostile canonical pointers are written as property names', async t => {
  const pointers = HOSTILE.filter(n => !n.includes('/') && !/^(__proto__|constructor|prototype)$/.test(n) && n !== '')
  const fields = pointers.map((p, i) => `  ${yamlQuoted('/x/' + p)}: { from: F${i}, date: yyyyMMdd }`).join('\n')
  const text = `${head}fields:\n${fields}\n`
  const generated = compileMapping(text, '/virtual/pointers.yaml')
  const interpreted = compileMapping(text, '/virtual/pointers.yaml', { interpreted: true })
  const record = Object.fromEntries(pointers.map((_p, i) => [`F${i}`, i % 2 === 0 ? '20240131' : 'not a date']))
  const a = generated.map(record)
  t.same(a, interpreted.map(record))
  t.equal(a.kind, 'failed')
  if (a.kind === 'failed') t.same(a.problems.map(p => p.canonicalField), pointers.filter((_p, i) => i % 2 === 1).map(p => '/x/' + p), 'the problems name the hostile pointers')
  const good = Object.fromEntries(pointers.map((_p, i) => [`F${i}`, '20240131']))
  const mapped = generated.map(good)
  t.same(mapped, interpreted.map(good))
  const x = mapped.kind === 'mapped' ? mapped.value.x as Record<string, unknown> : {}
  t.same(Object.keys(x), pointers, 'each pointer became its own property')
  t.equal(Object.getPrototypeOf(x), Object.prototype)
  t.equal((globalThis as Record<string, unknown>).cbPwned, undefined, 'no pointer ran as code')
})

t.test('pointers with __proto__, constructor or prototype are refused when the file is compiled, before any code is generated', async t => {
  for (const segment of ['__proto__', 'constructor', 'prototype']) {
    t.throws(() => compileMapping(`${head}fields:\n  /a/${segment}: { from: A }\n`, '/virtual/proto.yaml'), { code: 'CB_ERR_MAPPING_FILE' }, segment)
  }
})

t.test('a source record with an own __proto__ key is read like any field, and pollutes nothing', async t => {
  const both = (text: string): [ReturnType<typeof compileMapping>, ReturnType<typeof compileMapping>] =>
    [compileMapping(text, '/virtual/own-proto.yaml'), compileMapping(text, '/virtual/own-proto.yaml', { interpreted: true })]
  const [value, valueReference] = both(`${head}fields:\n  /a: { from: "__proto__", text: [trim] }\n`)
  const record = JSON.parse('{"__proto__": " text "}') as Record<string, unknown>
  t.same(value.map(record), { kind: 'mapped', caseNumber: undefined, value: { a: 'text' } })
  t.same(value.map(record), valueReference.map(record))
  const [list, listReference] = both(`${head}fields:\n  /parties:\n    each: "__proto__"\n    fields:\n      /name: { from: N }\n`)
  const parties = JSON.parse('{"__proto__": [{"N": "x"}]}') as Record<string, unknown>
  t.same(list.map(parties), { kind: 'mapped', caseNumber: undefined, value: { parties: [{ name: 'x' }] } })
  t.same(list.map(parties), listReference.map(parties))
  t.same(list.map({}), listReference.map({}), 'no own __proto__: nothing read from the prototype')
  t.equal(({} as Record<string, unknown>).N, undefined, 'Object.prototype untouched')
})
