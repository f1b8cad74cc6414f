/** `since` of the supervision view: a day in China time or a date-time with its offset; anything else refused naming the form (pure logic). */
import t from 'tap'
import { parseSince } from '../../src/admin/supervision.js'
import { BadRequestError } from '../../src/errors.js'

t.test('a day starts at 00:00 UTC+08:00 and keeps its date', async t => {
  const s = parseSince('2026-12-01')
  t.equal(new Date(s.ms).toISOString(), '2026-11-30T16:00:00.000Z', 'midnight in Beijing is 16:00 UTC the day before')
  t.equal(s.day, '2026-12-01')
  t.equal(s.text, '2026-12-01')
})

t.test('a date-time keeps its own offset and its own date', async t => {
  const s = parseSince('2026-12-01T23:30:00-05:00')
  t.equal(new Date(s.ms).toISOString(), '2026-12-02T04:30:00.000Z')
  t.equal(s.day, '2026-12-01', 'the day as written, in its offset')
  t.equal(new Date(parseSince('2026-12-01T08:00Z').ms).toISOString(), '2026-12-01T08:00:00.000Z', 'seconds may be left out')
  t.equal(new Date(parseSince('2026-12-01T08:00:00.123456+08:00').ms).toISOString(), '2026-12-01T00:00:00.123Z', 'a fraction of up to six digits')
})

t.test('anything else is refused, saying what is expected', async t => {
  for (const bad of ['2026-02-30', '2026-13-01', '2026-12-01T08:00:00', '2026/12/01', 'yesterday', '', '2026-12-01T25:00:00Z']) {
    let refused: unknown
    try { parseSince(bad) } catch (err) { refused = err }
    t.ok(refused instanceof BadRequestError && refused.statusCode === 400, `${JSON.stringify(bad)} refused with a 400`)
    t.match((refused as Error | undefined)?.message, /^since: expected a day \(YYYY-MM-DD\) or a date-time with an offset/, 'naming the forms it takes')
  }
})
