import type { RedisClient } from '../redis/redis-client.js'
import { agencyKeys, type AgencyKeys } from './keys.js'
import { parseAgencyStats, type AgencyStats } from './agency-stats.js'
import { redisAdapterState } from './adapter-state.js'
import { readMappingStatus, recordMappingLoaded, recordMappingRefused, type MappingStatus } from './mapping-state.js'
import { ReconcileRunState } from './reconcile-state.js'
import { dropSettledPending, LedgerView } from './reconcile-view.js'
import { withLock, withLockWaiting, type Lease } from '../redis/lock.js'
import { claimTick } from '../redis/claim-tick.js'
import type { AdapterState } from '../contracts/adapter-registry.js'
import type { CompiledMapping } from '../mapping/types.js'
import { decodeAcked, decodeSeen, type AckedVersion, type DeadLetterEntry, type QuarantineEntry, type SeenVersion } from './entries.js'
import { ALLOCATE_KEYS, BEGIN_SEND_KEYS, END_SEND_KEYS, FINISH_KEYS, KEEP_NEWEST_KEYS, recordSeenIn, versionCommands } from './version-order.js'
import { PullLeaseLostError, type RemoteFailure } from '../errors.js'
import type { FailureNote } from '../logging/failure-note.js'
import { gapCommands, recordGapsIn } from './completeness-store.js'
import { supervisionTally, type SupervisionTally, type SupervisionTallyOptions } from './supervision-tally.js'
import type { SourceProblem } from '../contracts/source-adapter.js'
import type { CanonicalCase } from '../generated/case.js'
import { backfillFacts, readFacts, recordFactsIn, type AgencyFacts, type CaseFacts } from './risk-facts-store.js'
import type { ChainableCommander } from 'ioredis'
import { appendPreparedIn, prepareTrace, traceCommands, type ConditionalEvent, type PreparedTrace } from '../trace/trace-append.js'
import { traceKeys } from '../trace/trace-keys.js'
import type { TraceEventInput } from '../trace/trace-event.js'
import { attemptEvents, deadLetterEvents, operatorEvents } from './trace-of.js'

/** A version about to be enqueued: a new sequence is allocated (`sequence` absent) or the given one is kept (a re-send). */
export interface VersionToEnqueue { readonly caseNumber: string; readonly fingerprint: string; readonly sequence?: number; readonly lease: string }

/** What a push attempt carries of one case. */
export interface SentVersion { readonly caseNumber: string; readonly fingerprint: string; readonly sequence: number }

/**
 * How an attempt ended for one case: `accepted` (stored), `maybe` (the request failed in a
 * way after which the target may hold it: 5xx, timeout), `none` (not stored: refused,
 * rate-limited, answered "retryable", or fenced as older than what the target holds).
 */
export interface AttemptOutcome extends SentVersion {
  readonly outcome: 'accepted' | 'maybe' | 'none'
  readonly ackedAtMs: number
  /** The case's decision date, if it has one: the late-entry rule. */
  readonly decidedAt?: string | undefined
  /**
   * What the attempt got for this case, for the trace: the platform's per-record status and
   * time or reason, or the error that failed the whole request (its stable code, message).
   */
  readonly answer?: AttemptAnswer | undefined
}

export interface AttemptAnswer {
  readonly status?: 'accepted' | 'rejected' | 'retryable' | 'superseded' | 'failed' | undefined
  readonly code?: string | undefined
  readonly message?: string | undefined
  /** The platform's acknowledgement time (ISO), as it said. */
  readonly acknowledgedAt?: string | undefined
}

/** What the ledger asks the push processor to do after an attempt (src/ledger/version-order.ts). */
export type VersionAction =
  | { readonly caseNumber: string; readonly kind: 'keep-newest' | 'resend-self' | 'unresolved' }
  | { readonly caseNumber: string; readonly kind: 'resend-kept'; readonly kept: KeptVersion }

/** The newest acknowledged version of a case, kept while an older delivery may still land. */
export interface KeptVersion { readonly sequence: number; readonly fingerprint: string; readonly case: unknown }

/** The pull lock held by a pull: versions are numbered only while it is still the holder's. */
export type PullLease = Lease

const OUTCOME_CODES = { accepted: 'A', maybe: 'M', none: 'N' } as const

/** A MULTI's replies: a command that failed inside it must not pass unnoticed. */
function checkExec (replies: [Error | null, unknown][] | null): void {
  const failed = replies?.find(([err]) => err !== null)?.[0]
  if (failed != null) throw failed
}

