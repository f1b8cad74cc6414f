import { instantMicros, offsetMinutesOf, parseTimestamp, writeInstant } from '../src/formats/timestamp-text.js'

/** The settings every timestamp cursor has (schemas/adapters: sql-source, http-pull). */
export interface LookBackConfig {
  /** How far behind the source's clock at the start of a pull the next pull starts reading again. */
  readonly overlapSeconds: number
  /** How far behind the source's clock the cursor stays at least. */
  readonly settleSeconds: number
  /** UTC offset of the source's times that carry none ("+08:00"). */
  readonly timeZone: string
}

/** An updated-at value compared with a pull's guard. */
export interface Against {
  /** The value is at or after the guard. */
  readonly atOrAfter: boolean
  /** The guard written the way the value is written (same precision, same offset notation). */
  readonly guardText: string
}

const MICROS = 1_000_000n

/**
 * The look-back arithmetic of a timestamp cursor, the same for the SQL and the HTTP sources.
 * A pull reads the source's clock once, before its first page; its guard is that clock less
 * `settleSeconds + overlapSeconds`. A cursor never lies after the guard, so the next pull
 * re-reads every row stamped within that window: a row committed late (a long transaction)
 * or stamped by a writer whose clock is behind, by up to the window, is still read; a row
 * stamped ahead of the clock cannot carry the cursor past the others. Values are compared as
 * instants (times without an offset at `timeZone`) and bounds are written back in the
 * source's own notation, so the source compares them with its values exactly.
 */
export class LookBack {
  private readonly zone: number
  constructor (private readonly config: LookBackConfig) {
    this.zone = offsetMinutesOf(config.timeZone)
  }

  /** The guard of a pull that began at the source clock `clock`; `undefined` when the text is no date and time. */
  guardAt (clock: string): bigint | undefined {
    const t = parseTimestamp(clock.trim())
    return t === undefined ? undefined : instantMicros(t, this.zone) - BigInt(this.config.settleSeconds + this.config.overlapSeconds) * MICROS
  }

  /** The guard of a pull that began at `ms` (epoch milliseconds, e.g. from an HTTP Date header). */
  guardAtMs (ms: number): bigint {
    return BigInt(ms) * 1000n - BigInt(this.config.settleSeconds + this.config.overlapSeconds) * MICROS
  }

  /** `value` against `guard`; `undefined` when `value` is not a date and time this module reads. */
  against (value: unknown, guard: bigint): Against | undefined {
    if (typeof value !== 'string') return undefined
    const t = parseTimestamp(value.trim())
    if (t === undefined) return undefined
    return { atOrAfter: instantMicros(t, this.zone) >= guard, guardText: writeInstant(t.shape, guard, t.offsetMinutes ?? this.zone) }
  }

  /** The instant `value` names, for ordering values written in different notations; `undefined` when it is not a date and time. */
  instantOf (value: unknown): bigint | undefined {
    const t = typeof value === 'string' ? parseTimestamp(value.trim()) : undefined
    return t === undefined ? undefined : instantMicros(t, this.zone)
  }

  /** `value` moved back by `overlapSeconds`, written like it: the window when the source tells no clock. */
  overlapBefore (value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined
    const t = parseTimestamp(value.trim())
    if (t === undefined) return undefined
    return writeInstant(t.shape, instantMicros(t, this.zone) - BigInt(this.config.overlapSeconds) * MICROS, t.offsetMinutes ?? this.zone)
  }

  /** A guard as text for a stored cursor (an instant, ISO 8601 UTC with microseconds). */
  static guardText (guard: bigint): string {
    return writeInstant({ compact: false, hasTime: true, separator: 'T', fractionDigits: 6, offsetStyle: 'Z' }, guard, 0)
  }

  /** A guard read back from {@link guardText}; `undefined` when absent or unreadable (then the pull's own guard applies). */
  static guardFrom (text: unknown): bigint | undefined {
    if (typeof text !== 'string') return undefined
    const t = parseTimestamp(text)
    return t === undefined ? undefined : instantMicros(t, 0)
  }
}
