import type { RedisClient } from '../redis/redis-client.js'
import type { FeedbackDecision } from '../contracts/feedback.js'
import { claimTick } from '../redis/claim-tick.js'
import { InternalError } from '../errors.js'
import { appendTraceIn, traceCommands } from '../trace/trace-append.js'
import { traceKeys } from '../trace/trace-keys.js'

/**
 * Every Redis key of the feedback path, and the only code that reads or writes them. Per
 * agency (one hash tag, so one agency's feedback state changes in one script): what was
 * written, what is pending, what became a dead letter. Per target: the listing's cursor,
 * the pull and reconcile locks and ticks.
 */
export interface FeedbackAgencyKeys {
  /** HASH decision id → JSON {@link WrittenDecision}: decisions the agency's writer confirmed. */
  readonly written: string
  /** HASH decision id → JSON {@link PendingDecision}: decisions read from the platform (or found by reconciliation) and not written yet. */
  readonly pending: string
  /** HASH decision id → JSON {@link FeedbackDeadLetter}: decisions the writer refused or that ran out of retries. */
  readonly dead: string
  /** HASH counter → integer: written, duplicatesSkipped, deadLettered. */
  readonly stats: string
}

export interface FeedbackTargetKeys {
  /** STRING: the cursor of the target's feedback listing (moves only after its decisions are enqueued). */
  readonly cursor: string
  /** STRING: who is reading the target's feedback listing now (a lock across hub processes). */
  readonly pullLock: string
  /** HASH { tick }: the last feedback pull tick claimed. */
  readonly pullTick: string
  /** STRING: who reconciles the target's feedback now. */
  readonly reconcileLock: string
  /** HASH { tick }: the last feedback reconcile tick claimed. */
  readonly reconcileTick: string
  /** HASH counter → integer: listed, unrouted (decisions for no agency with a writer). */
  readonly stats: string
}

export function feedbackAgencyKeys (prefix: string, agencyId: string): FeedbackAgencyKeys {
  // The agency's own hash tag: the "feedback" trace event of a written decision commits in
  // the same MULTI as the record of the write (the trace's keys share the tag, src/trace/trace-keys.ts).
  const base = `${prefix}:{${agencyId}}:fb`
  return { written: `${base}:written`, pending: `${base}:pending`, dead: `${base}:dead`, stats: `${base}:stats` }
}

export function feedbackTargetKeys (prefix: string, targetId: string): FeedbackTargetKeys {
  const base = `${prefix}:{fbt:${targetId}}`
  return { cursor: `${base}:cursor`, pullLock: `${base}:pull-lock`, pullTick: `${base}:pull-tick`, reconcileLock: `${base}:reconcile-lock`, reconcileTick: `${base}:reconcile-tick`, stats: `${base}:stats` }
}

export interface WrittenDecision { readonly caseNumber: string; readonly decision: string; readonly decidedAt: string; readonly writtenAt: string }
export interface PendingDecision { readonly caseNumber: string; readonly decision: string; readonly decidedAt: string; readonly since: string; readonly foundBy: 'listing' | 'reconciliation' }
export interface FeedbackDeadLetter { readonly decision: FeedbackDecision; readonly reason: string; readonly attempts: number; readonly deadLetteredAt: string }
export interface FeedbackCounts { readonly pending: number; readonly written: number; readonly deadLetters: number }

/** Pending only where not written: a decision the writer confirmed meanwhile stays done. */
const MARK_PENDING = `
local added = 0
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 and redis.call('HEXISTS', KEYS[3], ARGV[i]) == 0 then
    added = added + redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
return added
`

/** Written, no longer pending nor a dead letter; 1 when this is its first confirmation. */
const RECORD_WRITTEN = `
local first = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[4], first == 1 and 'written' or 'duplicatesSkipped', 1)
return first
`

export class FeedbackStore {
  /** `tracing` (trace.enabled): a written decision also appends a "feedback" event to its case's trace. */
  constructor (private readonly redis: RedisClient, private readonly prefix: string, private readonly tracing = false) {
    if (tracing) traceCommands(redis)
  }

  agencyKeys (agencyId: string): FeedbackAgencyKeys { return feedbackAgencyKeys(this.prefix, agencyId) }
  targetKeys (targetId: string): FeedbackTargetKeys { return feedbackTargetKeys(this.prefix, targetId) }

  async cursor (targetId: string): Promise<string | null> {
    return await this.redis.get(this.targetKeys(targetId).cursor)
  }

  /** Only the feedback puller calls this, after the decisions the cursor covers are enqueued. */
  async moveCursor (targetId: string, cursor: string, counts: { listed: number; unrouted: number }): Promise<void> {
    const k = this.targetKeys(targetId)
    await this.redis.multi().set(k.cursor, cursor).hincrby(k.stats, 'listed', counts.listed).hincrby(k.stats, 'unrouted', counts.unrouted).exec()
  }

