import t from 'tap'
import { Failure } from '../../src/mapping/transforms/convert.js'
import { DATE_FORMATS, dateConverter } from '../../src/mapping/transforms/dates.js'

const day = dateConverter(DATE_FORMATS.yyyyMMdd!, '+08:00')
const stamp = dateConverter(DATE_FORMATS['yyyy-MM-dd HH:mm:ss']!, '+08:00')

t.test('yyyyMMdd becomes midnight with the mapping offset', async t => {
  t.equal(day('20240131'), '2024-01-31T00:00:00+08:00')
  t.equal(day(' 20240131 '), '2024-01-31T00:00:00+08:00', 'surrounding spaces are ignored')
  t.equal(dateConverter(DATE_FORMATS.yyyyMMdd!, '-05:30')('20240131'), '2024-01-31T00:00:00-05:30')
})

t.test('30 February is not a real calendar date and is never rolled over to March', async t => {
  const result = day('20240230')
  t.type(result, Failure)
  const failure = result as Failure
  t.equal(failure.rule, 'date:yyyyMMdd')
  t.match(failure.message, /not a real calendar date/)
  t.notMatch(failure.message, /20240230/, 'the message does not quote the value')
})

t.test('29 February exists in leap years only', async t => {
  t.equal(day('20240229'), '2024-02-29T00:00:00+08:00', '2024 is a leap year')
  t.equal(day('20000229'), '2000-02-29T00:00:00+08:00', '2000 is a leap year (divisible by 400)')
  t.type(day('20230229'), Failure, '2023 is not')
  t.type(day('19000229'), Failure, '1900 is not (divisible by 100, not by 400)')
})

t.test('other impossible days and months are refused', async t => {
  for (const text of ['20240431', '20241301', '20240001', '20240100', '20241232']) t.type(day(text), Failure, text)
})

t.test('text not in the format is refused with the format and an example', async t => {
  for (const text of ['2024-01-31', '2024131', '202401311', 'abcdefgh', '２０２４０１３１']) {
    const result = day(text)
    t.type(result, Failure, text)
    t.match((result as Failure).message, /expected a date written yyyyMMdd, e\.g\. 20240131/)
  }
})

t.test('yyyy-MM-dd HH:mm:ss keeps the time of day', async t => {
  t.equal(stamp('2024-02-15 10:20:30'), '2024-02-15T10:20:30+08:00')
  t.type(stamp('2024-02-15'), Failure, 'the time is part of the format')
  t.match((stamp('2024-02-15 24:00:00') as Failure).message, /not a real time of day/)
  t.match((stamp('2024-02-15 10:60:00') as Failure).message, /not a real time of day/)
  t.match((stamp('2023-02-29 10:00:00') as Failure).message, /not a real calendar date/)
})

t.test('the other formats of the table', async t => {
  t.equal(dateConverter(DATE_FORMATS['yyyy-MM-dd']!, '+08:00')('2024-01-31'), '2024-01-31T00:00:00+08:00')
  const slashed = dateConverter(DATE_FORMATS['yyyy/M/d']!, '+08:00')
  t.equal(slashed('2024/1/31'), '2024-01-31T00:00:00+08:00')
  t.equal(slashed('2024/01/05'), '2024-01-05T00:00:00+08:00')
  t.type(slashed('2024/2/30'), Failure)
})