/** Who ran a pull: the process, and the schedule tick it claimed (absent for pulls on demand or at start); for a failed pull, how it failed. */
export interface PullRun {
  readonly instance: string
  readonly tick?: string
  readonly failure?: RemoteFailure
  /** How a failed pull failed (code, class, masked message): kept as the agency's last pull error until a pull succeeds. */
  readonly error?: FailureNote
}

export interface PageCommit {
  /**
   * `gaps`: the expected fields the version lacks (src/schema/completeness.ts), recorded with it; absent: left as they were.
   * `case`: the version itself, whose transfer-risk facts are recorded with it when the ledger was given `factsOf`.
   */
  readonly seen: readonly { caseNumber: string; version: SeenVersion; gaps?: readonly string[]; case?: CanonicalCase }[]
  readonly quarantined: readonly QuarantineEntry[]
  /** Record keys that are valid now and leave quarantine. */
  readonly released: readonly string[]
  readonly cursor: string | null
  readonly counts: Readonly<Record<string, number>>
  /**
   * The page's trace events (src/trace), written in the same MULTI; `released` ones only
   * for a record key that was in quarantine when the MULTI ran.
   */
  readonly trace?: { readonly events: readonly TraceEventInput[]; readonly released: readonly { readonly recordKey: string; readonly event: TraceEventInput }[] }
}

export interface AgencyCounters {
  pulled: number
  valid: number
  skipped: number
  /** Records in quarantine now, held cases not counted. */
  quarantined: number
  /** Valid cases held for the target now: they lack a field its profile requires (quarantine entries of stage "held"). */
  held: number
  enqueued: number
  pushed: number
  deadLettered: number
  /** Skipped records by skip rule (`skip:` names of the mapping), from the `skipped:<rule>` counters. */
  skippedByRule: Record<string, number>
}

/**
 * What the hub remembers per agency, in Redis: the version of each case last enqueued
 * ("seen") and last acknowledged ("acked"), the source cursor, quarantine, dead letters
 * and counters. Holds no connection of its own; the hub passes its client.
 */
export class Ledger {
  private readonly scripts: ReturnType<typeof versionCommands>

  /**
   * `watchMs`: how long a registered delivery counts as one that may still land (push.lateDeliveryWatchSeconds).
   * `tracing` (trace.enabled): each state change also appends its per-case trace events in
   * the same MULTI or script step (src/trace); off, nothing is traced.
   * `factsOf`: the transfer-risk facts of a case version (src/risk/case-facts.ts), recorded with every page commit; absent: none recorded.
   */
  constructor (private readonly redis: RedisClient, private readonly prefix: string, private readonly watchMs = 86_400_000, readonly tracing = true, private readonly factsOf?: (c: CanonicalCase) => CaseFacts) {
    this.scripts = versionCommands(redis)
    gapCommands(redis)
    if (tracing) traceCommands(redis)
  }

  /** Append trace events inside `tx` (nothing when tracing is off). */
  /**
   * Trace events of a state change, hashed on the cases' heads read now (nothing when
   * tracing is off); {@link appendIn} writes them in the change's MULTI. Conditional events
   * are written only if their key is in `condition` (the quarantine by default) then.
   */
  private async traceFor (agencyId: string, events: readonly (TraceEventInput | ConditionalEvent)[], condition = this.keysOf(agencyId).quarantine): Promise<PreparedTrace | undefined> {
    if (!this.tracing || events.length === 0) return undefined
    return await prepareTrace(this.redis, traceKeys(this.prefix, agencyId), events, condition)
  }

  private appendIn (tx: ChainableCommander, agencyId: string, prepared: PreparedTrace | undefined): void {
    if (prepared !== undefined) appendPreparedIn(tx, traceKeys(this.prefix, agencyId), prepared)
  }


  /** The ledger's keys of an agency: for the ledger's own modules only (this class and the views it makes). */
  private keysOf (agencyId: string): AgencyKeys {
    return agencyKeys(this.prefix, agencyId)
  }

  /**
   * Run `fn` holding the agency's pull lock (one pull — or quarantine re-processing, or
   * repair — of an agency at a time across hub processes); `{ ran: false }` when another
   * holds it. `fn` gets the lease that numbering versions checks (allocateVersions).
   */
  async withPullLock<T> (agencyId: string, ttlMs: number, fn: (lease: PullLease) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return await withLock(this.redis, this.keysOf(agencyId).pullLock, ttlMs, fn)
  }

