import type { Redis } from 'ioredis'
import { isAlarmKind, type Alarm, type AlarmEventType, type AlarmKind, type AlarmState, type Severity } from './alarm-kinds.js'
import { InternalError } from '../errors.js'

/**
 * Alarm state in Redis, hub-wide under one hash tag (`{alarms}`: one Cluster slot, so a
 * transition and its outbox entry are written by one script). A transition is a Lua
 * script: it reads the state, changes it, bumps the alarm's version and — only when
 * something changed — appends the change to the outbox, atomically. However many hub
 * processes report the same finding at the same moment, exactly one of them changes the
 * state and exactly one outbox entry exists for that change; the outbox is then moved to
 * the webhook queue under a job id made of the change's id, so it is delivered once.
 */
export interface AlarmKeys { readonly alarm: (agencyId: string, kind: string) => string; readonly index: string; readonly outbox: string }

export function alarmKeys (prefix: string): AlarmKeys {
  const base = `${prefix}:{alarms}`
  return { alarm: (agencyId, kind) => `${base}:alarm:${agencyId}:${kind}`, index: `${base}:index`, outbox: `${base}:outbox` }
}

const TRANSITION = `
local op, now, agency, kind = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local state = redis.call('HGET', KEYS[1], 'state')
local active = state == 'open' or state == 'acknowledged'
local rank = { info = 1, warning = 2, critical = 3 }
local event = false
if op == 'report' then
  local count, severity, samples, detail = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
  if active then
    local old = redis.call('HGET', KEYS[1], 'severity')
    redis.call('HSET', KEYS[1], 'count', count, 'severity', severity, 'samples', samples, 'detail', detail, 'lastSeenAt', now)
    if (rank[severity] or 0) > (rank[old] or 0) then event = 'escalated' end
  else
    redis.call('HDEL', KEYS[1], 'acknowledgedAt', 'acknowledgedBy', 'note', 'resolvedAt')
    redis.call('HSET', KEYS[1], 'agency', agency, 'kind', kind, 'state', 'open', 'count', count, 'severity', severity,
      'samples', samples, 'detail', detail, 'firstSeenAt', now, 'lastSeenAt', now)
    redis.call('SADD', KEYS[3], agency .. '|' .. kind)
    event = 'opened'
  end
elseif op == 'resolve' then
  -- ARGV[5], when given: resolve only an alarm last seen before then (ISO times compare as text).
  local quietSince = ARGV[5]
  local quiet = quietSince == nil or quietSince == '' or (redis.call('HGET', KEYS[1], 'lastSeenAt') or '') < quietSince
  if active and quiet then
    redis.call('HSET', KEYS[1], 'state', 'resolved', 'resolvedAt', now)
    event = 'resolved'
  end
elseif op == 'acknowledge' then
  if state ~= 'open' then return { 'refused', state or 'none' } end
  redis.call('HSET', KEYS[1], 'state', 'acknowledged', 'acknowledgedAt', now, 'acknowledgedBy', ARGV[5], 'note', ARGV[6])
  event = 'acknowledged'
end
if not event then return { 'unchanged', state or 'none' } end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
local entry = cjson.encode({ id = agency .. '.' .. kind .. '.v' .. version, event = event, at = now, alarm = redis.call('HGETALL', KEYS[1]) })
redis.call('RPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[#ARGV]), -1)
return { event, entry }
`

/** One state change as the outbox holds it: `id` is unique per alarm and change. */
export interface AlarmChange {
  readonly id: string
  readonly event: AlarmEventType
  readonly at: string
  readonly alarm: Alarm
}

export type TransitionOutcome =
  | { readonly changed: true; readonly change: AlarmChange; readonly entry: string }
  | { readonly changed: false; readonly refused: boolean; readonly state: AlarmState | 'none' }

export function alarmFromFields (f: Readonly<Record<string, string>>): Alarm | undefined {
  if (!isAlarmKind(f.kind) || f.agency === undefined || f.state === undefined) return undefined
  const parse = <T>(text: string | undefined, fallback: T): T => {
    try { return text === undefined || text === '' ? fallback : JSON.parse(text) as T } catch { return fallback }
  }
  const detail = parse<Record<string, unknown> | undefined>(f.detail, undefined)
  return {
    agencyId: f.agency,
    kind: f.kind,
    state: f.state as AlarmState,
    severity: (f.severity ?? 'warning') as Severity,
    count: Number(f.count ?? 0),
    samples: parse<string[]>(f.samples, []),
    firstSeenAt: f.firstSeenAt ?? '',
    lastSeenAt: f.lastSeenAt ?? '',
    ...(f.acknowledgedAt === undefined ? {} : { acknowledgedAt: f.acknowledgedAt }),
    ...(f.acknowledgedBy === undefined ? {} : { acknowledgedBy: f.acknowledgedBy }),
    ...(f.note === undefined || f.note === '' ? {} : { note: f.note }),
    ...(f.resolvedAt === undefined ? {} : { resolvedAt: f.resolvedAt }),
    ...(detail === undefined ? {} : { detail }),
    version: Number(f.version ?? 0),
  }
}

