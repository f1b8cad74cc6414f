/**
 * Date-time text as databases and agency APIs write it, read exactly and written back in the
 * same shape. Two users: the incremental cursors of the SQL and HTTP sources, which compute
 * look-back bounds in the source's own notation (a bound written the way the source writes
 * its values compares with them exactly, as SQL parameter or as API query value), and the
 * mapping's `timestamp` date format, which reads fractions and offsets without loss.
 *
 * Times are kept as whole microseconds in a bigint: PostgreSQL and MySQL store microseconds,
 * and a JavaScript Date (milliseconds) would cut them.
 */

/** How the UTC offset is written: none, `Z`, `+08`, `+08:00`, `+0800`. */
export type OffsetStyle = 'none' | 'Z' | 'hours' | 'colon' | 'compact'

export interface TimestampShape {
  /** `yyyyMMdd[HHmmss]` rather than `yyyy-MM-dd[ HH:mm:ss]`. */
  readonly compact: boolean
  readonly hasTime: boolean
  /** Between date and time in the extended form. */
  readonly separator: ' ' | 'T'
  /** Digits after the seconds (0–6). */
  readonly fractionDigits: number
  readonly offsetStyle: OffsetStyle
}

export interface TimestampText {
  readonly shape: TimestampShape
  /** The written wall-clock time, in microseconds since 1970-01-01 00:00 of that same clock. */
  readonly wallMicros: bigint
  /** The written UTC offset in minutes; `undefined` when the text has none. */
  readonly offsetMinutes: number | undefined
}

const EXTENDED = /^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/
const MICROS_PER_SECOND = 1_000_000n
const MICROS_PER_MINUTE = 60n * MICROS_PER_SECOND

/** Milliseconds of a wall-clock time given as fields, or NaN when the fields name no real time (31 April, 24:00). */
function wallMs (year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day) // setUTCFullYear, not Date.UTC: years 0–99 stay themselves
  d.setUTCHours(hour, minute, second, 0)
  return d.getUTCDate() === day ? d.getTime() : Number.NaN
}

function offsetOf (text: string | undefined): { minutes: number | undefined; style: OffsetStyle } | undefined {
  if (text === undefined) return { minutes: undefined, style: 'none' }
  if (text === 'Z') return { minutes: 0, style: 'Z' }
  const sign = text.startsWith('-') ? -1 : 1
  const hours = Number(text.slice(1, 3))
  const minutes = text.length === 3 ? 0 : Number(text.slice(-2))
  if (hours > 15 || minutes > 59) return undefined
  return { minutes: sign * (hours * 60 + minutes), style: text.length === 3 ? 'hours' : text.includes(':') ? 'colon' : 'compact' }
}

/**
 * Read `text` written `yyyy-MM-dd`, `yyyy-MM-dd HH:mm:ss` (or with `T`), with an optional
 * fraction of up to six digits and an optional offset (`Z`, `+08`, `+08:00`, `+0800`), or
 * compact `yyyyMMdd` / `yyyyMMddHHmmss`. `undefined` when it is none of these or names no
 * real date and time.
 */
export function parseTimestamp (text: string): TimestampText | undefined {
  const extended = EXTENDED.exec(text)
  const m = extended ?? COMPACT.exec(text)
  if (m === null) return undefined
  const hasTime = m[4] !== undefined
  const timeAt = extended !== null ? 5 : 4
  const fraction = extended !== null ? m[8] ?? '' : ''
  const offset = offsetOf(extended !== null ? m[9] : undefined)
  if (offset === undefined) return undefined
  const ms = wallMs(Number(m[1]), Number(m[2]), Number(m[3]), hasTime ? Number(m[timeAt]) : 0, hasTime ? Number(m[timeAt + 1]) : 0, hasTime ? Number(m[timeAt + 2]) : 0)
  if (Number.isNaN(ms)) return undefined
  return {
    shape: { compact: extended === null, hasTime, separator: extended !== null && m[4] === 'T' ? 'T' : ' ', fractionDigits: fraction.length, offsetStyle: offset.style },
    wallMicros: BigInt(ms) * 1000n + BigInt(fraction === '' ? 0 : Number(fraction.padEnd(6, '0'))),
    offsetMinutes: offset.minutes,
  }
}

/** The instant `t` names; a text without offset is read at `defaultOffsetMinutes`. */
export function instantMicros (t: TimestampText, defaultOffsetMinutes: number): bigint {
  return t.wallMicros - BigInt(t.offsetMinutes ?? defaultOffsetMinutes) * MICROS_PER_MINUTE
}

const floorDiv = (a: bigint, b: bigint): bigint => (a % b < 0n ? a / b - 1n : a / b)
const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

function offsetText (minutes: number, style: OffsetStyle): string {
  if (style === 'none') return ''
  if (style === 'Z' && minutes === 0) return 'Z'
  const sign = minutes < 0 ? '-' : '+'
  const h = pad(Math.floor(Math.abs(minutes) / 60))
  const m = pad(Math.abs(minutes) % 60)
  if (style === 'hours' && m === '00') return sign + h
  return style === 'compact' ? sign + h + m : `${sign}${h}:${m}`
}

/**
 * The instant `micros` written in `shape` at `offsetMinutes` (also when the shape writes no
 * offset: its wall clock is then that offset's). What the shape cannot hold is cut, never
 * rounded up: a bound written with fewer digits (or without the time) is at or before the
 * instant, so a look-back computed with it reads more, never less.
 */
export function writeInstant (shape: TimestampShape, micros: bigint, offsetMinutes: number): string {
  const wall = micros + BigInt(offsetMinutes) * MICROS_PER_MINUTE
  const ms = floorDiv(wall, 1000n)
  const d = new Date(Number(ms))
  const date = shape.compact
    ? `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`
    : `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  if (!shape.hasTime) return date
  const time = shape.compact
    ? `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
    : `${shape.separator}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  const micro = String(wall - floorDiv(wall, MICROS_PER_SECOND) * MICROS_PER_SECOND).padStart(6, '0')
  const fraction = shape.fractionDigits === 0 ? '' : '.' + micro.slice(0, shape.fractionDigits)
  return date + time + fraction + (shape.compact ? '' : offsetText(offsetMinutes, shape.offsetStyle))
}

/** "+08:00" → 480, "-05:30" → -330 (the shape the config and mapping schemas check). */
export function offsetMinutesOf (offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)))
}
