/**
 * Loaded with `--import` into a hub child process, this makes its clock run
 * CASEBRIDGE_TEST_CLOCK_SKEW_MS off the machine's — a second hub on a host whose clock is
 * behind (or ahead), for tests of what several hub processes do once per tick.
 */
const skew = Number(process.env.CASEBRIDGE_TEST_CLOCK_SKEW_MS ?? 0)
if (Number.isFinite(skew) && skew !== 0) {
  const RealDate = Date
  class SkewedDate extends RealDate {
    constructor (...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + skew)
      else super(...(args as [string | number | Date]))
    }

    static override now (): number {
      return RealDate.now() + skew
    }
  }
  globalThis.Date = SkewedDate as DateConstructor
}
export {}
