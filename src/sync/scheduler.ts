import type { Logger } from 'pino'
import { CaseBridgeError, PullLeaseLostError, remoteFailureOf, UnknownAgencyError, type RemoteFailure } from '../errors.js'
import type { Ledger, PullLease } from '../ledger/ledger.js'
import { startPullTicker, type PullTicker } from './pull-schedule.js'
import { INSTANCE_ID } from '../instance-id.js'
import type { PullSummary } from './pull-agency.js'
import { failureNoteOf, type FailureNote } from '../logging/failure-note.js'
import { RepeatedCauses } from '../logging/repeated-causes.js'

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
  /** Whether an operator paused the agency: no pulls then. */
  paused (): Promise<boolean>
  pull (signal: AbortSignal, lease: PullLease): Promise<PullSummary>
  /** Told after every attempt, for the ledger's last-pull times and its list of pull runs (a failed one says how it failed). */
  recordOutcome (ok: boolean, run: { instance: string; tick?: string; failure?: RemoteFailure; error?: FailureNote }): Promise<void>
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
  private readonly tasks: PullTicker[] = []
  private readonly running = new Map<string, Promise<PullSummary | undefined>>()
  // One controller per pull in flight, not one shared signal: every pull hangs its abort
  // listeners on its own signal, so hundreds of agencies pulling at once do not pile them onto
  // one (Node warns past 10: MaxListenersExceededWarning with 60 agencies).
  private readonly pulls = new Set<AbortController>()
  private stopping = false
  // A pull failing the same way every tick logs its stack once (src/logging/repeated-causes.ts).
  private readonly causes = new RepeatedCauses()

  constructor (private readonly ledger: Ledger, private readonly agencies: readonly ScheduledAgency[], private readonly logger: Logger) {}

  start (runNow = true): void {
    for (const agency of this.agencies) {
      this.tasks.push(startPullTicker(agency.schedule, `pull:${agency.id}`, (scheduled, interval) => { void this.tick(agency, scheduled, interval) }))
      if (runNow) void this.trigger(agency.id)
    }
  }

  /** Pull one agency now; resolves undefined when it is already being pulled (here or elsewhere) or the hub is stopping. */
  async trigger (agencyId: string, tick?: Date): Promise<PullSummary | undefined> {
    const agency = this.agencies.find(a => a.id === agencyId)
    if (agency === undefined) throw new UnknownAgencyError(agencyId, this.agencies.map(a => a.id))
    if (this.stopping) return undefined
    const inFlight = this.running.get(agencyId)
    if (inFlight !== undefined) return await inFlight
    const run = this.run(agency, tick).finally(() => this.running.delete(agencyId))
    this.running.set(agencyId, run)
    return await run
  }

  /** A cron tick: run it here if this process claims it (another process may have). */
  private async tick (agency: ScheduledAgency, scheduled: Date, intervalMs: number): Promise<void> {
    try {
      if (this.stopping || !await this.ledger.claimPullTick(agency.id, scheduled.getTime(), intervalMs)) return
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
      const outcome = await this.ledger.withPullLock(agency.id, PULL_LOCK_TTL_MS, async lease => await this.withSignal(async signal => await agency.pull(signal, lease)))
      if (!outcome.ran) {
        log.debug('another hub process is pulling this agency; skipping this tick')
        return undefined
      }
      await agency.recordOutcome(true, who)
      this.causes.clear(agency.id)
      return outcome.value
    } catch (err) {
      if (err instanceof PullLeaseLostError) {
        // This process was paused (or starved) past its lock: another one pulls the agency now. Not the agency's fault.
        log.warn({ code: err.code }, err.message)
        return undefined
      }
      const code = err instanceof CaseBridgeError ? err.code : undefined
      log.error({ ...this.causes.fields(agency.id, err, log), code }, 'pull failed; the cursor stays where the last completed page left it, next tick resumes from there')
      await agency.recordOutcome(false, { ...who, failure: remoteFailureOf(err), error: failureNoteOf(err) }).catch(() => undefined)
      return undefined
    }
  }

  /** Run `work` with a signal of its own, aborted when the scheduler stops. */
  private async withSignal<T> (work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController()
    if (this.stopping) controller.abort()
    this.pulls.add(controller)
    try {
      return await work(controller.signal)
    } finally {
      this.pulls.delete(controller)
    }
  }

  async stop (): Promise<void> {
    this.stopping = true
    for (const task of this.tasks) await task.stop()
    for (const controller of this.pulls) controller.abort()
    await Promise.allSettled([...this.running.values()])
  }
}
