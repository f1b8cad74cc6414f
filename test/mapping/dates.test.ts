import t from 'tap'
import { Failure } from '../../src/mapping/transforms/convert.js'
import { DATE_FORMATS, dateConverter, dateConverterFor } from '../../src/mapping/transforms/dates.js'

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

t.test('Chinese dates yyyy年M月d日 are read with or without leading zeros', async t => {
  const chinese = dateConverter(DATE_FORMATS['yyyy年M月d日']!, '+08:00')
  t.equal(chinese('2024年3月5日'), '2024-03-05T00:00:00+08:00')
  t.equal(chinese('2024年03月05日'), '2024-03-05T00:00:00+08:00')
  t.match((chinese('2023年2月29日') as Failure).message, /not a real calendar date/)
  t.type(chinese('2024-03-05'), Failure)
  const withTime = dateConverter(DATE_FORMATS['yyyy年M月d日 H时m分']!, '+08:00')
  t.equal(withTime('2024年3月5日 9时30分'), '2024-03-05T09:30:00+08:00')
})

t.test('compact timestamps yyyyMMddHHmmss and slashed dates with a time', async t => {
  t.equal(dateConverter(DATE_FORMATS.yyyyMMddHHmmss!, '+08:00')('20240131093005'), '2024-01-31T09:30:05+08:00')
  t.equal(dateConverter(DATE_FORMATS['yyyy/M/d H:mm:ss']!, '+08:00')('2024/1/31 9:30:05'), '2024-01-31T09:30:05+08:00')
  t.type(dateConverter(DATE_FORMATS.yyyyMMddHHmmss!, '+08:00')('20240231093005'), Failure)
})

t.test('Excel serial days become the local date, a fraction the time of day', async t => {
  const excel = dateConverterFor('excelDays', '+08:00')!
  t.equal(excel('45322'), '2024-01-31T00:00:00+08:00')
  t.equal(excel('45322.5'), '2024-01-31T12:00:00+08:00')
  t.equal(excel('45356.375'), '2024-03-05T09:00:00+08:00')
  t.equal(excel('61'), '1900-03-01T00:00:00+08:00')
  t.equal(excel('59'), '1900-02-28T00:00:00+08:00', 'before Excel\'s phantom leap day')
  t.equal(excel('1'), '1900-01-01T00:00:00+08:00')
})

t.test('Excel serial 60, the 29 February 1900 that never was, is an impossible date', async t => {
  const excel = dateConverterFor('excelDays', '+08:00')!
  const failure = excel('60') as Failure
  t.type(failure, Failure)
  t.equal(failure.rule, 'date:excelDays')
  t.match(failure.message, /not a real calendar date/)
  for (const text of ['0', '-5', 'abc', '45322,5', '99999999']) t.type(excel(text), Failure, text)
})

t.test('Unix milliseconds become the instant in the agency offset', async t => {
  const ms = dateConverterFor('unixMs', '+08:00')!
  t.equal(ms('1709568000000'), '2024-03-05T00:00:00+08:00')
  t.equal(ms('1709568000123'), '2024-03-05T00:00:00.123+08:00', 'milliseconds are kept')
  t.equal(dateConverterFor('unixMs', '+00:00')!('1709568000000'), '2024-03-04T16:00:00+00:00')
  t.equal(dateConverterFor('unixSeconds', '+08:00')!('1709568000'), '2024-03-05T00:00:00+08:00')
})

t.test('Unix time with the wrong number of digits is refused: seconds are not milliseconds', async t => {
  const failure = dateConverterFor('unixMs', '+08:00')!('1709568000') as Failure
  t.type(failure, Failure)
  t.match(failure.message, /probably seconds/)
  t.match((dateConverterFor('unixSeconds', '+08:00')!('1709568000000') as Failure).message, /probably milliseconds/)
})

t.test('an unknown format name has no converter', async t => {
  t.equal(dateConverterFor('dd.MM.yyyy', '+08:00'), undefined)
  t.equal(dateConverterFor('toString', '+08:00'), undefined, 'names of Object.prototype are not formats')
})

t.test('timestamp keeps fractions up to microseconds and the instant of an offset, as databases write them', async t => {
  const ts = dateConverterFor('timestamp', '+08:00')!
  t.equal(ts('2024-03-01 09:30:00'), '2024-03-01T09:30:00+08:00', 'PostgreSQL timestamp without a fraction: local time')
  t.equal(ts('2024-03-01 09:30:00.123456'), '2024-03-01T09:30:00.123456+08:00', 'timestamp(6) / DATETIME(6): every microsecond')
  t.equal(ts('2024-03-01 09:30:00.000000'), '2024-03-01T09:30:00+08:00', 'MariaDB writes six zeros: the same instant as no fraction')
  t.equal(ts('2024-03-01 09:30:00.12'), '2024-03-01T09:30:00.120+08:00', 'whole milliseconds: three digits, as unixMs writes them')
  t.equal(ts('2024-03-01 09:30:00.1234'), '2024-03-01T09:30:00.123400+08:00', 'finer than milliseconds: six digits')
  t.equal(ts('2024-03-01 09:30:00.123456+08'), '2024-03-01T09:30:00.123456+08:00', 'PostgreSQL timestamptz in a +08 session')
  t.equal(ts('2024-03-01 01:30:00.5+00'), '2024-03-01T09:30:00.500+08:00', 'timestamptz in a UTC session: the same instant, at the mapping offset')
  t.equal(ts('2024-03-01T01:30:00.123Z'), '2024-03-01T09:30:00.123+08:00', 'ISO 8601 with Z (a driver Date as text)')
  t.equal(ts('2024-03-01T09:30:00+08:00'), '2024-03-01T09:30:00+08:00')
  t.equal(ts('2024-03-01 07:00:00+0600'), '2024-03-01T09:00:00+08:00', '+0800-style offsets')
  t.equal(ts('2024-03-01 00:10:00-05:30'), '2024-03-01T13:40:00+08:00')
  t.equal(ts('2024-12-31 23:59:59.999999-01:00'), '2025-01-01T08:59:59.999999+08:00', 'across a year boundary, no rounding')
  t.equal(dateConverterFor('timestamp', '-05:30')!('2024-03-01 09:30:00Z'), '2024-03-01T04:00:00-05:30')
  for (const bad of ['2024-03-01', '20240301093000', '2024-03-01 09:30', '2024-03-01 09:30:00.1234567', '2024-02-30 09:30:00', '2024-03-01 24:00:00', '2024-03-01 09:30:00+16:00', '2024-03-01 09:30:00 +08:00']) {
    const result = ts(bad)
    t.type(result, Failure, bad)
    t.equal((result as Failure).rule, 'date:timestamp')
    t.notMatch((result as Failure).message, bad, 'the message does not quote the value')
  }
})
