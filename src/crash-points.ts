/**
 * Crash points: named places on the sync path where the crash-cycle tests make the hub die
 * by SIGKILL, so every step of "pull → map → enqueue → ledger → push → acknowledge" is
 * proven to lose nothing and write nothing twice when a process dies right there.
 *
 * Armed only by the environment, read once at start:
 *   CASEBRIDGE_CRASH_AT=<point>:<n>   die the n-th time <point> is reached (n ≥ 1)
 *   CASEBRIDGE_PAUSE_AT=<point>:<n>   stop there instead (SIGSTOP to itself) until a SIGCONT:
 *                                     a process paused past its locks, as a frozen VM or a
 *                                     long GC pause would leave it (the version-order tests)
 * Unset (always, outside those tests), {@link crashPoint} is one comparison and returns.
 * Like the failpoints of TiKV or FoundationDB's simulation, it is part of the product so
 * that what the tests kill is the code that ships.
 */
import { ConfigError } from './errors.js'

/** Every crash point, in the order a case meets them. */
export const CRASH_POINTS = [
  /** A page came from the source; nothing of it is mapped yet. */
  'pull.page-read',
  /** The page is mapped and validated; nothing of it is enqueued. */
  'pull.mapped',
  /** The page's push jobs are in the queue; the ledger (and the cursor) are not written. */
  'pull.enqueued',
  /** The ledger commit of the page (cursor last) is done. */
  'pull.committed',
  /** A push job is about to send its batch to the target. */
  'push.sending',
  /** The target answered; the ledger does not know yet. */
  'push.answered',
  /** The acknowledgements are in the ledger; the job is not marked complete. */
  'push.acknowledged',
] as const

/**
 * The feedback path's crash points (platform decisions → agency systems), apart from
 * {@link CRASH_POINTS} so the forward path's crash cycles keep visiting only their own.
 */
export const FEEDBACK_CRASH_POINTS = [
  /** A page of the platform's feedback listing was read; nothing of it is enqueued. */
  'feedback.listed',
  /** The page's decisions are pending and in the feedback queue; the cursor has not moved. */
  'feedback.enqueued',
  /** A decision is about to be written to the agency system. */
  'feedback.writing',
  /** The agency's writer confirmed the decision; the hub has not recorded it. */
  'feedback.written',
] as const

export type CrashPoint = typeof CRASH_POINTS[number] | typeof FEEDBACK_CRASH_POINTS[number]
const ALL_POINTS: readonly string[] = [...CRASH_POINTS, ...FEEDBACK_CRASH_POINTS]

interface Armed { readonly point: CrashPoint; remaining: number }

function armedFrom (spec: string | undefined, variable: string): Armed | undefined {
  if (spec === undefined || spec === '') return undefined
  const m = /^([a-z.-]+):([1-9]\d*)$/.exec(spec)
  const point = m?.[1] as CrashPoint | undefined
  if (m === null || point === undefined || !ALL_POINTS.includes(point)) {
    throw new ConfigError(`${variable}="${spec}": expected <point>:<n> with n ≥ 1 and point one of ${ALL_POINTS.join(', ')}`)
  }
  return { point, remaining: Number(m[2]) }
}

const crash = armedFrom(process.env.CASEBRIDGE_CRASH_AT, 'CASEBRIDGE_CRASH_AT')
const pause = armedFrom(process.env.CASEBRIDGE_PAUSE_AT, 'CASEBRIDGE_PAUSE_AT')

function due (armed: Armed | undefined, point: CrashPoint): boolean {
  if (armed === undefined || armed.point !== point || armed.remaining <= 0) return false
  return --armed.remaining === 0
}

/** Die here by SIGKILL (or stop by SIGSTOP) if this is the armed point's n-th visit; otherwise do nothing. */
export function crashPoint (point: CrashPoint): void {
  // Straight to the kernel: no exit handlers, no flushing, as a power cut or OOM kill would.
  if (due(crash, point)) process.kill(process.pid, 'SIGKILL')
  // Synchronously: nothing of this process runs until it is continued.
  if (due(pause, point)) process.kill(process.pid, 'SIGSTOP')
}
