/**
 * Pull schedules below the second ("every 250ms"): the text is read as a period, the ticks
 * fall on multiples of it (the same instants in every hub process), and each tick is claimed
 * by exactly one process in Redis although several ticks share one second.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { everyMs, scheduleProblem } from '../../src/config/schedule-text.js'
import { startPullTicker } from '../../src/sync/pull-schedule.js'
import { claimTick } from '../../src/redis/claim-tick.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'

t.test('schedule texts', async t => {
  t.equal(everyMs('every 250ms'), 250)
  t.equal(everyMs(' every 2s '), 2000)
  t.equal(everyMs('every 250 ms'), 250)
  t.equal(everyMs('*/1 * * * * *'), undefined, 'a cron expression is not a rhythm')
  t.equal(everyMs('every 1.5s'), undefined, 'whole numbers only')
  t.equal(scheduleProblem('every 99ms'), 'everyTooShort')
  t.equal(scheduleProblem('every 100ms'), undefined)
  t.equal(scheduleProblem('*/30 * * * * *'), undefined)
  t.equal(scheduleProblem('every five minutes'), 'badCron')
})

t.test('a rhythm of 200 ms ticks on the multiples of 200 ms, one tick each, until stopped', async t => {
  const ticks: number[] = []
  let stop: () => void = () => {}
  const five = new Promise<void>(resolve => { stop = resolve })
  const ticker = startPullTicker('every 200ms', 'test', (scheduled, interval) => {
    t.equal(interval, 200, 'the period is given with each tick')
    ticks.push(scheduled.getTime())
    if (ticks.length === 5) stop()
  })
  await five
  await ticker.stop()
  t.ok(ticks.every(ms => ms % 200 === 0), `on multiples of the period (${ticks.join(', ')})`)
  t.same(ticks.slice(1).map((ms, i) => ms - (ticks[i] as number)), [200, 200, 200, 200], 'one tick per period, none skipped or doubled')
  const last = ticks.at(-1) as number
  t.ok(Math.abs(Date.now() - last) < 2000, 'the ticks are the current time, not a count')
})

t.test('ticks 250 ms apart within one second are each claimed once across processes', async t => {
  const prefix = testPrefix(t, 'pull-schedule')
  const a = new Redis(TEST_REDIS_URL)
  const b = new Redis(TEST_REDIS_URL)
  t.teardown(() => { a.disconnect(); b.disconnect() })
  const key = `${prefix}:tick`
  const second = Math.floor(Date.now() / 1000) * 1000
  for (const tick of [second, second + 250, second + 500, second + 750]) {
    const claims = await Promise.all([claimTick(a, key, tick, 250), claimTick(b, key, tick, 250)])
    t.equal(claims.filter(Boolean).length, 1, `the tick at +${tick - second} ms is claimed by exactly one of two processes`)
  }
  t.equal(await claimTick(a, key, second + 500, 250), false, 'an older tick is not claimed again')
})
