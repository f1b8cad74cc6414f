/**
 * A clock for code that takes one (`now: () => number`, e.g. the reconciler): the machine's
 * time plus however far a test has moved it forward. A test that must let a minimum age
 * pass moves the clock instead of waiting for it in real time. It only ever moves forward.
 */
export class MovedClock {
  private aheadMs = 0

  /** Epoch milliseconds: the real time, moved forward. */
  readonly now = (): number => Date.now() + this.aheadMs

  /** How far ahead of the machine's time this clock is. */
  get ahead (): number { return this.aheadMs }

  /** Move forward so that `now()` is past `instant` (a no-op when it already is). */
  movePast (instant: number): void {
    const short = instant - this.now()
    if (short >= 0) this.aheadMs += short + 1
  }
}
