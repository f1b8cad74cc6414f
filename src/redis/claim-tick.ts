import type { Redis } from 'ioredis'

// Compare-and-set: only a tick later than the last one claimed wins.
const CLAIM_TICK = `
local last = tonumber(redis.call('HGET', KEYS[1], 'tick') or '0')
if tonumber(ARGV[1]) > last then
  redis.call('HSET', KEYS[1], 'tick', ARGV[1])
  return 1
end
return 0
`

/**
 * Claim one schedule tick (its scheduled time, in ms) in the hash at `key`: true for exactly
 * one of the hub processes whose cron fired for it, however their clocks and event loops
 * drift — so a scheduled job runs once per tick across all processes.
 */
export async function claimTick (redis: Redis, key: string, tickMs: number): Promise<boolean> {
  return await redis.eval(CLAIM_TICK, 1, key, String(Math.floor(tickMs / 1000) * 1000)) === 1
}