  /** {@link withPullLock}, waiting up to `waitMs` for a running pull; undefined when it stayed taken. */
  async withPullLockWaiting<T> (agencyId: string, ttlMs: number, waitMs: number, fn: (lease: PullLease) => Promise<T>): Promise<{ value: T } | undefined> {
    return await withLockWaiting(this.redis, this.keysOf(agencyId).pullLock, ttlMs, waitMs, fn)
  }

  /** Is any hub process pulling the agency now? */
  async isPulling (agencyId: string): Promise<boolean> {
    return await this.redis.exists(this.keysOf(agencyId).pullLock) === 1
  }

  /** Claim one pull schedule tick for this process (src/redis/claim-tick.ts). */
  async claimPullTick (agencyId: string, tickMs: number, intervalMs: number): Promise<boolean> {
    return await claimTick(this.redis, this.keysOf(agencyId).pullTick, tickMs, intervalMs)
  }

  /** Run `fn` holding the agency's reconcile lock (one reconciliation of an agency at a time). */
  async withReconcileLock<T> (agencyId: string, ttlMs: number, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return await withLock(this.redis, this.keysOf(agencyId).reconcileLock, ttlMs, fn)
  }

  /** What reconciliation remembers of the agency: runs, learned agency code, claimed ticks, progress. */
  reconcileState (agencyId: string): ReconcileRunState {
    return new ReconcileRunState(this.redis, this.keysOf(agencyId))
  }

  /** The reconciler's reads of the agency's ledger (digests, bucket members, pending, decision log). */
  reconcileView (agencyId: string): LedgerView {
    return new LedgerView(this.redis, this.keysOf(agencyId))
  }

  /** The agency's source adapter's own key-value state (one hash the adapter sees and nothing else). */
  adapterState (agencyId: string): AdapterState {
    return redisAdapterState(this.redis, this.keysOf(agencyId).adapterState)
  }

  /** A mapping version is in use for the agency now (an earlier refused edit is settled). */
  async recordMappingLoaded (agencyId: string, mapping: Pick<CompiledMapping, 'version' | 'file'>): Promise<void> {
    await recordMappingLoaded(this.redis, this.keysOf(agencyId).mapping, mapping)
  }

  /** An edit of the agency's mapping was refused: the version in use stays. */
  async recordMappingRefused (agencyId: string, message: string, at?: Date): Promise<void> {
    await recordMappingRefused(this.redis, this.keysOf(agencyId).mapping, message, at)
  }

  async mappingStatus (agencyId: string): Promise<MappingStatus> {
    return await readMappingStatus(this.redis, this.keysOf(agencyId).mapping)
  }

  async cursor (agencyId: string): Promise<string | null> {
    return await this.redis.get(this.keysOf(agencyId).cursor)
  }

  async seenVersions (agencyId: string, caseNumbers: readonly string[]): Promise<(SeenVersion | undefined)[]> {
    if (caseNumbers.length === 0) return []
    const values = await this.redis.hmget(this.keysOf(agencyId).seen, ...caseNumbers)
    return values.map(decodeSeen)
  }

  /**
   * Record one processed page in a single MULTI: which versions are now enqueued, what went
   * to or left quarantine, the counters — and, last, the cursor. The caller enqueues the
   * page's push jobs BEFORE calling this; see the cursor rule in src/sync/pull-agency.ts.
   */
  async commitPage (agencyId: string, commit: PageCommit): Promise<void> {
    const k = this.keysOf(agencyId)
    const trace = commit.trace === undefined ? undefined : await this.traceFor(agencyId, [...commit.trace.released.map(r => ({ event: r.event, ifIn: r.recordKey })), ...commit.trace.events])
    const tx = this.redis.multi()
    // First: a "released" event is written only while its record is still in quarantine.
    this.appendIn(tx, agencyId, trace)
    // seen + pending + bucket index, in one script (src/ledger/ledger-scripts.ts)
    if (commit.seen.length > 0) recordSeenIn(tx, k, seenArgs(commit.seen, '0'))
    recordGapsIn(tx, k, commit.seen.flatMap(s => s.gaps === undefined ? [] : [{ caseNumber: s.caseNumber, gaps: s.gaps }]))
    const factsOf = this.factsOf
    if (factsOf !== undefined) recordFactsIn(tx, k, commit.seen.flatMap(s => s.case === undefined ? [] : [{ caseNumber: s.caseNumber, facts: factsOf(s.case) }]), Date.now())
    if (commit.released.length > 0) { tx.hdel(k.quarantine, ...commit.released); tx.srem(k.held, ...commit.released) }
    if (commit.quarantined.length > 0) {
      tx.hset(k.quarantine, ...commit.quarantined.flatMap(q => [q.recordKey, JSON.stringify(q)]))
      const held = commit.quarantined.filter(q => q.stage === 'held').map(q => q.recordKey)
      const notHeld = commit.quarantined.filter(q => q.stage !== 'held').map(q => q.recordKey)
      if (held.length > 0) { tx.sadd(k.held, ...held); tx.hincrby(k.stats, 'heldTotal', held.length) }
      if (notHeld.length > 0) { tx.srem(k.held, ...notHeld); tx.hincrby(k.stats, 'quarantinedTotal', notHeld.length) }
    }
    for (const [name, n] of Object.entries(commit.counts)) if (n !== 0) tx.hincrby(k.stats, name, n)
    if (commit.cursor !== null) tx.set(k.cursor, commit.cursor)
    checkExec(await tx.exec())
  }

