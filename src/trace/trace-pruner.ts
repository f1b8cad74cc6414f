import type { Logger } from 'pino'
import type { TraceRetention, TraceStore } from './trace-store.js'

/** Where the daily anchor digest goes besides the log: the audit stream (src/audit). */
export type DigestSink = (agencyId: string, digest: { cases: number; digest: string; alg: string }) => Promise<void>

/** Cases one step of a pass looks at before it gives the event loop (and Redis) a turn. */
const CASES_PER_STEP = 500

/**
 * Retention on a schedule: every `intervalMs`, each agency's traces are pruned in steps of
 * a few hundred cases (one short script per HSCAN batch), so a large agency never blocks Redis or the
 * hub; a pass still running when the next is due is not started twice. The first pass of
 * each UTC day also writes the agency's anchor digest (the hash of every case's chain head)
 * to the log and, through `onDigest`, the audit stream.
 */
export class TracePruner {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = false

  constructor (private readonly store: TraceStore, private readonly agencies: readonly string[], private readonly limits: TraceRetention, private readonly intervalMs: number, private readonly logger: Logger, private readonly onDigest?: DigestSink) {}

  start (): void {
    this.timer = setInterval(() => { if (this.running === undefined) this.running = this.pass().finally(() => { this.running = undefined }) }, this.intervalMs)
    this.timer.unref()
  }

  /** One pass over every agency (also what the schedule runs). */
  async pass (): Promise<void> {
    for (const agencyId of this.agencies) {
      let cursor = '0'
      let pruned = 0
      try {
        for (;;) {
          if (this.stopped) return
          const step = await this.store.prune(agencyId, this.limits, cursor, CASES_PER_STEP)
          pruned += step.pruned
          cursor = step.cursor
          if (step.done) break
          await new Promise(resolve => setImmediate(resolve))
        }
        if (pruned > 0) this.logger.info({ agency: agencyId, pruned }, 'trace retention: old events pruned')
        // Once a day (the first pass of the UTC day, one process): the chain heads' digest.
        if (this.onDigest !== undefined && await this.store.claimDigestDay(agencyId)) {
          const digest = await this.store.digest(agencyId)
          this.logger.info({ agency: agencyId, ...digest }, 'trace anchor: digest of every case\'s chain head')
          await this.onDigest(agencyId, digest)
        }
      } catch (err) {
        this.logger.warn({ err, agency: agencyId }, 'trace retention pass failed; the next one tries again')
      }
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
    await this.running
  }
}
