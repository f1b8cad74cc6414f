import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from '../redis/redis-client.js'
import { LEAF_DEPTH } from './bucket-digest.js'
import { EARLIER_DIGITS, EARLIER_KEPT } from './entries.js'
import type { AgencyKeys } from './keys.js'

/**
 * NEWEST VERSION WINS — the ledger's side of it, as Lua scripts (each one atomic step).
 *
 * Which of two versions of a case is newer is decided by a sequence, never by a clock: the
 * agency's counter (`versionSeq`) is incremented for every version before its push job is
 * enqueued, by the process that holds the agency's pull lock (so the order is the order in
 * which the hub read the versions from the source). The acknowledged version only moves
 * forward by sequence.
 *
 * A target without fencing stores whatever reaches it last, and a delivery of an older
 * version can reach it after a newer one: a process paused past its job's lock, a retry
 * that fires after a newer job went through, a stalled job re-sent by another process.
 * Every delivery that may still reach the target is therefore registered per case
 * (`deliveries`): a token for each live push job (tag = the job's lease, taken before the
 * job is enqueued, dropped when the job has settled the case) and one for each attempt
 * under way (tag = lease#attempt, taken right before the request, dropped when it ended —
 * a paused process keeps its token until it wakes). With that:
 *  - when the newest version is acknowledged while an older delivery is registered, its
 *    content is kept (`guard`) until no older delivery is left;
 *  - an older version that may have landed after a newer one was acknowledged (its
 *    request was answered, or failed in a way that may have stored it) makes the hub
 *    re-send the kept newest version under a fresh idempotency key;
 *  - an older version that landed while a newer one's request was under way is marked
 *    (`regressed`); that newer delivery re-sends itself once acknowledged.
 * Tokens expire (`expiresMs`) so a process killed mid-attempt leaves nothing for ever; a
 * stale delivery after that, or one whose copy could not be kept, is left to
 * reconciliation (`target_regressed`).
 */

/** Hex digits of a version's fingerprint kept in its delivery tokens (telling a version enqueued twice). */
const TOKEN_FP_DIGITS = 12

const PRELUDE = `
local MOD = 281474976710656
local function leafOf (cn) return string.sub(redis.sha1hex(cn), 1, ${LEAF_DEPTH}) end
local function digestOf (cn, fp) return tonumber(string.sub(redis.sha1hex(cn .. '\\n' .. fp), 1, 12), 16) end
local function fields (entry)
  local out = {}
  if not entry then return out end
  for part in string.gmatch(entry .. '|', '([^|]*)|') do out[#out + 1] = part end
  return out
end
local function num (text) return tonumber(text or '0') or 0 end
local function int (n) return string.format('%.0f', n) end
-- deliveries: "seq:tag:expiresMs:fp seq:tag:expiresMs:fp …" (fp: the version's first
-- ${TOKEN_FP_DIGITS} hex digits); expired tokens are dropped on read
local function tokensOf (key, cn, now)
  local list = {}
  local text = redis.call('HGET', key, cn)
  if text then
    for seq, tag, exp, fp in string.gmatch(text, '(%d+):([^:%s]+):(%d+):?(%x*)') do
      if tonumber(exp) > now then list[#list + 1] = { tonumber(seq), tag, exp, fp } end
    end
  end
  return list
end
local function saveTokens (key, cn, list)
  if #list == 0 then redis.call('HDEL', key, cn) return end
  local parts = {}
  for i, t in ipairs(list) do parts[i] = int(t[1]) .. ':' .. t[2] .. ':' .. t[3] .. ':' .. (t[4] or '') end
  redis.call('HSET', key, cn, table.concat(parts, ' '))
end
local function withoutTag (list, tag)
  local out = {}
  for _, t in ipairs(list) do if t[2] ~= tag then out[#out + 1] = t end end
  return out
end
local function hasOlder (list, seq)
  for _, t in ipairs(list) do if t[1] < seq then return true end end
  return false
end
local function hasNewerAttempt (list, seq)
  for _, t in ipairs(list) do if t[1] > seq and string.find(t[2], '#', 1, true) then return true end end
  return false
end
`

/**
 * Allocate or take sequences and register the deliveries of jobs about to be enqueued.
 * A new sequence is the counter plus one, but never less than Redis's clock in microseconds:
 * a Redis that lost writes (a failover before the replica had them, a restore from a backup)
 * has a counter that went back, and plain counting would number the next versions below the
 * ones the platform already holds — a fencing platform would then refuse every newer version
 * of those cases as stale. The clock is only a floor: order is still the counter's (a clock
 * that jumps back changes nothing; one that jumps forward makes the numbers jump, harmless),
 * and only a loss of writes together with a clock behind by more than the lost span is left
 * to reconciliation. Microseconds since 1970 stay below 2^53 until the year 2255.
 * KEYS: versionSeq, deliveries, pullLock, stats. ARGV: lock token ('' = no lock to check),
 * expiresMs, now, then four per case: caseNumber, sequence ('+' = allocate a new one),
 * tag (the job's lease), fingerprint. Returns the sequences in order. Refuses
 * (CB_LEASE_LOST) when the lock is no longer the caller's: a process that was paused past
 * its pull lock must not number the versions it read before another process read newer
 * ones. A version another live job already carries is counted (versionsReenqueued): a page
 * read again after a crash, cut into other batches because the agency edited it meanwhile.
 */
