import type { RedisClient } from '../redis/redis-client.js'
import type { AgencyKeys } from './keys.js'
import { claimTick } from '../redis/claim-tick.js'

const HISTORY_LENGTH = 50

/** What the run state keeps of a finished run (the reconciler's result has these and more; it is stored whole). */
export interface RunRecord {
  readonly runId: string
  readonly trigger: string
  readonly scheduledFor?: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  readonly findings: Readonly<Record<string, { readonly count: number }>>
  readonly repair?: { readonly enqueued: number }
  /** How the target side was compared ('not-compared': what it found of the target means nothing). */
  readonly target?: string
}

export interface RunState {
  /** The last decision-log entry judged for lateness ('0-0': none yet). */
  readonly lateJudgedId: string
  /** The agency code learned from the source's cases. */
  readonly agencyCode: string | undefined
  readonly lastOkAt: string | undefined
}

/**
 * What reconciliation remembers per agency: its own hash (the last late-entry judged, learned agency code,
 * the last result, the last claimed schedule tick) and, in the agency's stats hash, the
 * times metrics and the status API read (`lastReconcileAt`, `lastReconcileOkAt`,
 * `reconcileRuns`).
 */
export class ReconcileRunState {
  /** LIST: the last {@link HISTORY_LENGTH} successful runs, newest first (run id, trigger, start, finding counts, cases re-sent). */
  private readonly historyKey: string

  /** Made by the ledger (Ledger.reconcileState), which owns the keys. */
  constructor (private readonly redis: RedisClient, private readonly keys: AgencyKeys) {
    this.historyKey = `${keys.reconcile}:history`
  }

  async history (): Promise<RunHistoryEntry[]> {
    return (await this.redis.lrange(this.historyKey, 0, -1)).map(text => JSON.parse(text) as RunHistoryEntry)
  }

  async read (): Promise<RunState> {
    const [judged, agencyCode, lastOkAt] = await this.redis.hmget(this.keys.reconcile, 'lateJudgedId', 'agencyCode', 'lastOkAt')
    return { lateJudgedId: judged ?? '0-0', agencyCode: agencyCode ?? undefined, lastOkAt: lastOkAt ?? undefined }
  }

  /**
   * Claim one schedule tick (its scheduled time, in ms): true for exactly one of the hub
   * processes whose cron fired for it, however their clocks and event loops drift.
   */
  async claimTick (tickMs: number, intervalMs: number): Promise<boolean> {
    return await claimTick(this.redis, this.keys.reconcile, tickMs, intervalMs)
  }

  async succeeded (result: RunRecord, agencyCode: string | undefined, lateJudgedId: string): Promise<void> {
    const tx = this.redis.multi()
    tx.lpush(this.historyKey, JSON.stringify({ runId: result.runId, trigger: result.trigger, scheduledFor: result.scheduledFor, startedAt: result.startedAt, durationMs: result.durationMs, findings: Object.fromEntries(Object.entries(result.findings).map(([k, v]) => [k, v.count])), repaired: result.repair?.enqueued }))
    tx.ltrim(this.historyKey, 0, HISTORY_LENGTH - 1)
    tx.hset(this.keys.reconcile, 'lastRunAt', result.startedAt, 'lastOkAt', result.finishedAt, 'lateJudgedId', lateJudgedId, 'lastResult', JSON.stringify(result))
    tx.hdel(this.keys.reconcile, 'lastError')
    if (agencyCode !== undefined) tx.hset(this.keys.reconcile, 'agencyCode', agencyCode)
    tx.hset(this.keys.stats, 'lastReconcileAt', result.startedAt, 'lastReconcileOkAt', result.finishedAt)
    tx.hincrby(this.keys.stats, 'reconcileRuns', 1)
    // For the supervision metrics: each late entry is reported by exactly one run, so the sum
    // counts each once; missing on the platform is the platform as last compared.
    tx.hincrby(this.keys.stats, 'lateEntriesTotal', result.findings.late_entry?.count ?? 0)
    if (result.target !== 'not-compared') tx.hset(this.keys.stats, 'missingOnPlatform', result.findings.missing_in_target?.count ?? 0)
    await tx.exec()
  }

  async failed (startedAt: string, message: string): Promise<void> {
    await this.redis.multi()
      .hset(this.keys.reconcile, 'lastRunAt', startedAt, 'lastError', message.slice(0, 500))
      .hset(this.keys.stats, 'lastReconcileAt', startedAt)
      .hincrby(this.keys.stats, 'reconcileRuns', 1)
      .exec()
  }

  /** The last successful run's result, as it was stored (the caller knows its type). */
  async lastResult<R extends RunRecord> (): Promise<R | undefined> {
    const text = await this.redis.hget(this.keys.reconcile, 'lastResult')
    return text === null ? undefined : JSON.parse(text) as R
  }

  /** A running run's progress snapshot, for other processes (the admin API) to read. */
  async publishProgress (snapshot: unknown): Promise<void> {
    await this.redis.hset(this.keys.reconcile, 'progress', JSON.stringify(snapshot))
  }

  async clearProgress (): Promise<void> {
    await this.redis.hdel(this.keys.reconcile, 'progress')
  }

  /** The progress a run published, or undefined when none is running (its lock is gone). */
  async progress<P> (): Promise<P | undefined> {
    const [locked, text] = await Promise.all([this.redis.exists(this.keys.reconcileLock), this.redis.hget(this.keys.reconcile, 'progress')])
    if (locked !== 1 || text === null) return undefined
    try {
      return JSON.parse(text) as P
    } catch {
      return undefined
    }
  }
}

/** One line of the run history: what a run found, by kind, and how many cases it re-sent. */
export interface RunHistoryEntry { runId: string; trigger: string; scheduledFor?: string; startedAt: string; durationMs: number; findings: Record<string, number>; repaired?: number }