/** An outbox entry back to a change (the alarm's fields travel as a flat [k, v, …] list). */
export function parseChange (entry: string): AlarmChange | undefined {
  const raw = JSON.parse(entry) as { id?: unknown; event?: unknown; at?: unknown; alarm?: unknown }
  if (typeof raw.id !== 'string' || typeof raw.at !== 'string' || !Array.isArray(raw.alarm)) return undefined
  const fields: Record<string, string> = {}
  for (let i = 0; i + 1 < raw.alarm.length; i += 2) fields[String(raw.alarm[i])] = String(raw.alarm[i + 1])
  const alarm = alarmFromFields(fields)
  return alarm === undefined ? undefined : { id: raw.id, event: raw.event as AlarmEventType, at: raw.at, alarm }
}

/**
 * Most changes the outbox keeps. Entries wait there for a process with webhooks; where
 * none ever runs, the oldest are dropped rather than kept for ever (they are in the log).
 */
export const OUTBOX_MAX = 10_000

export class AlarmStore {
  readonly keys: AlarmKeys

  constructor (private readonly redis: Redis, prefix: string, private readonly outboxMax = OUTBOX_MAX) {
    this.keys = alarmKeys(prefix)
  }

  async report (agencyId: string, kind: AlarmKind, fields: { count: number; severity: Severity; samples: readonly string[]; detail?: Record<string, unknown> | undefined }, now = new Date()): Promise<TransitionOutcome> {
    return await this.transition(agencyId, kind, ['report', now.toISOString(), agencyId, kind, String(fields.count), fields.severity, JSON.stringify(fields.samples), fields.detail === undefined ? '' : JSON.stringify(fields.detail)])
  }

  /** Resolve an open or acknowledged alarm; with `unseenSince`, only one not seen since then (it stays as it is otherwise). */
  async resolve (agencyId: string, kind: AlarmKind, now = new Date(), unseenSince?: Date): Promise<TransitionOutcome> {
    return await this.transition(agencyId, kind, ['resolve', now.toISOString(), agencyId, kind, unseenSince === undefined ? '' : unseenSince.toISOString()])
  }

  async acknowledge (agencyId: string, kind: AlarmKind, actor: string, note: string, now = new Date()): Promise<TransitionOutcome> {
    return await this.transition(agencyId, kind, ['acknowledge', now.toISOString(), agencyId, kind, actor, note])
  }

  async get (agencyId: string, kind: AlarmKind): Promise<Alarm | undefined> {
    return alarmFromFields(await this.redis.hgetall(this.keys.alarm(agencyId, kind)))
  }

  /** Every alarm ever raised (resolved ones until they open again), optionally of one agency or state. */
  async list (filter: { agencyId?: string; state?: AlarmState } = {}): Promise<Alarm[]> {
    const names = (await this.redis.smembers(this.keys.index)).sort()
    const out: Alarm[] = []
    for (const name of names) {
      const [agencyId = '', kind = ''] = name.split('|')
      if (filter.agencyId !== undefined && agencyId !== filter.agencyId) continue
      const alarm = alarmFromFields(await this.redis.hgetall(this.keys.alarm(agencyId, kind)))
      if (alarm !== undefined && (filter.state === undefined || alarm.state === filter.state)) out.push(alarm)
    }
    return out
  }

  /** Up to `count` oldest outbox entries, not removed. */
  async outbox (count: number): Promise<string[]> {
    return await this.redis.lrange(this.keys.outbox, 0, count - 1)
  }

  /** Remove exactly this entry (another process may have queued and removed it already). */
  async removeFromOutbox (entry: string): Promise<void> {
    await this.redis.lrem(this.keys.outbox, 1, entry)
  }

  private async transition (agencyId: string, kind: AlarmKind, args: string[]): Promise<TransitionOutcome> {
    const reply = await this.redis.eval(TRANSITION, 3, this.keys.alarm(agencyId, kind), this.keys.outbox, this.keys.index, ...args, String(this.outboxMax)) as [string, string]
    const [what, detail] = reply
    if (what === 'refused' || what === 'unchanged') return { changed: false, refused: what === 'refused', state: detail as AlarmState | 'none' }
    const change = parseChange(detail)
    if (change === undefined) throw new InternalError(`alarm transition returned an unreadable outbox entry: ${detail.slice(0, 200)}`)
    return { changed: true, change, entry: detail }
  }
}
