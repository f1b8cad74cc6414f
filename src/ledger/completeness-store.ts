/**
 * The agency's completeness gaps (信息不全), kept beside the versions they belong to: for each
 * case whose newest version lacks expected fields (src/schema/completeness.ts), which ones;
 * and per field, how many cases lack it now. Written in the same MULTI as the page commit
 * that records the version (a crash cannot leave the counts of a version half written), by
 * one script that moves a case's counts from its old gaps to its new ones, so a case
 * counts once whatever how often it changes.
 */
import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from '../redis/redis-client.js'

/** KEYS: gaps (HASH caseNumber → "f1|f2"), gapCounts (HASH field → cases). ARGV: caseNumber, gaps ("" none), … */
const RECORD_GAPS = `
for i = 1, #ARGV, 2 do
  local case, now = ARGV[i], ARGV[i + 1]
  local before = redis.call('HGET', KEYS[1], case) or ''
  if before ~= now then
    for field in string.gmatch(before, '[^|]+') do
      if redis.call('HINCRBY', KEYS[2], field, -1) <= 0 then redis.call('HDEL', KEYS[2], field) end
    end
    for field in string.gmatch(now, '[^|]+') do redis.call('HINCRBY', KEYS[2], field, 1) end
    if now == '' then redis.call('HDEL', KEYS[1], case) else redis.call('HSET', KEYS[1], case, now) end
  end
end
return 0
`

interface GapCommands { cbRecordGaps (numKeys: number, ...args: string[]): unknown }

/** Define the script on a client once. */
export function gapCommands (redis: RedisClient): void {
  const marked = redis as RedisClient & { casebridgeGapScripts?: true }
  if (marked.casebridgeGapScripts === true) return
  redis.defineCommand('cbRecordGaps', { lua: RECORD_GAPS })
  marked.casebridgeGapScripts = true
}

/** The gaps of the versions a page commit records, inside its MULTI. */
export function recordGapsIn (tx: ChainableCommander, keys: { gaps: string; gapCounts: string }, cases: readonly { caseNumber: string; gaps: readonly string[] }[]): void {
  if (cases.length === 0) return
  ;(tx as ChainableCommander & GapCommands).cbRecordGaps(2, keys.gaps, keys.gapCounts, ...cases.flatMap(c => [c.caseNumber, c.gaps.join('|')]))
}
