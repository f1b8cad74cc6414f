import { createHash } from 'node:crypto'
import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from '../redis/redis-client.js'
import { SM3_LUA } from './sm3-lua.js'
import { eventBody, detailsText, GENESIS_HASH, TRACE_ALG, TRACE_KINDS, type TraceEventInput } from './trace-event.js'
import type { TraceKeys } from './trace-keys.js'
import { InternalError } from '../errors.js'

/**
 * Append events to cases' chains in one atomic step, inside the caller's MULTI. For each
 * event the script reads the case's head (seq|hash), numbers the event, and links it:
 * when the head is the one the caller hashed on (it read the heads just before: the
 * common case), the caller's hash is taken — SM3 is computed in Node's native crypto;
 * when another process appended to the case in between (a pull and a push worker on one
 * case), or the caller hashed nothing, the script computes the hash itself, in Lua
 * (src/trace/sm3-lua.ts, about 0.4 ms an event). Either way the chain cannot fork: the head
 * is read and replaced within the step.
 * KEYS: head, a hash events may be conditional on, then one event list per event.
 * ARGV: seven per event: caseNumber, kind, details text, a field of the condition hash the
 * event is written only if present ('' always), at (ms), the head hashed on ("seq|hash",
 * '' none), the hash computed on it ('' none).
 */
const APPEND = `${SM3_LUA}
local written = 0
for i = 1, #ARGV, 7 do
  local cn, kind, inner, cond, at, assumed, given = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local key = KEYS[3 + (i - 1) / 7]
  if cond == '' or redis.call('HEXISTS', KEYS[2], cond) == 1 then
    written = written + 1
    local head = redis.call('HGET', KEYS[1], cn)
    local seq, prev = 0, '${GENESIS_HASH}'
    if head then
      local s, h = string.match(head, '^(%d+)|(%x+)')
      seq, prev = tonumber(s), h
    end
    local actual = head or ''
    seq = seq + 1
    local tail = ''
    if inner ~= '' then tail = ',' .. inner end
    local body = '{"seq":' .. string.format('%.0f', seq) .. ',"at":' .. at .. ',"kind":"' .. kind .. '"' .. tail .. ',"alg":"${TRACE_ALG}"}'
    local hash = given
    if given == '' or assumed ~= actual then hash = sm3hex(prev .. body) end
    redis.call('RPUSH', key, string.sub(body, 1, -2) .. ',"hash":"' .. hash .. '"}')
    redis.call('HSET', KEYS[1], cn, string.format('%.0f', seq) .. '|' .. hash)
  end
end
return written
`

interface TraceCommands { cbTraceAppend (numKeys: number, ...args: string[]): unknown }

const KINDS: ReadonlySet<string> = new Set(TRACE_KINDS)

/** Define the append script on a client once (before any MULTI that uses {@link appendTraceIn}). */
export function traceCommands (redis: RedisClient): void {
  const marked = redis as RedisClient & { casebridgeTraceScripts?: true }
  if (marked.casebridgeTraceScripts === true) return
  redis.defineCommand('cbTraceAppend', { lua: APPEND })
  marked.casebridgeTraceScripts = true
}

/**
 * An event written only if a key is in a hash when the MULTI runs (a "released" event only
 * for a record that was in quarantine: the append comes before the command that removes
 * it). The hash must share the agency's hash tag.
 */
export interface ConditionalEvent { readonly event: TraceEventInput; readonly ifIn: string }

/** Events ready to append: each with its time and, if the heads were read, the head it was hashed on and that hash. */
export interface PreparedTrace {
  readonly args: readonly string[]
  readonly caseNumbers: readonly string[]
  readonly condition?: string | undefined
}

function check (e: TraceEventInput): void {
  if (!KINDS.has(e.kind)) throw new InternalError(`unknown trace event kind "${e.kind}"`)
}

/**
 * Read the heads of the events' cases and hash each event on them (SM3 in Node), in
 * order: what {@link appendPreparedIn} then appends inside the MULTI. `condition`: the hash
 * conditional events are checked against.
 */
