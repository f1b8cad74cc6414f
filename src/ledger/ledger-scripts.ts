import type { ChainableCommander, Redis } from 'ioredis'
import { LEAF_DEPTH } from './bucket-digest.js'
import type { AgencyKeys } from './keys.js'

/**
 * The ledger writes that must read before they write, as Lua scripts run inside the
 * ledger's MULTI (so a page commit or an acknowledgement stays one atomic step). Bucket
 * paths and case digests are computed in Lua with `redis.sha1hex`, exactly as
 * src/ledger/bucket-digest.ts defines them for every other party.
 */

const DIGEST_FUNCTIONS = `
local MOD = 281474976710656
local function leafOf (cn) return string.sub(redis.sha1hex(cn), 1, ${LEAF_DEPTH}) end
local function digestOf (cn, fp) return tonumber(string.sub(redis.sha1hex(cn .. '\\n' .. fp), 1, 12), 16) end
local function fingerprintOf (entry) if entry then return string.match(entry, '^[^|]*') end return false end
`

/**
 * Record enqueued versions ("seen"). KEYS: seen, acked, pending, index.
 * ARGV, five per case: caseNumber, encoded seen entry, fingerprint, firstSeenMs, force.
 * The case enters the bucket index; it is pending (ZADD NX keeps the OLDEST change not
 * yet acknowledged, which is what the lag measures) unless the platform already
 * acknowledged exactly this version — which happens when a push completes before the page
 * is committed. `force` = "1" keeps it pending anyway: a repair re-sends a version the
 * ledger believes delivered, and it is pending until the platform acknowledges it again.
 */
const RECORD_SEEN = `${DIGEST_FUNCTIONS}
for i = 1, #ARGV, 5 do
  local cn, entry, fp, at, force = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  redis.call('HSET', KEYS[1], cn, entry)
  redis.call('ZADD', KEYS[4], 0, leafOf(cn) .. ':' .. cn)
  if force == '1' or fingerprintOf(redis.call('HGET', KEYS[2], cn)) ~= fp then
    redis.call('ZADD', KEYS[3], 'NX', at, cn)
  else
    redis.call('ZREM', KEYS[3], cn)
  end
end
return #ARGV / 5
`

/**
 * Record acknowledged versions. KEYS: acked, digest, index, pending, seen, decisionLog,
 * decisions, deadLetters (the order {@link recordAcknowledged} passes them in). ARGV, four
 * per case: caseNumber, fingerprint, ackedAtMs, decided (ISO date-time of the decision,
 * or '').
 * Keeps the leaf digest (count:sum) of acknowledged versions current — subtract the old
 * version's digest, add the new one — so reconciliation never rescans the ledger. The case
 * stops being pending only when the acknowledged version is the one last enqueued. The
 * first acknowledgement of a version carrying a decision date is remembered (for the
 * late-entry rule), never overwritten, and appended to the decision log with an id Redis
 * assigns now — the order of writing, which is what lets the reconciler judge each such
 * acknowledgement exactly once.
 */
const ACKNOWLEDGE = `${DIGEST_FUNCTIONS}
for i = 1, #ARGV, 4 do
  local cn, fp, at, decided = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local leaf = leafOf(cn)
  local oldfp = fingerprintOf(redis.call('HGET', KEYS[1], cn))
  if oldfp ~= fp then
    local count, sum = 0, 0
    local entry = redis.call('HGET', KEYS[2], leaf)
    if entry then
      local c, s = string.match(entry, '^(%d+):(%d+)$')
      count, sum = tonumber(c), tonumber(s)
    end
    if oldfp then sum = (sum - digestOf(cn, oldfp) + MOD) % MOD else count = count + 1 end
    sum = (sum + digestOf(cn, fp)) % MOD
    redis.call('HSET', KEYS[2], leaf, string.format('%d:%.0f', count, sum))
  end
  redis.call('HSET', KEYS[1], cn, fp .. '|' .. at)
  redis.call('ZADD', KEYS[3], 0, leaf .. ':' .. cn)
  local seenfp = fingerprintOf(redis.call('HGET', KEYS[5], cn))
  if (not seenfp) or seenfp == fp then redis.call('ZREM', KEYS[4], cn) end
  if decided ~= '' and redis.call('HSETNX', KEYS[7], cn, decided .. '|' .. at) == 1 then
    redis.call('XADD', KEYS[6], '*', 'c', cn, 'd', decided, 'a', at)
  end
  redis.call('HDEL', KEYS[8], cn)
end
return #ARGV / 4
`

interface LedgerCommands {
  cbRecordSeen (numKeys: number, ...args: (string | number)[]): unknown
  cbAcknowledge (numKeys: number, ...args: (string | number)[]): unknown
}

/**
 * Define the scripts on a client once; its pipelines and MULTIs get them too (ioredis
 * loads a script on first use and then calls it by SHA).
 */
export function ledgerCommands (redis: Redis): void {
  const marked = redis as Redis & { casebridgeLedgerScripts?: true }
  if (marked.casebridgeLedgerScripts === true) return
  redis.defineCommand('cbRecordSeen', { lua: RECORD_SEEN })
  redis.defineCommand('cbAcknowledge', { lua: ACKNOWLEDGE })
  marked.casebridgeLedgerScripts = true
}

export function recordSeen (tx: ChainableCommander, keys: readonly [seen: string, acked: string, pending: string, index: string], args: readonly (string | number)[]): void {
  (tx as unknown as LedgerCommands).cbRecordSeen(keys.length, ...keys, ...args)
}

export function recordAcknowledged (tx: ChainableCommander, k: AgencyKeys, args: readonly (string | number)[]): void {
  const keys = [k.acked, k.digest, k.bucketIndex, k.pending, k.seen, k.decisionLog, k.decisions, k.deadLetters]
  ;(tx as unknown as LedgerCommands).cbAcknowledge(keys.length, ...keys, ...args)
}