  /**
   * Record versions a reconciliation repair re-enqueued (call after enqueueing them, like a
   * page commit): they are the ones last enqueued now, and pending until acknowledged —
   * even when the ledger believes that very version delivered (the platform lost it).
   */
  async recordResent (agencyId: string, items: readonly { caseNumber: string; version: SeenVersion; trace?: Readonly<Record<string, unknown>> }[], traceKind: 'repaired' | 'replayed' = 'repaired'): Promise<void> {
    if (items.length === 0) return
    const k = this.keysOf(agencyId)
    const trace = await this.traceFor(agencyId, items.map(i => ({ caseNumber: i.caseNumber, kind: traceKind, details: { sequence: i.version.sequence, fingerprint: i.version.fingerprint, mappingVersion: i.version.mappingVersion, ...i.trace } })))
    const tx = this.redis.multi()
    this.appendIn(tx, agencyId, trace)
    recordSeenIn(tx, k, seenArgs(items, '1'))
    tx.hincrby(k.stats, 'repairEnqueued', items.length)
    checkExec(await tx.exec())
  }

  /**
   * After every pull attempt. `pullFailingSince` (ISO) is the first failure of the current
   * run of failures, cleared by a success: the "agency unreachable" alarm reads it. `run`
   * says which process ran it and for which schedule tick (the last 100 are kept), and for
   * a failure, how it failed (`lastPullError`, cleared by a success too: the status shows it).
   */
  async markPull (agencyId: string, ok: boolean, run?: PullRun): Promise<void> {
    const now = new Date().toISOString()
    const k = this.keysOf(agencyId)
    const tx = this.redis.multi()
    if (ok) tx.hset(k.stats, 'lastPullAt', now, 'lastPullOkAt', now).hdel(k.stats, 'pullFailingSince', 'lastPullError')
    else tx.hset(k.stats, 'lastPullAt', now).hsetnx(k.stats, 'pullFailingSince', now)
    if (!ok && run?.error !== undefined) tx.hset(k.stats, 'lastPullError', JSON.stringify(run.error))
    if (run !== undefined) tx.lpush(k.pullRuns, JSON.stringify({ at: now, ok, ...run })).ltrim(k.pullRuns, 0, 99)
    checkExec(await tx.exec())
  }

  /** The last pull runs, newest first. */
  async pullRuns (agencyId: string): Promise<(PullRun & { at: string; ok: boolean })[]> {
    return (await this.redis.lrange(this.keysOf(agencyId).pullRuns, 0, -1)).map(text => JSON.parse(text) as PullRun & { at: string; ok: boolean })
  }

  /** What the source reported needing attention after its last pull (none: all is well); status and the `source_problem` alarm read it. */
  async recordSourceProblems (agencyId: string, problems: readonly SourceProblem[]): Promise<void> {
    const k = this.keysOf(agencyId)
    if (problems.length === 0) await this.redis.hdel(k.stats, 'sourceProblems')
    else await this.redis.hset(k.stats, 'sourceProblems', JSON.stringify(problems))
  }

  /** The source's problems as of its last pull. */
  async sourceProblems (agencyId: string): Promise<readonly SourceProblem[]> {
    return (await this.stats(agencyId)).sourceProblems
  }

