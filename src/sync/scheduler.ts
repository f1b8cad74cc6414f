import cron, { type ScheduledTask, type TaskContext } from 'node-cron'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { CaseBridgeError } from '../errors.js'
import { withPullLock } from './pull-lock.js'
import { claimTick } from '../redis/claim-tick.js'
import { INSTANCE_ID } from '../instance-id.js'
import type { PullSummary } from './pull-agency.js'

/**
 * How long a pull lock outlives its owner. Short, so a hub killed mid-pull blocks the next
 * pull of that agency only briefly; renewed every third of it while the pull runs. If it
 * ever lapsed under a live pull, two pulls would overlap — harmless (the ledger and the
 * cursor rule make a repeated page a no-op), only wasteful.
 */
const PULL_LOCK_TTL_MS = 10_000

export interface ScheduledAgency {
  readonly id: string
  readonly schedule: string
  readonly lockKey: string
  /** Where the last claimed schedule tick is kept (src/redis/claim-tick.ts). */
  readonly tickKey: string
  /** Whether an operator paused the agency: no pulls then. */
  paused (): Promise<boolean>
  pull (signal: AbortSignal): Promise<PullSummary>
  /** Told after every attempt, for the ledger's last-pull times and its list of pull runs. */
  recordOutcome (ok: boolean, run: { instance: string; tick?: string }): Promise<void>
}

/**
 * Runs each agency's pull on its cron schedule (and once at start). Each tick runs once
 * across all hub processes (the process that claims it in Redis), and never two pulls of
 * one agency at a time — in this process (the running map) or across processes (a Redis
 * lock). A paused agency is not pulled. A failing agency is logged and retried at its next
 * tick; the others carry on. `stop()` asks running pulls to finish their current page and
 * waits for them.
 */
export class PullScheduler {
  private readonly tasks: ScheduledTask[] = []
  private readonly running = new Map<string, Promise<PullSummary | undefined>>()
  private readonly controller = new AbortController()

  constructor (private readonly redis: Redis, private readonly agencies: readonly ScheduledAgency[], private readonly logger: Logger) {}

  start (runNow = true): void {
    for (const agency of this.agencies) {
      this.tasks.push(cron.schedule(agency.schedule, (ctx: TaskContext) => { void this.tick(agency, ctx.date) }, { name: `pull:${agency.id}`, noOverlap: true }))
      if (runNow) void this.trigger(agency.id)
    }
  }

  /** Pull one agency now; resolves undefined when it is already being pulled (here or elsewhere) or the hub is stopping. */
  async trigger (agencyId: string, tick?: Date): Promise<PullSummary | undefined> {
    const agency = this.agencies.find(a => a.id === agencyId)
    if (agency === undefined) throw new Error(`no agency "${agencyId}"; configured: ${this.agencies.map(a => a.id).join(', ')}`)
    if (this.controller.signal.aborted) return undefined
    const inFlight = this.running.get(agencyId)
    if (inFlight !== undefined) return await inFlight
    const run = this.run(agency, tick).finally(() => this.running.delete(agencyId))
    this.running.set(agencyId, run)
    return await run
  }

  /** A cron tick: run it here if this process claims it (another process may have). */
  private async tick (agency: ScheduledAgency, scheduled: Date): Promise<void> {
    try {
      if (this.controller.signal.aborted || !await claimTick(this.redis, agency.tickKey, scheduled.getTime())) return
      await this.trigger(agency.id, scheduled)
    } catch (err) {
      this.logger.error({ err, agency: agency.id }, 'pull tick failed; the next tick tries again')
    }
  }

  private async run (agency: ScheduledAgency, tick: Date | undefined): Promise<PullSummary | undefined> {
    const log = this.logger.child({ agency: agency.id })
    const who = { instance: INSTANCE_ID, ...(tick === undefined ? {} : { tick: new Date(Math.floor(tick.getTime() / 1000) * 1000).toISOString() }) }
    try {
      if (await agency.paused()) {
        log.debug('agency paused by an operator; not pulling')
        return undefined
      }
      const outcome = await withPullLock(this.redis, agency.lockKey, PULL_LOCK_TTL_MS, async () => await agency.pull(this.controller.signal))
      if (!outcome.ran) {
        log.debug('another hub process is pulling this agency; skipping this tick')
        return undefined
      }
      await agency.recordOutcome(true, who)
      return outcome.value
    } catch (err) {
      const code = err instanceof CaseBridgeError ? err.code : undefined
      log.error({ err, code }, 'pull failed; the cursor stays where the last completed page left it, next tick resumes from there')
      await agency.recordOutcome(false, who).catch(() => undefined)
      return undefined
    }
  }

  async stop (): Promise<void> {
    for (const task of this.tasks) await task.stop()
    this.controller.abort()
    await Promise.allSettled([...this.running.values()])
  }
}