  async claimTick (targetId: string, which: 'pull' | 'reconcile', tickMs: number, intervalMs: number): Promise<boolean> {
    const k = this.targetKeys(targetId)
    return await claimTick(this.redis, which === 'pull' ? k.pullTick : k.reconcileTick, tickMs, intervalMs)
  }

  /** Which of these decision ids the agency's writer has confirmed. */
  async written (agencyId: string, ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return []
    const found = await this.redis.hmget(this.agencyKeys(agencyId).written, ...ids)
    return found.map(v => v !== null)
  }

  /** Record decisions as pending (not written, not dead-lettered); returns how many were new. */
  async markPending (agencyId: string, decisions: readonly FeedbackDecision[], foundBy: PendingDecision['foundBy'], nowIso: string): Promise<number> {
    if (decisions.length === 0) return 0
    const k = this.agencyKeys(agencyId)
    const args = decisions.flatMap(d => [d.id, JSON.stringify({ caseNumber: d.caseNumber, decision: d.decision, decidedAt: d.decidedAt, since: nowIso, foundBy } satisfies PendingDecision)])
    return Number(await this.redis.eval(MARK_PENDING, 3, k.written, k.pending, k.dead, ...args))
  }

  /** The writer confirmed the decision; true when it had not been confirmed before. */
  async recordWritten (agencyId: string, decision: FeedbackDecision, writtenAtIso: string): Promise<boolean> {
    const k = this.agencyKeys(agencyId)
    const value = JSON.stringify({ caseNumber: decision.caseNumber, decision: decision.decision, decidedAt: decision.decidedAt, writtenAt: writtenAtIso } satisfies WrittenDecision)
    if (!this.tracing) return Number(await this.redis.eval(RECORD_WRITTEN, 4, k.written, k.pending, k.dead, k.stats, decision.id, value)) === 1
    // One MULTI: the case's "feedback" event, then the record of the write. The event is
    // written only while the decision is pending — every write is preceded by pending (the
    // listing, reconciliation, a dead-letter retry) and the record takes it out — so a job
    // that runs again after the record adds no second event, and a crash before it none.
    const tx = this.redis.multi()
    appendTraceIn(tx, traceKeys(this.prefix, agencyId), [{ event: { caseNumber: decision.caseNumber, kind: 'feedback', details: { decisionId: decision.id, decision: decision.decision, decidedAt: decision.decidedAt } }, ifIn: decision.id }], k.pending)
    tx.eval(RECORD_WRITTEN, 4, k.written, k.pending, k.dead, k.stats, decision.id, value)
    const replies = await tx.exec()
    const [err, first] = replies?.at(-1) ?? [new InternalError('the record of the write was not executed'), 0]
    if (err !== null) throw err
    return Number(first) === 1
  }

  async recordDeadLetter (agencyId: string, entry: FeedbackDeadLetter): Promise<void> {
    const k = this.agencyKeys(agencyId)
    await this.redis.multi().hset(k.dead, entry.decision.id, JSON.stringify(entry)).hdel(k.pending, entry.decision.id).hincrby(k.stats, 'deadLettered', 1).exec()
  }

  /** Take these dead letters (all when `ids` is absent) out of the dead-letter set, to be written again; the ones taken. */
  async takeDeadLetters (agencyId: string, ids?: readonly string[]): Promise<FeedbackDeadLetter[]> {
    const k = this.agencyKeys(agencyId)
    const entries = ids === undefined
      ? Object.values(await this.redis.hgetall(k.dead))
      : (ids.length === 0 ? [] : await this.redis.hmget(k.dead, ...ids)).filter((v): v is string => v !== null)
    const taken = entries.map(v => JSON.parse(v) as FeedbackDeadLetter)
    if (taken.length > 0) await this.redis.hdel(k.dead, ...taken.map(d => d.decision.id))
    return taken
  }

  async deadLetters (agencyId: string): Promise<FeedbackDeadLetter[]> {
    return Object.values(await this.redis.hgetall(this.agencyKeys(agencyId).dead)).map(v => JSON.parse(v) as FeedbackDeadLetter)
  }

  async pending (agencyId: string): Promise<Map<string, PendingDecision>> {
    return new Map(Object.entries(await this.redis.hgetall(this.agencyKeys(agencyId).pending)).map(([id, v]) => [id, JSON.parse(v) as PendingDecision]))
  }

  async counts (agencyId: string): Promise<FeedbackCounts> {
    const k = this.agencyKeys(agencyId)
    const [pending, written, deadLetters] = await Promise.all([this.redis.hlen(k.pending), this.redis.hlen(k.written), this.redis.hlen(k.dead)])
    return { pending, written, deadLetters }
  }
}
