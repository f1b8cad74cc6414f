import type { RedisClient } from './redis-client.js'

/**
 * Compare-and-set on the schedule's tick: a tick later than the last one claimed wins. So
 * does any tick once nobody has claimed one for longer than the schedule's interval, by the
 * Redis server's clock: a process whose clock is behind the others' (or jumped back) must
 * not be locked out of its schedule until its clock has caught up with the last tick
 * claimed — when it is the only one left, its ticks would all look old.
 */
const CLAIM_TICK = `
local last = tonumber(redis.call('HGET', KEYS[1], 'tick') or '0')
local lastAt = tonumber(redis.call('HGET', KEYS[1], 'tickClaimedAt') or '0')
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if tonumber(ARGV[1]) > last or now - lastAt >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'tick', ARGV[1], 'tickClaimedAt', string.format('%.0f', now))
  return 1
end
return 0
`

/** Slack on top of the interval before a silent schedule counts as abandoned: event loops and crons fire a little late. */
const SLACK_MS = 500

/**
 * Claim one schedule tick (its scheduled time, in ms) in the hash at `key`: true for exactly
 * one of the hub processes whose cron fired for it, however their clocks and event loops
 * drift — so a scheduled job runs once per tick across all processes. `intervalMs` is the
 * schedule's shortest gap between two ticks (see {@link cronInterval}).
 */
export async function claimTick (redis: RedisClient, key: string, tickMs: number, intervalMs: number): Promise<boolean> {
  // Cron fires a few ms after its second, at different ms in different processes: the tick is
  // its second. A rhythm below the second ("every 250ms") falls on exact multiples of its period.
  const grain = Math.min(1000, Math.max(1, intervalMs))
  return await redis.eval(CLAIM_TICK, 1, key, String(Math.floor(tickMs / grain) * grain), String(intervalMs + SLACK_MS)) === 1
}

/** The shortest gap between the next few ticks of a cron task (1 s when it cannot tell). */
export function cronInterval (task: { getNextRuns (count: number): Date[] }): number {
  const runs = task.getNextRuns(6).map(d => d.getTime())
  let shortest = Number.POSITIVE_INFINITY
  for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, (runs[i] as number) - (runs[i - 1] as number))
  return Number.isFinite(shortest) && shortest > 0 ? shortest : 1000
}