  /** A pull found `changed` new or changed cases; `lastChangeAt` (ISO) feeds the "agency silent" alarm. */
  async markActivity (agencyId: string, changed: number): Promise<void> {
    if (changed > 0) await this.redis.hset(this.keysOf(agencyId).stats, 'lastChangeAt', new Date().toISOString())
  }

  /**
   * Number the versions about to be enqueued and register their jobs' deliveries, before
   * the jobs are enqueued (src/ledger/version-order.ts). With `lease`, only while the
   * caller still holds that lock (else PullLeaseLostError: the page is left for the next
   * pull). Returns each version's sequence, in order.
   */
  async allocateVersions (agencyId: string, versions: readonly VersionToEnqueue[], lease?: PullLease): Promise<number[]> {
    if (versions.length === 0) return []
    const k = this.keysOf(agencyId)
    if (lease !== undefined && lease.key !== k.pullLock) throw new PullLeaseLostError(`agency ${agencyId}: the lease given is not the agency's pull lock`)
    const now = Date.now()
    try {
      const seqs = await this.scripts.cbAllocate(4, ...ALLOCATE_KEYS(k), lease?.token ?? '', now + this.watchMs, now,
        ...versions.flatMap(v => [v.caseNumber, v.sequence === undefined ? '+' : String(v.sequence), v.lease, v.fingerprint]))
      return seqs.map(Number)
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('CB_LEASE_LOST')) throw new PullLeaseLostError(`agency ${agencyId}: the pull lock was lost (this process was paused or too slow); the page is left for the next pull`, { cause: err })
      throw err
    }
  }

  /**
   * An attempt is about to send these versions: register it. `allSuperseded` (nothing
   * registered) when every one of them has a newer version enqueued or acknowledged —
   * the attempt need not send anything.
   */
  async beginSend (agencyId: string, attempt: string, versions: readonly SentVersion[]): Promise<{ allSuperseded: boolean; superseded: boolean[] }> {
    const now = Date.now()
    const flags = await this.scripts.cbBeginSend(3, ...BEGIN_SEND_KEYS(this.keysOf(agencyId)), attempt, now + this.watchMs, now,
      ...versions.flatMap(v => [v.caseNumber, v.fingerprint, v.sequence]))
    return { allSuperseded: Number(flags[0]) === 1, superseded: flags.slice(1).map(f => Number(f) === 1) }
  }

  /**
   * An attempt ended: acknowledge what was accepted (never over a newer acknowledged
   * version), resolve dead letters it supersedes, and say what the processor must do so
   * that the target ends with the newest version (see {@link VersionAction}).
   */
  async endSend (agencyId: string, attempt: string, outcomes: readonly AttemptOutcome[], agencyCode = ''): Promise<{ acknowledged: number; actions: VersionAction[] }> {
    if (outcomes.length === 0) return { acknowledged: 0, actions: [] }
    const k = this.keysOf(agencyId)
    const args = [END_SEND_KEYS(k).length, ...END_SEND_KEYS(k), attempt, Date.now(), agencyCode,
      ...outcomes.flatMap(o => [o.caseNumber, o.fingerprint, o.sequence, OUTCOME_CODES[o.outcome], o.ackedAtMs, o.decidedAt ?? ''])] as const
    let reply: (string | number)[]
    if (this.tracing) {
      // The verdict and the attempt's trace events in one MULTI: both are recorded or neither.
      const trace = await this.traceFor(agencyId, attemptEvents(attempt, outcomes))
      const tx = this.redis.multi() as ChainableCommander & { cbEndSend: (...a: (string | number)[]) => unknown }
      tx.cbEndSend(...args)
      this.appendIn(tx, agencyId, trace)
      const replies = await tx.exec()
      checkExec(replies)
      reply = replies?.[0]?.[1] as (string | number)[]
    } else {
      reply = await this.scripts.cbEndSend(...args)
    }
    const acknowledged = Number(reply[0])
    const actions: VersionAction[] = []
    for (let i = 1; i + 2 < reply.length; i += 3) {
      const caseNumber = String(reply[i])
      const what = String(reply[i + 1])
      if (what === 'R') actions.push({ caseNumber, kind: 'resend-kept', kept: decodeKept(String(reply[i + 2])) })
      else actions.push({ caseNumber, kind: what === 'G' ? 'keep-newest' : what === 'S' ? 'resend-self' : 'unresolved' })
    }
    return { acknowledged, actions }
  }

  /**
   * Record acknowledgements that did not come from a push attempt of this hub (seeding a
   * ledger, tests): as if each version had been accepted by the target.
   */
  async acknowledge (agencyId: string, acks: readonly (Omit<AttemptOutcome, 'outcome' | 'sequence'> & { readonly sequence?: number })[]): Promise<void> {
    await this.endSend(agencyId, 'direct#ack', acks.map(a => ({ ...a, sequence: a.sequence ?? 0, outcome: 'accepted' })))
  }

  /** The agency code under which the platform last acknowledged a case of the agency (undefined: nothing acknowledged yet). */
  async deliveredAgencyCode (agencyId: string): Promise<string | undefined> {
    return (await this.stats(agencyId)).agencyCode
  }

  /** Keep these acknowledged versions' content while older deliveries of them are registered. */
  async keepNewest (agencyId: string, versions: readonly (SentVersion & { readonly case: unknown })[]): Promise<number> {
    if (versions.length === 0) return 0
    const k = this.keysOf(agencyId)
    return Number(await this.scripts.cbKeepNewest(3, ...KEEP_NEWEST_KEYS(k), Date.now(),
      ...versions.flatMap(v => [v.caseNumber, v.sequence, `${v.sequence}|${v.fingerprint}|${JSON.stringify(v.case)}`])))
  }

  /**
   * A job has settled these cases: its deliveries are no longer registered (`lease`), a
   * mark of an older version that may have landed is cleared where `cleared` says a
   * re-send covering it is enqueued, and kept copies nobody needs any more go.
   */
  async finishDeliveries (agencyId: string, lease: string, versions: readonly Pick<SentVersion, 'caseNumber' | 'sequence'>[], cleared: ReadonlySet<string> = new Set()): Promise<void> {
    if (versions.length === 0) return
    const k = this.keysOf(agencyId)
    await this.scripts.cbFinish(4, ...FINISH_KEYS(k), lease, Date.now(), ...versions.flatMap(v => [v.caseNumber, v.sequence, cleared.has(v.caseNumber) ? '1' : '0']))
  }

  /** The agency's transfer-risk facts, one entry per case whose versions were recorded with facts (src/ledger/risk-facts-store.ts). */
  async riskFacts (agencyId: string): Promise<AgencyFacts> {
    return await readFacts(this.redis, this.keysOf(agencyId))
  }

  /**
   * Transfer-risk facts for cases whose newest version was recorded without them (before
   * `risk:` was configured), from a reconciliation's source listing: only where the ledger's
   * newest version has this fingerprint and no facts exist yet. None without `factsOf`.
   */
  async backfillRiskFacts (agencyId: string, cases: readonly { caseNumber: string; fingerprint: string; case: CanonicalCase }[]): Promise<number> {
    const factsOf = this.factsOf
    if (factsOf === undefined) return 0
    return await backfillFacts(this.redis, this.keysOf(agencyId), cases.map(c => ({ caseNumber: c.caseNumber, fingerprint: c.fingerprint, facts: () => factsOf(c.case) })), Date.now())
  }

  /** Cases the target refused, or that could not be delivered: the dead-letter set, counted. */
  async recordDeadLetters (agencyId: string, deadLetters: readonly DeadLetterEntry[]): Promise<void> {
    if (deadLetters.length === 0) return
    const k = this.keysOf(agencyId)
    const trace = await this.traceFor(agencyId, deadLetterEvents(deadLetters))
    const tx = this.redis.multi()
      .hset(k.deadLetters, ...deadLetters.flatMap(d => [d.caseNumber, JSON.stringify(d)]))
      .hincrby(k.stats, 'deadLettered', deadLetters.length)
    this.appendIn(tx, agencyId, trace)
    checkExec(await tx.exec())
  }

  /** The acknowledged versions of the given cases, in order. */
  async ackedVersions (agencyId: string, caseNumbers: readonly string[]): Promise<(AckedVersion | undefined)[]> {
    if (caseNumbers.length === 0) return []
    return (await this.redis.hmget(this.keysOf(agencyId).acked, ...caseNumbers)).map(decodeAcked)
  }

  /** Which of the given cases are in the dead-letter set, in order. */
  async inDeadLetters (agencyId: string, caseNumbers: readonly string[]): Promise<boolean[]> {
    if (caseNumbers.length === 0) return []
    return (await this.redis.hmget(this.keysOf(agencyId).deadLetters, ...caseNumbers)).map(v => v !== null)
  }

  async ackedCount (agencyId: string): Promise<number> {
    return await this.redis.hlen(this.keysOf(agencyId).acked)
  }

  async quarantine (agencyId: string): Promise<QuarantineEntry[]> {
    const all = await this.redis.hvals(this.keysOf(agencyId).quarantine)
    return all.map(text => JSON.parse(text) as QuarantineEntry)
  }

  /** The quarantine entries held for the target (stage "held"), see {@link AgencyKeys.held}. */
  async heldEntries (agencyId: string): Promise<QuarantineEntry[]> {
    const k = this.keysOf(agencyId)
    const keys = await this.redis.smembers(k.held)
    if (keys.length === 0) return []
    const texts = await this.redis.hmget(k.quarantine, ...keys)
    return texts.filter((t): t is string => t !== null).map(text => JSON.parse(text) as QuarantineEntry)
  }

  /**
   * How many dead letters the agency has, and up to `size` of them, without reading the
   * whole set (the dead-letter alarm checks this after every pull; the set can be large).
   */
  async deadLetterSample (agencyId: string, size: number): Promise<{ count: number; sample: DeadLetterEntry[] }> {
    const key = this.keysOf(agencyId).deadLetters
    const count = await this.redis.hlen(key)
    if (count === 0) return { count, sample: [] }
    const [, flat] = await this.redis.hscan(key, '0', 'COUNT', size)
    const sample = flat.filter((_, i) => i % 2 === 1).slice(0, size).map(text => JSON.parse(text) as DeadLetterEntry)
    return { count, sample }
  }

  /**
   * The agency's completeness now: how many cases it has (versions enqueued for delivery)
   * and, per expected field, how many of them lack it (src/ledger/completeness-store.ts).
   */
  async completeness (agencyId: string): Promise<{ cases: number; missing: Record<string, number> }> {
    const k = this.keysOf(agencyId)
    const replies = await this.redis.multi().hlen(k.seen).hgetall(k.gapCounts).exec()
    checkExec(replies)
    const counts = (replies?.[1]?.[1] ?? {}) as Record<string, string>
    return { cases: Number(replies?.[0]?.[1] ?? 0), missing: Object.fromEntries(Object.entries(counts).map(([f, n]) => [f, Number(n)])) }
  }

  /** Pulled, delivered, pending and late-entry counts of the agency, all or since a moment (src/ledger/supervision-tally.ts). */
  async supervisionTally (agencyId: string, opts: SupervisionTallyOptions): Promise<SupervisionTally> {
    return await supervisionTally(this.redis, this.keysOf(agencyId), opts)
  }

  async deadLetters (agencyId: string): Promise<DeadLetterEntry[]> {
    const all = await this.redis.hvals(this.keysOf(agencyId).deadLetters)
    return all.map(text => JSON.parse(text) as DeadLetterEntry)
  }

  /** Take records out of quarantine for good (an operator decided they need no delivery); returns how many were there. */
  async discardQuarantined (agencyId: string, recordKeys: readonly string[]): Promise<number> {
    if (recordKeys.length === 0) return 0
    const k = this.keysOf(agencyId)
    const trace = await this.traceFor(agencyId, operatorEvents(recordKeys.filter(key => !key.startsWith('#')), 'quarantine.discard'))
    const tx = this.redis.multi()
    // Before the HDEL: an event only for a record that was there (and has a case number).
    this.appendIn(tx, agencyId, trace)
    const replies = await tx.hdel(k.quarantine, ...recordKeys).srem(k.held, ...recordKeys).exec()
    checkExec(replies)
    const removed = replies?.at(-2)?.[1]
    return typeof removed === 'number' ? removed : 0
  }

  /**
   * Drop dead letters for good (an operator decided they need no delivery): they no longer
   * count as pending either, so they stop holding the sync lag up. Returns how many were there.
   */
  async discardDeadLetters (agencyId: string, caseNumbers: readonly string[]): Promise<number> {
    if (caseNumbers.length === 0) return 0
    const k = this.keysOf(agencyId)
    const trace = await this.traceFor(agencyId, operatorEvents(caseNumbers, 'dead-letters.discard'), k.deadLetters)
    const tx = this.redis.multi()
    this.appendIn(tx, agencyId, trace)
    const result = await tx.hdel(k.deadLetters, ...caseNumbers).zrem(k.pending, ...caseNumbers).exec()
    checkExec(result)
    return Number(result?.at(-2)?.[1] ?? 0)
  }

  /** Take dead letters out of the set because they were queued for delivery again (they stay pending). */
  async removeDeadLetters (agencyId: string, caseNumbers: readonly string[]): Promise<number> {
    if (caseNumbers.length === 0) return 0
    const k = this.keysOf(agencyId)
    const trace = await this.traceFor(agencyId, operatorEvents(caseNumbers, 'dead-letters.retry'), k.deadLetters)
    const tx = this.redis.multi()
    this.appendIn(tx, agencyId, trace)
    const result = await tx.hdel(k.deadLetters, ...caseNumbers).exec()
    checkExec(result)
    return Number(result?.at(-1)?.[1] ?? 0)
  }

  /**
   * When the oldest change not yet acknowledged by the target was first seen (undefined:
   * none pending). Bounded work: looks at the oldest few entries only, and removes those
   * whose version the ledger shows as acknowledged (left over by a crash between ack and
   * cleanup) so they cannot hold the lag up forever.
   */
  async pendingSince (agencyId: string): Promise<number | undefined> {
    const k = this.keysOf(agencyId)
    for (let round = 0; round < 5; round++) {
      const oldest = await this.redis.zrange(k.pending, 0, 19, 'WITHSCORES')
      if (oldest.length === 0) return undefined
      const settled = await dropSettledPending(this.redis, k, oldest.filter((_, i) => i % 2 === 0))
      if (settled.length === 0) return Number(oldest[1])
    }
    const first = await this.redis.zrange(k.pending, 0, 0, 'WITHSCORES')
    return first.length === 0 ? undefined : Number(first[1])
  }

  /** How many cases have a change enqueued and not yet acknowledged. */
  async pendingCount (agencyId: string): Promise<number> {
    return await this.redis.zcard(this.keysOf(agencyId).pending)
  }

  /**
   * How many of the agency's cases are on their way to the target: pending, less those
   * given up as dead letters (they wait for an operator, not for the queue).
   */
  async inFlight (agencyId: string): Promise<number> {
    const k = this.keysOf(agencyId)
    const replies = await this.redis.multi().zcard(k.pending).hlen(k.deadLetters).exec()
    checkExec(replies)
    return Math.max(0, Number(replies?.[0]?.[1] ?? 0) - Number(replies?.[1]?.[1] ?? 0))
  }

  /** Pause the agency (no pulls; its queued pushes wait). False if it was paused already. */
  async pause (agencyId: string, by: string): Promise<boolean> {
    return await this.redis.set(this.keysOf(agencyId).paused, JSON.stringify({ at: new Date().toISOString(), by }), 'NX') === 'OK'
  }

  /** Resume a paused agency. False if it was not paused. */
  async resume (agencyId: string): Promise<boolean> {
    return await this.redis.del(this.keysOf(agencyId).paused) === 1
  }

  /** Since when and by whom the agency is paused; undefined while it runs. */
  async pausedSince (agencyId: string): Promise<{ at: string; by: string } | undefined> {
    const text = await this.redis.get(this.keysOf(agencyId).paused)
    return text === null ? undefined : JSON.parse(text) as { at: string; by: string }
  }

  /** The agency's counters and times (src/ledger/agency-stats.ts). */
  async stats (agencyId: string): Promise<AgencyStats> {
    return parseAgencyStats(await this.redis.hgetall(this.keysOf(agencyId).stats))
  }

  /** The counters an operator sees: totals from the stats, and what quarantine, acknowledgements and dead letters hold now. */
  async counters (agencyId: string): Promise<AgencyCounters> {
    const k = this.keysOf(agencyId)
    const [stats, entries, held, pushed, deadLettered] = await Promise.all([this.stats(agencyId), this.redis.hlen(k.quarantine), this.redis.scard(k.held), this.redis.hlen(k.acked), this.redis.hlen(k.deadLetters)])
    return { pulled: stats.pulled, valid: stats.valid, skipped: stats.skipped, quarantined: entries - held, held, enqueued: stats.enqueued, pushed, deadLettered, skippedByRule: { ...stats.skippedByRule } }
  }
}

function seenArgs (items: readonly { caseNumber: string; version: SeenVersion }[], force: '0' | '1'): (string | number)[] {
  return items.flatMap(({ caseNumber, version: v }) => [caseNumber, v.fingerprint, v.mappingVersion, v.firstSeenMs, v.sequence, force])
}

function decodeKept (text: string): KeptVersion {
  const first = text.indexOf('|')
  const second = text.indexOf('|', first + 1)
  return { sequence: Number(text.slice(0, first)), fingerprint: text.slice(first + 1, second), case: JSON.parse(text.slice(second + 1)) as unknown }
}
