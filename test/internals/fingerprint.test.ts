import t from 'tap'
import { createHash } from 'node:crypto'
import { canonicalJson, deliveryKey, fingerprint, stableStringify } from '../../src/contracts/fingerprint.js'

t.test('the fingerprint does not depend on property order', async t => {
  t.equal(fingerprint({ a: 1, b: { c: [1, 2], d: 'x' } }), fingerprint({ b: { d: 'x', c: [1, 2] }, a: 1 }))
  t.equal(stableStringify({ b: 1, a: undefined, c: null }), '{"b":1,"c":null}')
})

t.test('any change of content changes the fingerprint, including array order', async t => {
  t.not(fingerprint({ a: [1, 2] }), fingerprint({ a: [2, 1] }))
  t.not(fingerprint({ amount: '100.00' }), fingerprint({ amount: '100.01' }))
})

t.test('the delivery key depends only on which versions a batch carries, not their order', async t => {
  const a = { caseNumber: 'A', fingerprint: 'f1' }
  const b = { caseNumber: 'B', fingerprint: 'f2' }
  t.equal(deliveryKey('agency', [a, b]), deliveryKey('agency', [b, a]))
  t.not(deliveryKey('agency', [a, b]), deliveryKey('agency', [a, { ...b, fingerprint: 'f3' }]))
  t.not(deliveryKey('agency', [a]), deliveryKey('other', [a]))
  t.notMatch(deliveryKey('agency', [a]), ':', 'usable as a BullMQ job id')
})

t.test('the serialisation is JSON with sorted keys: escapes, nesting, empty containers and odd values as JSON.parse reads them back', async t => {
  const value = { 'z"key': 'line\nbreak "quoted" \u2028', 案件: ['沛县', { b: 2, a: [] }, null, true, -0.5e-7], empty: {}, n: Number.NaN, nested: { y: { x: [[1], [2, [3]]] } } }
  const text = stableStringify(value)
  t.equal(text, '{"empty":{},"n":null,"nested":{"y":{"x":[[1],[2,[3]]]}},"z\\"key":"line\\nbreak \\"quoted\\" \u2028","案件":["沛县",{"a":[],"b":2},null,true,-5e-8]}')
  t.same(JSON.parse(text), JSON.parse(JSON.stringify(value)), 'reads back as the same JSON value')
  t.equal(stableStringify([undefined, 1]), '[null,1]', 'undefined in an array is null, as in JSON')
  t.equal(stableStringify('x'), '"x"')
  t.equal(stableStringify(undefined), 'null')
})

t.test('keys are ordered by UTF-16 code units as Array.prototype.sort orders them, for small and large objects', async t => {
  const keys = ['b', 'B', 'a', '_', 'Z', '案', '\ud83d\ude00', 'ab', 'aB', 'a0', '', ' ', '~', 'é', 'e', 'E', 'ß', 'zz', 'z']
  for (const n of [2, 5, 16, 17, keys.length]) {
    const picked = keys.slice(0, n).reverse()
    const value = Object.fromEntries(picked.map((k, i) => [k, i]))
    const expected = '{' + [...picked].sort().map(k => `${JSON.stringify(k)}:${value[k]}`).join(',') + '}'
    t.equal(stableStringify(value), expected, `${n} keys`)
  }
  // createHash('sha256').update('{"a":"沛县","b":1}').digest('hex').slice(0, 32): ledgers hold fingerprints made so.
  t.equal(fingerprint({ b: 1, a: '沛县' }), '1353482cfea440734491f52f94970004', 'the SHA-256 of the UTF-8 text, as before')
})

t.test('the fast path for values whose keys are sorted already writes exactly what stableStringify writes', async t => {
  const cases: unknown[] = [
    { a: 1, b: { c: [1, 2], d: 'x' } },
    { b: 1, a: 2 },
    { a: { d: 1, c: 2 } },
    { 1: 'x', 10: 'y', 9: 'z' },
    { a: 1, b: undefined, c: null },
    [undefined, 1],
    // eslint-disable-next-line no-sparse-arrays
    [1, , 3],
    { a: new Date(0) },
    { a: () => 1, b: 2 },
    { a: Object.create(null) as unknown, b: [{}] },
    { 'z"key': 'line\nbreak \u2028', 案件: ['沛县', { a: [], b: 2 }, null, true, -0.5e-7], n: Number.NaN, i: Number.POSITIVE_INFINITY },
    'x', 1.5, null, true, undefined, Number.NaN,
    JSON.parse('{"agency":{"code":"X","name":"沛县"},"caseNumber":"A-1","parties":[{"kind":"person","name":"杨"}],"penalties":[]}'),
  ]
  cases.forEach((value, i) => t.equal(canonicalJson(value), stableStringify(value), `value #${i}`))
  const sorted = JSON.parse(stableStringify({ b: { d: 'x', c: [1, { z: 1, y: 2 }] }, a: '案' })) as unknown
  t.equal(fingerprint(sorted), createHash('sha256').update(stableStringify(sorted)).digest('hex').slice(0, 32), 'the fingerprint of a key-sorted value is the SHA-256 of its sorted serialisation')
})
