/**
 * JSONata evaluates through promises that are already resolved, so a run of expression
 * evaluations is one long chain of microtasks: timers and sockets — `/healthz` included —
 * wait until the microtask queue is empty. With several evaluations under way at once (a pull
 * and two previews), one of them pausing is not enough: the queue drains only when every one
 * of them waits for the event loop. So there is one turn for the whole process: once
 * {@link TURN_EVERY_MS} have passed since the last, every evaluation that reaches a pause point
 * (a built-in call, a call of one of its own functions, the end of a record) waits for the
 * same next turn, and the event loop runs in between.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'

/** Longest the event loop is kept waiting by expression work that reaches pause points. */
export const TURN_EVERY_MS = 20

let lastTurn = performance.now()
let pending: Promise<void> | undefined

/** Undefined when no turn is due (the usual case: no promise, no cost); else the turn every caller now waits for. */
export function turnIfDue (): Promise<void> | undefined {
  if (pending === undefined && performance.now() - lastTurn < TURN_EVERY_MS) return undefined
  pending ??= nextTurn().then(() => {
    lastTurn = performance.now()
    pending = undefined
  })
  return pending
}

/** For loops over records: resolve at once, or after the process-wide turn when it is due. */
export class EventLoopTurns {
  async take (): Promise<void> {
    await turnIfDue()
  }
}