export async function prepareTrace (redis: RedisClient, keys: TraceKeys, events: readonly (TraceEventInput | ConditionalEvent)[], condition?: string): Promise<PreparedTrace> {
  if (events.length === 0) return { args: [], caseNumbers: [] }
  const plain = events.map(e => 'ifIn' in e ? e.event : e)
  const numbers = [...new Set(plain.map(e => e.caseNumber))]
  const conditional = events.flatMap(e => 'ifIn' in e ? [e.ifIn] : [])
  // The heads, and whether the conditional events' keys are there now: events are hashed on
  // what these say; where the MULTI finds otherwise, the script hashes again.
  const [read, present] = await Promise.all([
    redis.hmget(keys.head, ...numbers),
    conditional.length === 0 || condition === undefined ? Promise.resolve([]) : redis.hmget(condition, ...conditional),
  ])
  const there = new Set(conditional.filter((_, i) => present[i] != null))
  const heads = new Map(numbers.map((cn, i) => [cn, read[i] ?? '']))
  const at = String(Date.now())
  const args: string[] = []
  for (const item of events) {
    const e = 'ifIn' in item ? item.event : item
    check(e)
    const inner = detailsText(e.details)
    const cond = 'ifIn' in item ? item.ifIn : ''
    if (cond !== '' && !there.has(cond)) {
      // Expected not to be written: the case's chain goes on without it (the script hashes it if it is).
      args.push(e.caseNumber, e.kind, inner, cond, at, '', '')
      continue
    }
    const assumed = heads.get(e.caseNumber) ?? ''
    const bar = assumed.indexOf('|')
    const seq = assumed === '' ? 1 : Number(assumed.slice(0, bar)) + 1
    const prev = assumed === '' ? GENESIS_HASH : assumed.slice(bar + 1)
    const hash = createHash(TRACE_ALG).update(prev + eventBody(seq, at, e.kind, inner)).digest('hex')
    args.push(e.caseNumber, e.kind, inner, cond, at, assumed, hash)
    heads.set(e.caseNumber, `${seq}|${hash}`)
  }
  return { args, caseNumbers: plain.map(e => e.caseNumber), condition }
}

/** Events per script call: a page of 10,000 records has 30,000 events, and one call with all of their 210,000 arguments overflows the stack spreading them. */
const EVENTS_PER_CALL = 1000
/** Arguments per event (see the script's ARGV). */
const ARGS_PER_EVENT = 7

/**
 * Append prepared events inside the caller's MULTI (the client must have had {@link traceCommands} applied),
 * in calls of at most {@link EVENTS_PER_CALL} events: one after the other in the same MULTI,
 * so still one atomic step, each call chaining on the heads the one before left.
 */
export function appendPreparedIn (tx: ChainableCommander, keys: TraceKeys, prepared: PreparedTrace): void {
  const traced = tx as ChainableCommander & TraceCommands
  for (let from = 0; from < prepared.caseNumbers.length; from += EVENTS_PER_CALL) {
    const numbers = prepared.caseNumbers.slice(from, from + EVENTS_PER_CALL)
    const args = prepared.args.slice(from * ARGS_PER_EVENT, (from + numbers.length) * ARGS_PER_EVENT)
    traced.cbTraceAppend(2 + numbers.length, keys.head, prepared.condition ?? keys.head, ...numbers.map(cn => keys.events(cn)), ...args)
  }
}

/**
 * Append trace events inside the caller's MULTI, so they commit with the state change they
 * describe or not at all — without reading the heads first (the script hashes each event
 * in Lua: slower, for callers with few events). Any module that changes a case's state in
 * its own MULTI calls this or {@link prepareTrace} + {@link appendPreparedIn}; the feedback
 * path writes its "feedback" events through them. The client must have had
 * {@link traceCommands} applied.
 */
export function appendTraceIn (tx: ChainableCommander, keys: TraceKeys, events: readonly (TraceEventInput | ConditionalEvent)[], condition?: string): void {
  if (events.length === 0) return
  const at = String(Date.now())
  const args: string[] = []
  const numbers: string[] = []
  for (const item of events) {
    const e = 'ifIn' in item ? item.event : item
    check(e)
    args.push(e.caseNumber, e.kind, detailsText(e.details), 'ifIn' in item ? item.ifIn : '', at, '', '')
    numbers.push(e.caseNumber)
  }
  appendPreparedIn(tx, keys, { args, caseNumbers: numbers, condition })
}
