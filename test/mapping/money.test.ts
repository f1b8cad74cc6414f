import t from 'tap'
import { Failure } from '../../src/mapping/transforms/convert.js'
import { MONEY_UNITS } from '../../src/mapping/transforms/money.js'

const yuan = MONEY_UNITS.yuan!()
const fen = MONEY_UNITS.fen!()

t.test('yuan amounts become exact two-decimal strings', async t => {
  t.equal(yuan('12345.00'), '12345.00')
  t.equal(yuan('1234.5'), '1234.50')
  t.equal(yuan('1234'), '1234.00')
  t.equal(yuan('0'), '0.00')
  t.equal(yuan(' 200.00 '), '200.00', 'surrounding spaces are ignored')
})

t.test('thousands separators are accepted in the usual places only', async t => {
  t.equal(yuan('1,234.50'), '1234.50')
  t.equal(yuan('12,345,678.9'), '12345678.90')
  t.type(yuan('1,23'), Failure)
  t.type(yuan('12,34.00'), Failure)
  t.type(yuan(',123'), Failure)
})

t.test('0.5 is read as 0.50 yuan: a missing second decimal is not ambiguous', async t => {
  t.equal(yuan('0.5'), '0.50')
  t.type(yuan('.5'), Failure, 'but a number must start with a digit')
})

t.test('leading zeros are dropped', async t => {
  t.equal(yuan('007.10'), '7.10')
  t.equal(yuan('00.10'), '0.10')
})

t.test('extra decimals are accepted only when they are zeros; nothing is ever rounded', async t => {
  t.equal(yuan('1234.5000'), '1234.50')
  const result = yuan('1234.567')
  t.type(result, Failure)
  t.equal((result as Failure).rule, 'money:yuan')
  t.match((result as Failure).message, /at most 2 decimals/)
})

t.test('signs, other symbols and words are refused without quoting the value', async t => {
  for (const text of ['-5.00', '+5', '$5.00', '5美元', '5元元', 'abc', '1.2.3', '1e3']) {
    const result = yuan(text)
    t.type(result, Failure, text)
    t.notMatch((result as Failure).message, text, 'message does not quote ' + text)
  }
})

t.test('huge amounts are exact, never floats', async t => {
  t.equal(yuan('90071992547409931.99'), '90071992547409931.99')
})

t.test('fen become yuan', async t => {
  t.equal(fen('123450'), '1234.50')
  t.equal(fen('5'), '0.05')
  t.equal(fen('50'), '0.50')
  t.equal(fen('100'), '1.00')
  t.equal(fen('0'), '0.00')
  t.equal(fen('000123'), '1.23')
  const result = fen('12.5')
  t.type(result, Failure)
  t.equal((result as Failure).rule, 'money:fen')
})

t.test('the yuan unit written after the amount, and a yuan sign before it, are accepted', async t => {
  t.equal(yuan('1,234.50元'), '1234.50')
  t.equal(yuan('1234.5 元'), '1234.50')
  t.equal(yuan('200人民币元'), '200.00')
  t.equal(yuan('¥1,234.50'), '1234.50')
  t.equal(yuan('￥80'), '80.00')
})

t.test('fullwidth digits and punctuation are read as their ASCII forms', async t => {
  t.equal(yuan('１，２３４．５０'), '1234.50')
  t.equal(yuan('１２３４．５元'), '1234.50')
  t.equal(fen('１２３４５０'), '1234.50')
})

t.test('fen may carry the unit 分', async t => {
  t.equal(fen('5000分'), '50.00')
  t.type(fen('50.00分'), Failure)
})

t.test('wanyuan (ten thousand yuan) become yuan exactly', async t => {
  const wan = MONEY_UNITS.wanyuan!()
  t.equal(wan('1.5'), '15000.00')
  t.equal(wan('1.5万元'), '15000.00')
  t.equal(wan('0.000123'), '1.23')
  t.equal(wan('12'), '120000.00')
  const failure = wan('0.0000001') as Failure
  t.type(failure, Failure)
  t.equal(failure.rule, 'money:wanyuan')
  t.match(failure.message, /at most 6 decimals/)
})
