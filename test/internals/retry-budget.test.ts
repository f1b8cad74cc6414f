import t from 'tap'
import { readFileSync } from 'node:fs'
import { pushBackoff, type PushBackoffOptions } from '../../src/delivery/push-backoff.js'
import { isLastAttempt, queueAttempts, UNBOUNDED_ATTEMPTS, type RetryBudget } from '../../src/delivery/retry-budget.js'
import { schemaPath } from '../../src/paths.js'

interface PushDefaults { retryForSeconds: { default: number }; backoff: { properties: Record<keyof PushBackoffOptions, { default: number }> } }
const push = (JSON.parse(readFileSync(schemaPath('config.schema.json'), 'utf8')) as { properties: { push: { properties: PushDefaults } } }).properties.push.properties
// The schema's defaults, read from the schema: the one place they live.
const defaultBackoff: PushBackoffOptions = { delayMs: push.backoff.properties.delayMs.default, jitter: push.backoff.properties.jitter.default, maxDelayMs: push.backoff.properties.maxDelayMs.default }
const defaultBudget: RetryBudget = { retryForMs: push.retryForSeconds.default * 1000 }

/** When a job whose every attempt fails at once is dead-lettered (ms after its first attempt), and after how many attempts. */
function giveUp (budget: RetryBudget, backoff: PushBackoffOptions, random: () => number): { atMs: number; attempts: number } {
  const delay = pushBackoff(backoff, random)
  let now = 0
  for (let attempt = 1; ; attempt++) {
    if (isLastAttempt(budget, attempt, 0, now)) return { atMs: now, attempts: attempt }
    const wait = delay(attempt)
    if (typeof wait !== 'number') throw new Error('pushBackoff answers synchronously')
    now += wait
  }
}

const HOUR = 3_600_000

t.test('with the schema defaults, a platform down for an hour never dead-letters a case, whatever the jitter', async t => {
  for (const [name, random] of [['no jitter taken off', () => 0], ['full jitter taken off', () => 0.999999], ['half', () => 0.5]] as const) {
    const end = giveUp(defaultBudget, defaultBackoff, random)
    t.ok(end.atMs > HOUR, `${name}: given up after ${Math.round(end.atMs / 60_000)} min, past an hour`)
    t.ok(end.atMs >= defaultBudget.retryForMs, `${name}: not before retryForSeconds`)
    t.ok(end.atMs < defaultBudget.retryForMs + defaultBackoff.maxDelayMs, `${name}: at most one capped delay after it`)
  }
})

t.test('the old budget of 12 attempts was 9 to 19 minutes of retries (about 14 on average), not the hour its comment promised', async t => {
  const old: RetryBudget = { retryForMs: Number.POSITIVE_INFINITY, maxAttempts: 12 }
  const longest = giveUp(old, defaultBackoff, () => 0)
  const shortest = giveUp(old, defaultBackoff, () => 0.999999)
  const average = giveUp(old, defaultBackoff, () => 0.5)
  t.equal(longest.attempts, 12)
  t.ok(Math.abs(average.atMs - 14 * 60_000) < 60_000, `on average ${Math.round(average.atMs / 60_000)} min`)
  t.ok(longest.atMs < 19 * 60_000 && shortest.atMs > 9 * 60_000, `between ${Math.round(shortest.atMs / 60_000)} and ${Math.round(longest.atMs / 60_000)} min`)
  t.ok(longest.atMs < HOUR, 'an hour-long maintenance window would have dead-lettered cases')
})

t.test('the give-up is decided by time since the first attempt, and a configured ceiling of attempts still applies', async t => {
  const budget: RetryBudget = { retryForMs: 10_000 }
  t.notOk(isLastAttempt(budget, 500, 1_000, 10_999), 'any number of attempts within the budget is retried')
  t.ok(isLastAttempt(budget, 2, 1_000, 11_000), 'once retryFor has passed since the first attempt, the next failure is the last')
  t.ok(isLastAttempt({ retryForMs: 10_000, maxAttempts: 3 }, 3, 1_000, 2_000), 'the ceiling of attempts ends it earlier')
  t.equal(queueAttempts(budget), UNBOUNDED_ATTEMPTS, 'BullMQ gets no count of its own when time decides')
  t.equal(queueAttempts({ retryForMs: 1, maxAttempts: 7 }), 7)
})