const ALLOCATE = `${PRELUDE}
if ARGV[1] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return redis.error_reply('CB_LEASE_LOST the pull lock is no longer held by this process')
end
local exp, now = ARGV[2], tonumber(ARGV[3])
local out = {}
local again = 0
local clock = redis.call('TIME')
local last = num(redis.call('GET', KEYS[1]))
local floor = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local allocated = false
for i = 4, #ARGV, 4 do
  local cn, given, tag, fp = ARGV[i], ARGV[i + 1], ARGV[i + 2], string.sub(ARGV[i + 3], 1, ${TOKEN_FP_DIGITS})
  local seq = 0
  if given == '+' then
    last = math.max(last + 1, floor)
    seq = last
    allocated = true
  else seq = num(given) end
  if seq > 0 then
    local list = withoutTag(tokensOf(KEYS[2], cn, now), tag)
    for _, t in ipairs(list) do
      if t[4] == fp and not string.find(t[2], '#', 1, true) then again = again + 1; break end
    end
    list[#list + 1] = { seq, tag, exp, fp }
    saveTokens(KEYS[2], cn, list)
  end
  out[#out + 1] = seq
end
if allocated then redis.call('SET', KEYS[1], int(last)) end
if again > 0 then redis.call('HINCRBY', KEYS[4], 'versionsReenqueued', again) end
return out
`

/**
 * An attempt is about to send a batch. KEYS: deliveries, seen, acked. ARGV: attempt tag,
 * expiresMs, now, then three per case: caseNumber, fingerprint, sequence. Returns
 * [all superseded (0/1), then per case 1 if a newer version is enqueued or acknowledged].
 * When every case is superseded nothing is registered (the caller does not send);
 * otherwise every case gets an attempt token.
 */
const BEGIN_SEND = `${PRELUDE}
local tag, exp, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local flags, all = {}, 1
for i = 4, #ARGV, 3 do
  local cn, fp, seq = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local s = fields(redis.call('HGET', KEYS[2], cn))
  local a = fields(redis.call('HGET', KEYS[3], cn))
  local newer = (s[1] ~= nil and s[1] ~= fp and num(s[4]) > seq) or (a[1] ~= nil and a[1] ~= fp and num(a[3]) > seq)
  flags[#flags + 1] = newer and 1 or 0
  if not newer then all = 0 end
end
if all == 0 then
  for i = 4, #ARGV, 3 do
    local cn, fp, seq = ARGV[i], string.sub(ARGV[i + 1], 1, ${TOKEN_FP_DIGITS}), tonumber(ARGV[i + 2])
    if seq > 0 then
      local list = tokensOf(KEYS[1], cn, now)
      list[#list + 1] = { seq, tag, exp, fp }
      saveTokens(KEYS[1], cn, list)
    end
  end
end
table.insert(flags, 1, all)
return flags
`

/**
 * An attempt ended. KEYS: acked, digest, bucketIndex, pending, seen, decisionLog,
 * decisions, deadLetters, deliveries, guard, regressed, stats. ARGV: attempt tag, now,
 * the agency code the batch was sent under (kept in stats once something is acknowledged:
 * reconciliation of a source without a listing learns it there), then six per case: caseNumber, fingerprint, sequence, outcome, ackedAtMs, decided (ISO
 * or ''). Outcomes: A accepted (stored), M maybe stored (a failure after which the target
 * may hold it: 5xx, timeout), N not stored.
 *
 * An accepted version is acknowledged unless a newer one is: then the leaf digest (count:
 * sum) moves from the old version's digest to the new one's, the case stops being pending
 * when this is the version last enqueued, the first acknowledgement of a decided version
 * goes to the decision log (ids in order of writing: the late-entry rule), and a dead
 * letter of this or an older version is resolved.
 *
 * Returns [acknowledged count, then three per action: caseNumber, action, detail]:
 *   G — acknowledged while an older delivery is registered: keep this version's content;
 *   S — acknowledged after an older version was marked as maybe landed: re-send this one;
 *   R — this older version may have landed after a newer one was acknowledged: re-send the
 *       kept newest version (detail: "sequence|fingerprint|case JSON");
 *   U — as R, but no copy of the newest version is kept (reconciliation will find it).
 */
