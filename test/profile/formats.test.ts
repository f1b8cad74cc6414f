import t from 'tap'
import { dateFormat, formatInstant, FormatFailure, moneyFormat } from '../../src/profile/formats.js'

t.test('dates are written in the platform format at its offset', async t => {
  const at8 = (name: string): unknown => dateFormat(name, '+08:00')!('2024-01-31T17:30:05Z')
  t.equal(at8('yyyyMMdd'), '20240201', 'the UTC evening is the next day in +08:00')
  t.equal(at8('yyyyMMddHHmmss'), '20240201013005')
  t.equal(at8('yyyy-MM-dd HH:mm:ss'), '2024-02-01 01:30:05')
  t.equal(at8('yyyy-MM-dd'), '2024-02-01')
  t.equal(at8('iso'), '2024-02-01T01:30:05+08:00')
  t.equal(dateFormat('iso', '-05:00')!('2024-01-31T09:30:00.123456+08:00'), '2024-01-30T20:30:00.123456-05:00', 'the fraction is kept as written')
  t.equal(dateFormat('unixMs', '+08:00')!('2024-03-05T00:00:00.5+08:00'), 1709568000500)
  t.equal(dateFormat('yyyyMMdd', '+00:00')!('2024-02-29T23:59:59+00:00'), '20240229', 'leap day')
  t.ok(dateFormat('yyyyMMdd', '+08:00')!('2024-01-31') instanceof FormatFailure, 'a date without time and offset is refused')
  t.equal(dateFormat('ddMMyyyy', '+08:00'), undefined)
  t.equal(formatInstant(new Date('2024-01-31T16:00:00.000Z'), 'yyyyMMddHHmmss', '+08:00'), '20240201000000')
})

t.test('money is converted exactly: no float rounding', async t => {
  const fen = moneyFormat('fen')!
  // 4.35 * 100 = 434.99999999999994 and 0.29 * 100 = 28.999999999999996 in floating point.
  t.equal(fen('4.35'), 435)
  t.equal(fen('0.29'), 29)
  t.equal(fen('0.30'), 30, '0.1 + 0.2 as an amount is 30 fen')
  t.equal(fen('1.10'), 110)
  t.equal(fen('0.00'), 0)
  t.equal(fen('99999999999999.99') instanceof FormatFailure, true, 'beyond 2^53 fen a number would lose digits')
  t.equal(moneyFormat('fenText')!('99999999999999.99'), '9999999999999999')
  t.equal(moneyFormat('yuan')!('1234.50'), '1234.50')
  t.ok(moneyFormat('yuan')!('1234.5') instanceof FormatFailure, 'not a canonical amount')
  t.ok(fen(12.5) instanceof FormatFailure, 'a number is not a canonical amount')
  t.equal(moneyFormat('wanyuan'), undefined)
})
