import cron from 'node-cron'

/**
 * The text of an agency's pull schedule: a node-cron expression with seconds, or "every 250ms"
 * / "every 2s" for a rhythm cron cannot express (src/sync/pull-schedule.ts runs both).
 */

/** The shortest period accepted: below it, pulls of an idle source would be mostly overhead. */
export const MIN_EVERY_MS = 100

const EVERY = /^every\s+(\d+)\s*(ms|s)$/

/** The period of an "every …" schedule in ms, or undefined when the text is not one. */
export function everyMs (schedule: string): number | undefined {
  const m = EVERY.exec(schedule.trim())
  if (m === null) return undefined
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1)
}

/** Why a schedule cannot be used, or undefined when it can. */
export function scheduleProblem (schedule: string): 'badCron' | 'everyTooShort' | undefined {
  const every = everyMs(schedule)
  if (every !== undefined) return every >= MIN_EVERY_MS ? undefined : 'everyTooShort'
  return cron.validate(schedule) ? undefined : 'badCron'
}