const END_SEND = `${PRELUDE}
local tag, now, code = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local actions = {}
local acked = 0
local function act (cn, what, detail) actions[#actions + 1] = cn; actions[#actions + 1] = what; actions[#actions + 1] = detail end
local function acknowledge (cn, fp, seq, at, decided, oldfp)
  local leaf = leafOf(cn)
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
  redis.call('HSET', KEYS[1], cn, fp .. '|' .. at .. '|' .. int(seq))
  redis.call('ZADD', KEYS[3], 0, leaf .. ':' .. cn)
  local s = fields(redis.call('HGET', KEYS[5], cn))
  if s[1] == nil or s[1] == fp then redis.call('ZREM', KEYS[4], cn) end
  if decided ~= '' and redis.call('HSETNX', KEYS[7], cn, decided .. '|' .. at) == 1 then
    redis.call('XADD', KEYS[6], '*', 'c', cn, 'd', decided, 'a', at)
  end
  local dead = redis.call('HGET', KEYS[8], cn)
  if dead then
    local ok, entry = pcall(cjson.decode, dead)
    if not (ok and type(entry) == 'table' and type(entry.sequence) == 'number' and entry.sequence > seq) then redis.call('HDEL', KEYS[8], cn) end
  end
end
for i = 4, #ARGV, 6 do
  local cn, fp, seq, outcome, at, decided = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local list = withoutTag(tokensOf(KEYS[9], cn, now), tag)
  saveTokens(KEYS[9], cn, list)
  if outcome == 'A' or outcome == 'M' then
    local a = fields(redis.call('HGET', KEYS[1], cn))
    local aseq = num(a[3])
    if a[1] ~= nil and aseq > seq and a[1] ~= fp then
      local kept = redis.call('HGET', KEYS[10], cn)
      if kept and num(string.match(kept, '^(%d+)|')) >= aseq then act(cn, 'R', kept) else act(cn, 'U', '') end
      redis.call('HINCRBY', KEYS[12], 'versionRegressions', 1)
    else
      if outcome == 'A' and not (a[1] ~= nil and aseq > seq) then
        acknowledge(cn, fp, seq, at, decided, a[1])
        acked = acked + 1
        local marked = num(redis.call('HGET', KEYS[11], cn))
        if marked > 0 and marked < seq then act(cn, 'S', '') end
        if hasOlder(list, seq) then act(cn, 'G', '') end
      end
      if hasNewerAttempt(list, seq) and seq > num(redis.call('HGET', KEYS[11], cn)) then
        redis.call('HSET', KEYS[11], cn, int(seq))
        redis.call('HINCRBY', KEYS[12], 'versionRegressions', 1)
      end
    end
  end
end
if acked > 0 then
  redis.call('HINCRBY', KEYS[12], 'acknowledgedTotal', acked)
  if code ~= '' then redis.call('HSET', KEYS[12], 'agencyCode', code) end
end
table.insert(actions, 1, acked)
return actions
`

/**
 * Keep the acknowledged newest version's content while an older delivery is registered.
 * KEYS: deliveries, guard, acked. ARGV: now, then three per case: caseNumber, sequence,
 * "sequence|fingerprint|case JSON". Written only if that version is still the acknowledged
 * one and an older delivery is still registered.
 */
const KEEP_NEWEST = `${PRELUDE}
local now = tonumber(ARGV[1])
local n = 0
for i = 2, #ARGV, 3 do
  local cn, seq, kept = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  if num(fields(redis.call('HGET', KEYS[3], cn))[3]) == seq and hasOlder(tokensOf(KEYS[1], cn, now), seq) then
    redis.call('HSET', KEYS[2], cn, kept)
    n = n + 1
  end
end
return n
`

/**
 * A job has settled these cases (acknowledged, refused, superseded, dead-lettered, or a
 * re-send of them is enqueued). KEYS: deliveries, guard, regressed, acked. ARGV: the job's
 * lease ('' = none), now, then three per case: caseNumber, sequence, clear ('1': a re-send
 * covering an older version marked as maybe landed is enqueued, so the mark goes). A kept
 * copy goes once no delivery older than the acknowledged version is registered.
 */
const FINISH = `${PRELUDE}
local lease, now = ARGV[1], tonumber(ARGV[2])
for i = 3, #ARGV, 3 do
  local cn, seq, clear = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local list = tokensOf(KEYS[1], cn, now)
  if lease ~= '' then
    list = withoutTag(list, lease)
    saveTokens(KEYS[1], cn, list)
  end
  if clear == '1' then
    local marked = num(redis.call('HGET', KEYS[3], cn))
    if marked > 0 and marked < seq then redis.call('HDEL', KEYS[3], cn) end
  end
  if redis.call('HEXISTS', KEYS[2], cn) == 1 and not hasOlder(list, num(fields(redis.call('HGET', KEYS[4], cn))[3])) then
    redis.call('HDEL', KEYS[2], cn)
  end
end
return 1
`

