import type { Redis } from 'ioredis'
import type { AgencyKeys } from '../ledger/keys.js'
import type { ReconcileResult } from './findings.js'
import { claimTick } from '../redis/claim-tick.js'


const HISTORY_LENGTH = 50

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

  constructor (private readonly redis: Redis, private readonly keys: AgencyKeys) {
    this.historyKey = `${keys.reconcile}:history`
  }

  async history (): Promise<{ runId: string; trigger: string; scheduledFor?: string; startedAt: string; durationMs: number; findings: Record<string, number>; repaired?: number }[]> {
    return (await this.redis.lrange(this.historyKey, 0, -1)).map(text => JSON.parse(text) as never)
  }

  async read (): Promise<RunState> {
    const [judged, agencyCode, lastOkAt] = await this.redis.hmget(this.keys.reconcile, 'lateJudgedId', 'agencyCode', 'lastOkAt')
    return { lateJudgedId: judged ?? '0-0', agencyCode: agencyCode ?? undefined, lastOkAt: lastOkAt ?? undefined }
  }

  /**
   * Claim one schedule tick (its scheduled time, in ms): true for exactly one of the hub
   * processes whose cron fired for it, however their clocks and event loops drift.
   */
  async claimTick (tickMs: number): Promise<boolean> {
    return await claimTick(this.redis, this.keys.reconcile, tickMs)
  }

  async succeeded (result: ReconcileResult, agencyCode: string | undefined, lateJudgedId: string): Promise<void> {
    const tx = this.redis.multi()
    tx.lpush(this.historyKey, JSON.stringify({ runId: result.runId, trigger: result.trigger, scheduledFor: result.scheduledFor, startedAt: result.startedAt, durationMs: result.durationMs, findings: Object.fromEntries(Object.entries(result.findings).map(([k, v]) => [k, v.count])), repaired: result.repair?.enqueued }))
    tx.ltrim(this.historyKey, 0, HISTORY_LENGTH - 1)
    tx.hset(this.keys.reconcile, 'lastRunAt', result.startedAt, 'lastOkAt', result.finishedAt, 'lateJudgedId', lateJudgedId, 'lastResult', JSON.stringify(result))
    tx.hdel(this.keys.reconcile, 'lastError')
    if (agencyCode !== undefined) tx.hset(this.keys.reconcile, 'agencyCode', agencyCode)
    tx.hset(this.keys.stats, 'lastReconcileAt', result.startedAt, 'lastReconcileOkAt', result.finishedAt)
    tx.hincrby(this.keys.stats, 'reconcileRuns', 1)
    await tx.exec()
  }

  async failed (startedAt: string, message: string): Promise<void> {
    await this.redis.multi()
      .hset(this.keys.reconcile, 'lastRunAt', startedAt, 'lastError', message.slice(0, 500))
      .hset(this.keys.stats, 'lastReconcileAt', startedAt)
      .hincrby(this.keys.stats, 'reconcileRuns', 1)
      .exec()
  }

  /** The last successful run's result, as it was returned. */
  async lastResult (): Promise<ReconcileResult | undefined> {
    const text = await this.redis.hget(this.keys.reconcile, 'lastResult')
    return text === null ? undefined : JSON.parse(text) as ReconcileResult
  }
}
