import { ConfigError, InternalError } from '../errors.js'
/**
 * Output formats of a target profile: a canonical date-time (RFC 3339 with offset) written
 * the way the platform wants it, at the platform's UTC offset, and a canonical amount (yuan
 * text with two decimals) as yuan text or whole fen. Text arithmetic only: "4.35" is 435 fen,
 * never 434.99999999999994.
 */
import { offsetMinutes } from '../mapping/transforms/dates.js'

/** Why a value could not be written; the message never quotes the value. */
export class FormatFailure {
  constructor (readonly rule: string, readonly message: string) {}
}

export type Format = (value: unknown) => unknown

const CANONICAL_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/
const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

interface Instant {
  /** Wall-clock fields at the target offset. */
  readonly wall: Date
  /** The fraction as written (digits), '' when none. */
  readonly fraction: string
  readonly epochMs: number
}

function instantAt (value: unknown, offset: number): Instant | undefined {
  if (typeof value !== 'string') return undefined
  const m = CANONICAL_DATE.exec(value)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, fraction = '', zone] = m
  const zoneMinutes = zone === 'Z' ? 0 : offsetMinutes(zone!)
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  const epochMs = local - zoneMinutes * 60_000
  return { wall: new Date(epochMs + offset * 60_000), fraction, epochMs }
}

const ymd = (w: Date, sep: string): string => `${pad(w.getUTCFullYear(), 4)}${sep}${pad(w.getUTCMonth() + 1)}${sep}${pad(w.getUTCDate())}`
const hms = (w: Date, sep: string): string => `${pad(w.getUTCHours())}${sep}${pad(w.getUTCMinutes())}${sep}${pad(w.getUTCSeconds())}`

function offsetText (minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** Output date formats by name: canonical instant → the platform's text (or number for unixMs). */
const DATE_WRITERS: Readonly<Record<string, (i: Instant, offset: number) => string | number>> = Object.freeze({
  yyyyMMdd: i => ymd(i.wall, ''),
  yyyyMMddHHmmss: i => ymd(i.wall, '') + hms(i.wall, ''),
  'yyyy-MM-dd': i => ymd(i.wall, '-'),
  'yyyy-MM-dd HH:mm:ss': i => `${ymd(i.wall, '-')} ${hms(i.wall, ':')}`,
  // RFC 3339 at the platform's offset; the fraction is kept as the case wrote it.
  iso: (i, offset) => `${ymd(i.wall, '-')}T${hms(i.wall, ':')}${i.fraction === '' ? '' : '.' + i.fraction}${offsetText(offset)}`,
  unixMs: i => i.epochMs + Number(i.fraction.padEnd(3, '0').slice(0, 3)),
})

export const OUTPUT_DATE_FORMATS: readonly string[] = Object.freeze(Object.keys(DATE_WRITERS))

/** The writer of date format `name` at UTC offset `offset` ("+08:00"), or undefined for an unknown name. */
export function dateFormat (name: string, offset: string): Format | undefined {
  if (!Object.prototype.hasOwnProperty.call(DATE_WRITERS, name)) return undefined
  const write = DATE_WRITERS[name]!
  const minutes = offsetMinutes(offset)
  const failure = new FormatFailure('date:' + name, 'expected a canonical date-time with offset (e.g. 2024-01-31T09:30:00+08:00)')
  return value => {
    const instant = instantAt(value, minutes)
    return instant === undefined ? failure : write(instant, minutes)
  }
}

/** Write `iso` (any RFC 3339 date-time, or a Date) in format `name` at `offset`: for query parameters such as update-time-since. */
export function formatInstant (instant: Date | string, name: string, offset: string): string {
  const text = instant instanceof Date ? instant.toISOString() : instant
  const format = dateFormat(name, offset)
  if (format === undefined) throw new ConfigError(`unknown date format "${name}" (allowed: ${OUTPUT_DATE_FORMATS.join(', ')})`)
  const out = format(text.replace(/\.(\d{1,6})\d*(Z|[+-])/, '.$1$2'))
  if (out instanceof FormatFailure) throw new InternalError(`not a date-time with offset: ${text}`)
  return String(out)
}

const CANONICAL_MONEY = /^(0|[1-9]\d*)\.(\d{2})$/

function fenDigits (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const m = CANONICAL_MONEY.exec(value)
  if (m === null) return undefined
  const digits = (m[1]! + m[2]!).replace(/^0+(?=\d)/, '')
  return digits
}

/** Output money units by name. */
const MONEY_WRITERS: Readonly<Record<string, () => Format>> = Object.freeze({
  /** Yuan as text with two decimals, as the case holds it. */
  yuan: () => {
    const failure = new FormatFailure('money:yuan', 'expected a canonical amount (yuan with two decimals, e.g. 1500.00)')
    return value => typeof value === 'string' && CANONICAL_MONEY.test(value) ? value : failure
  },
  /** Whole fen as a JSON number; refused beyond 2^53 where a number would lose digits. */
  fen: () => {
    const bad = new FormatFailure('money:fen', 'expected a canonical amount (yuan with two decimals, e.g. 1500.00)')
    const large = new FormatFailure('money:fen', 'the amount in fen is too large to be written exactly as a number; use money: fenText')
    return value => {
      const digits = fenDigits(value)
      if (digits === undefined) return bad
      const n = Number(digits)
      return Number.isSafeInteger(n) ? n : large
    }
  },
  /** Whole fen as text. */
  fenText: () => {
    const bad = new FormatFailure('money:fenText', 'expected a canonical amount (yuan with two decimals, e.g. 1500.00)')
    return value => fenDigits(value) ?? bad
  },
})

export const OUTPUT_MONEY_UNITS: readonly string[] = Object.freeze(Object.keys(MONEY_WRITERS))

export function moneyFormat (name: string): Format | undefined {
  return Object.prototype.hasOwnProperty.call(MONEY_WRITERS, name) ? MONEY_WRITERS[name]!() : undefined
}
