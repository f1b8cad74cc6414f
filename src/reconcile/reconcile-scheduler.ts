import cron, { type ScheduledTask, type TaskContext } from 'node-cron'
import { cronInterval } from '../redis/claim-tick.js'
import type { Logger } from 'pino'
import { CaseBridgeError, ReconcileBusyError, UnknownAgencyError } from '../errors.js'
import type { ReconcileResult } from './findings.js'
import { reconcileAgency, type ReconcileDeps, type ReconcileOptions } from './reconcile-agency.js'

/**
 * Runs each agency's reconciliation on its own cron schedule, once per tick across all hub
 * processes: every process's cron fires, but only the one that claims the tick (its
 * scheduled second, compared-and-set in Redis) runs it — and the reconcile lock keeps an
 * on-demand run and a scheduled one from overlapping. A failing run is logged; the next
 * tick tries again.
 */
export class ReconcileScheduler {
  private readonly tasks: ScheduledTask[] = []
  private readonly running = new Map<string, Promise<ReconcileResult>>()
  private readonly controller = new AbortController()

  /** `onReconciled`: after each run that ended (the transfer-risk findings follow it); its failure is its own to log. */
  constructor (private readonly agencies: ReadonlyMap<string, ReconcileDeps>, private readonly logger: Logger, private readonly onReconciled?: (agencyId: string) => Promise<void>) {}

  start (): void {
    for (const [id, deps] of this.agencies) {
      if (!deps.config.enabled) continue
      const task = cron.schedule(deps.config.schedule, (ctx: TaskContext) => { void this.tick(id, ctx.date, interval) }, { name: `reconcile:${id}`, noOverlap: true })
      const interval = cronInterval(task)
      this.tasks.push(task)
    }
  }

  /** Reconcile one agency now (on demand); ReconcileBusyError while another run of it is going on. */
  async reconcileNow (agencyId: string, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
    const deps = this.agencies.get(agencyId)
    if (deps === undefined) throw new UnknownAgencyError(agencyId, [...this.agencies.keys()])
    if (this.running.has(agencyId)) throw new ReconcileBusyError(`agency ${agencyId} is being reconciled in this process right now`)
    const run = reconcileAgency(deps, { trigger: 'on-demand', ...opts, signal: opts.signal ?? this.controller.signal }).finally(() => this.running.delete(agencyId))
    this.running.set(agencyId, run)
    const result = await run
    await this.onReconciled?.(agencyId)
    return result
  }

  private async tick (agencyId: string, scheduled: Date, intervalMs: number): Promise<void> {
    const deps = this.agencies.get(agencyId)
    if (deps === undefined || this.controller.signal.aborted) return
    const log = this.logger.child({ agency: agencyId })
    try {
      const tickMs = Math.floor(scheduled.getTime() / 1000) * 1000
      if (!await deps.ledger.reconcileState(agencyId).claimTick(tickMs, intervalMs)) {
        log.debug({ tick: new Date(tickMs).toISOString() }, 'another hub process runs this reconciliation tick')
        return
      }
      await this.reconcileNow(agencyId, { trigger: 'schedule', scheduledFor: new Date(tickMs) })
    } catch (err) {
      if (this.controller.signal.aborted) {
        log.info('reconciliation stopped: the hub is stopping')
        return
      }
      if (err instanceof ReconcileBusyError) {
        log.info('reconciliation tick skipped: the previous run of this agency is still going on')
        return
      }
      log.error({ err, code: err instanceof CaseBridgeError ? err.code : undefined }, 'reconciliation failed; the next tick tries again')
    }
  }

  async stop (): Promise<void> {
    for (const task of this.tasks) await task.stop()
    this.controller.abort()
    await Promise.allSettled([...this.running.values()])
  }
}
