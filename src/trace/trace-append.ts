import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from '../redis/redis-client.js'
import { SM3_LUA } from './sm3-lua.js'
import { detailsText, GENESIS_HASH, TRACE_ALG, TRACE_KINDS, type TraceEventInput } from './trace-event.js'
import type { TraceKeys } from './trace-keys.js'

/**
 * Append events to cases' chains in one atomic step: for each, read the case's head, number
 * the event, hash it (SM3, in Lua) and push it — so appends from different processes to one
 * case (a pull and a push worker) serialise in Redis and the chain never forks.
 * KEYS: head, a hash an event may be conditional on, then one event list per event (in
 * order). ARGV: four per event: caseNumber, kind, details text (src/trace/trace-event.ts
 * detailsText), and a field of that hash the event is written only if it exists ('' always).
 */
const APPEND = `${SM3_LUA}
local t = redis.call('TIME')
local at = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local written = 0
for i = 1, #ARGV, 4 do
  local cn, kind, inner, cond = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local key = KEYS[3 + (i - 1) / 4]
  if cond == '' or redis.call('HEXISTS', KEYS[2], cond) == 1 then
  written = written + 1
  local seq, prev = 0, '${GENESIS_HASH}'
  local head = redis.call('HGET', KEYS[1], cn)
  if head then
    local s, h = string.match(head, '^(%d+)|(%x+)')
    seq, prev = tonumber(s), h
  end
  seq = seq + 1
  local tail = ''
  if inner ~= '' then tail = ',' .. inner end
  local body = '{"seq":' .. string.format('%.0f', seq) .. ',"at":' .. at .. ',"kind":"' .. kind .. '"' .. tail .. ',"prev":"' .. prev .. '","alg":"${TRACE_ALG}"}'
  local hash = sm3hex(prev .. body)
  redis.call('RPUSH', key, string.sub(body, 1, -2) .. ',"hash":"' .. hash .. '"}')
  redis.call('HSET', KEYS[1], cn, string.format('%.0f', seq) .. '|' .. hash)
  end
end
return written
`

interface TraceCommands { cbTraceAppend (numKeys: number, ...args: string[]): unknown }

/**
 * Events written only if a field exists in a hash when the MULTI runs (a "released" event
 * only for a record that was in quarantine: append before the command that removes it).
 * The hash must share the agency's hash tag.
 */
export interface TraceCondition { readonly hash: string; readonly fields: ReadonlyMap<TraceEventInput, string> }

const KINDS: ReadonlySet<string> = new Set(TRACE_KINDS)

/** Define the append script on a client once (before any MULTI that uses {@link appendTraceIn}). */
export function traceCommands (redis: RedisClient): void {
  const marked = redis as RedisClient & { casebridgeTraceScripts?: true }
  if (marked.casebridgeTraceScripts === true) return
  redis.defineCommand('cbTraceAppend', { lua: APPEND })
  marked.casebridgeTraceScripts = true
}

/**
 * Append trace events inside the caller's MULTI, so they commit with the state change they
 * describe or not at all. Any module that changes a case's state in its own MULTI (the
 * ledger; the feedback path, whose "feedback" events are written through this) calls it;
 * the client must have had {@link traceCommands} applied.
 */
export function appendTraceIn (tx: ChainableCommander, keys: TraceKeys, events: readonly TraceEventInput[], condition?: TraceCondition): void {
  if (events.length === 0) return
  const args: string[] = []
  for (const e of events) {
    if (!KINDS.has(e.kind)) throw new TypeError(`unknown trace event kind "${e.kind}"`)
    args.push(e.caseNumber, e.kind, detailsText(e.details), condition?.fields.get(e) ?? '')
  }
  ;(tx as ChainableCommander & TraceCommands).cbTraceAppend(2 + events.length, keys.head, condition?.hash ?? keys.head, ...events.map(e => keys.events(e.caseNumber)), ...args)
}