/**
 * Record enqueued versions ("seen"), in a page commit or after a repair. KEYS: seen, acked,
 * pending, bucketIndex. ARGV, six per case: caseNumber, fingerprint, mappingVersion,
 * firstSeenMs, sequence, force. A version older (by sequence) than the one recorded does
 * not replace it: a process paused past its pull lock commits late. The replaced
 * version's fingerprint joins the entry's short list of earlier ones. The case enters the
 * bucket index; it is pending (ZADD NX keeps the OLDEST change not yet acknowledged, which
 * is what the lag measures) unless the platform already acknowledged exactly this version —
 * which happens when a push completes before the page is committed. `force` = "1" keeps it
 * pending anyway: a repair re-sends a version the ledger believes delivered.
 */
export const RECORD_SEEN = `${PRELUDE}
for i = 1, #ARGV, 6 do
  local cn, fp, mv, at, seq, force = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4]), ARGV[i + 5]
  redis.call('ZADD', KEYS[4], 0, leafOf(cn) .. ':' .. cn)
  local old = fields(redis.call('HGET', KEYS[1], cn))
  if not (old[1] ~= nil and num(old[4]) > seq) then
    local earlier = old[5] or ''
    if old[1] ~= nil and old[1] ~= fp then
      local short = string.sub(fp, 1, ${EARLIER_DIGITS})
      local list = { string.sub(old[1], 1, ${EARLIER_DIGITS}) }
      for e in string.gmatch(earlier, '[^,]+') do
        if #list < ${EARLIER_KEPT} and e ~= short and e ~= list[1] then list[#list + 1] = e end
      end
      earlier = table.concat(list, ',')
    end
    redis.call('HSET', KEYS[1], cn, fp .. '|' .. mv .. '|' .. at .. '|' .. int(seq) .. '|' .. earlier)
    if force == '1' or fields(redis.call('HGET', KEYS[2], cn))[1] ~= fp then
      redis.call('ZADD', KEYS[3], 'NX', at, cn)
    else
      redis.call('ZREM', KEYS[3], cn)
    end
  end
end
return #ARGV / 6
`

interface VersionCommands {
  cbAllocate (numKeys: number, ...args: (string | number)[]): Promise<number[]>
  cbBeginSend (numKeys: number, ...args: (string | number)[]): Promise<number[]>
  cbEndSend (numKeys: number, ...args: (string | number)[]): Promise<(string | number)[]>
  cbKeepNewest (numKeys: number, ...args: (string | number)[]): Promise<number>
  cbFinish (numKeys: number, ...args: (string | number)[]): Promise<number>
  cbRecordSeen (numKeys: number, ...args: (string | number)[]): unknown
}

const SCRIPTS: Record<keyof VersionCommands, string> = {
  cbAllocate: ALLOCATE, cbBeginSend: BEGIN_SEND, cbEndSend: END_SEND, cbKeepNewest: KEEP_NEWEST, cbFinish: FINISH, cbRecordSeen: RECORD_SEEN,
}

/** Define the scripts on a client once (ioredis loads each on first use, then calls it by SHA). */
export function versionCommands (redis: RedisClient): RedisClient & VersionCommands {
  const marked = redis as RedisClient & VersionCommands & { casebridgeVersionScripts?: true }
  if (marked.casebridgeVersionScripts !== true) {
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua })
    marked.casebridgeVersionScripts = true
  }
  return marked
}

/** RECORD_SEEN inside a MULTI (a page commit). */
export function recordSeenIn (tx: ChainableCommander, k: AgencyKeys, args: readonly (string | number)[]): void {
  (tx as ChainableCommander & Pick<VersionCommands, 'cbRecordSeen'>).cbRecordSeen(4, k.seen, k.acked, k.pending, k.bucketIndex, ...args)
}

export const ALLOCATE_KEYS = (k: AgencyKeys): string[] => [k.versionSeq, k.deliveries, k.pullLock, k.stats]
export const BEGIN_SEND_KEYS = (k: AgencyKeys): string[] => [k.deliveries, k.seen, k.acked]
export const END_SEND_KEYS = (k: AgencyKeys): string[] => [k.acked, k.digest, k.bucketIndex, k.pending, k.seen, k.decisionLog, k.decisions, k.deadLetters, k.deliveries, k.guard, k.regressed, k.stats]
export const KEEP_NEWEST_KEYS = (k: AgencyKeys): string[] => [k.deliveries, k.guard, k.acked]
export const FINISH_KEYS = (k: AgencyKeys): string[] => [k.deliveries, k.guard, k.regressed, k.acked]
