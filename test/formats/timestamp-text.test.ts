import t from 'tap'
import { instantMicros, parseTimestamp, writeInstant } from '../../src/formats/timestamp-text.js'

const micros = (iso: string, extraMicros = 0): bigint => BigInt(Date.parse(iso)) * 1000n + BigInt(extraMicros)

t.test('a timestamp written back in its own shape is the same text, for every shape sources use', async t => {
  for (const text of [
    '2024-03-01', '20240301', '20240301093000', '2024-03-01 09:30:00', '2024-03-01T09:30:00',
    '2024-03-01 09:30:00.123456', '2024-03-01 09:30:00.1', '2024-03-01 09:30:00.123456+08', '2024-03-01 09:30:00+05:30',
    '2024-03-01T01:30:00.123Z', '2024-03-01 09:30:00+0800', '0001-01-01 00:00:00', '9999-12-31 23:59:59.999999',
  ]) {
    const parsed = parseTimestamp(text)
    t.ok(parsed !== undefined, `${text} is read`)
    if (parsed === undefined) continue
    t.equal(writeInstant(parsed.shape, instantMicros(parsed, 480), parsed.offsetMinutes ?? 480), text, `${text} is written back unchanged`)
  }
})

t.test('the instant of a timestamp: its own offset, else the one given; microseconds exact', async t => {
  t.equal(instantMicros(parseTimestamp('2024-03-01 09:30:00.123456+08')!, 0), micros('2024-03-01T01:30:00Z', 123456))
  t.equal(instantMicros(parseTimestamp('2024-03-01 09:30:00.123456')!, 480), micros('2024-03-01T01:30:00Z', 123456), 'no offset: read at +08:00')
  t.equal(instantMicros(parseTimestamp('2024-03-01 09:30:00')!, -330), micros('2024-03-01T15:00:00Z'))
  t.equal(instantMicros(parseTimestamp('1969-12-31 23:59:59.999999Z')!, 0), -1n, 'before 1970')
})

t.test('a bound written in a shorter shape is cut, never rounded up', async t => {
  const second = parseTimestamp('2024-03-01 09:30:00')!.shape
  const day = parseTimestamp('2024-03-01')!.shape
  const at = micros('2024-03-01T01:30:59.999Z', 999)
  t.equal(writeInstant(second, at, 480), '2024-03-01 09:30:59')
  t.equal(writeInstant(day, at, 480), '2024-03-01')
  t.equal(writeInstant(parseTimestamp('2024-03-01 09:30:00+08')!.shape, at, 330), '2024-03-01 07:00:59+05:30', 'an offset of whole hours only is written with its minutes when needed')
  t.equal(writeInstant(second, -1n, 0), '1969-12-31 23:59:59')
})

t.test('text that names no real date and time is not a timestamp', async t => {
  for (const text of ['', '2024-02-30', '2024-13-01 00:00:00', '2024-03-01 24:00:00', '2024-03-01 09:60:00', '2024-03-01 09:30:60', '2024-03-01 09:30', '2024-03-01 09:30:00.1234567', '2024-03-01 09:30:00+16', '2024-03-01 09:30:00 +08', '2024/03/01 09:30:00', '1709256600', 'now']) {
    t.equal(parseTimestamp(text), undefined, JSON.stringify(text))
  }
})
