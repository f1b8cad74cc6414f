import cron, { type TaskContext } from 'node-cron'
import { cronInterval } from '../redis/claim-tick.js'
import { everyMs } from '../config/schedule-text.js'

/**
 * An agency's pull schedule: a node-cron expression with seconds ("*\/30 * * * * *"), or a
 * fixed rhythm below the second that cron cannot express, "every 250ms" (also "every 2s").
 * A case waits at the source for the next pull, so the schedule bounds how soon it reaches
 * the platform: with pulls every second the wait alone is up to a second; a source that
 * must be on the platform within half a second needs pulls several times a second.
 *
 * A rhythm's ticks fall on multiples of its period since 1970, the same instants in every
 * hub process, so that one process claims each tick (src/redis/claim-tick.ts) as with cron.
 */

export interface PullTicker { stop (): Promise<void> | void }

/** Call `onTick(scheduled, intervalMs)` at every tick of `schedule` until stopped. */
export function startPullTicker (schedule: string, name: string, onTick: (scheduled: Date, intervalMs: number) => void): PullTicker {
  const every = everyMs(schedule)
  if (every === undefined) {
    const task = cron.schedule(schedule, (ctx: TaskContext) => { onTick(ctx.date, interval) }, { name, noOverlap: true })
    const interval = cronInterval(task)
    return task
  }
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const arm = (): void => {
    const now = Date.now()
    const next = (Math.floor(now / every) + 1) * every
    timer = setTimeout(() => {
      if (stopped) return
      onTick(new Date(next), every)
      arm()
    }, next - now)
  }
  arm()
  return { stop: () => { stopped = true; clearTimeout(timer) } }
}
