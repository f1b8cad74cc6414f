import t from 'tap'
import { deliveryKey, fingerprint, stableStringify } from '../../src/ledger/fingerprint.js'

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
