/**
 * Source dates (`date: yyyyMMdd`) → ISO 8601 with the mapping's UTC offset, e.g.
 * `2024-01-31T00:00:00+08:00`. Strict: the text must match the format exactly, and the date
 * must exist — 20240230 is a problem, never rolled over to March. Adding a pattern format is
 * one line in {@link DATE_FORMATS}; the numeric formats (Excel serial days, Unix time) are
 * in {@link NUMERIC_DATE_FORMATS}.
 */
import { Failure, type Convert } from './convert.js'
import { instantMicros, offsetMinutesOf, parseTimestamp, writeInstant } from '../../formats/timestamp-text.js'
import { InternalError } from '../../errors.js'

/** One supported pattern format, compiled to a regular expression once. */
export interface DateFormat {
  /** The format as written in mapping files, e.g. "yyyy-MM-dd HH:mm:ss". */
  readonly name: string
  /** A valid example, quoted in problem messages instead of the offending value. */
  readonly example: string
  readonly regex: RegExp
  /** For each capture group of `regex`, which date part it holds. */
  readonly parts: readonly Part[]
}

type Part = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'

const TOKENS: ReadonlyArray<readonly [token: string, part: Part, digits: string]> = [
  ['yyyy', 'year', '(\\d{4})'],
  ['MM', 'month', '(\\d{2})'], ['M', 'month', '(\\d{1,2})'],
  ['dd', 'day', '(\\d{2})'], ['d', 'day', '(\\d{1,2})'],
  ['HH', 'hour', '(\\d{2})'], ['H', 'hour', '(\\d{1,2})'],
  ['mm', 'minute', '(\\d{2})'], ['m', 'minute', '(\\d{1,2})'],
  ['ss', 'second', '(\\d{2})'], ['s', 'second', '(\\d{1,2})'],
]

/** Build a {@link DateFormat} from its pattern (tokens yyyy MM M dd d HH H mm m ss s; anything else is literal). */
function dateFormat (name: string, example: string): DateFormat {
  let source = '^'
  const parts: Part[] = []
  for (let i = 0; i < name.length;) {
    const token = TOKENS.find(([t]) => name.startsWith(t, i))
    if (token !== undefined) {
      source += token[2]
      parts.push(token[1])
      i += token[0].length
    } else {
      source += name[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
      i += 1
    }
  }
  if (!parts.includes('year') || !parts.includes('month') || !parts.includes('day')) throw new InternalError(`dateFormat ${name}: a format needs yyyy, M(M) and d(d)`)
  return Object.freeze({ name, example, regex: new RegExp(source + '$'), parts: Object.freeze(parts) })
}

/** The pattern formats a mapping file may name. */
export const DATE_FORMATS: Readonly<Record<string, DateFormat>> = Object.freeze(Object.fromEntries([
  dateFormat('yyyyMMdd', '20240131'),
  dateFormat('yyyyMMddHHmmss', '20240131093000'),
  dateFormat('yyyy-MM-dd', '2024-01-31'),
  dateFormat('yyyy-MM-dd HH:mm:ss', '2024-01-31 09:30:00'),
  dateFormat('yyyy/M/d', '2024/1/31'),
  dateFormat('yyyy/M/d H:mm:ss', '2024/1/31 9:30:00'),
  dateFormat('yyyy年M月d日', '2024年1月31日'),
  dateFormat('yyyy年M月d日 H时m分', '2024年1月31日 9时30分'),
].map(f => [f.name, f])))

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

export function daysInMonth (year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29
  return DAYS_IN_MONTH[month - 1] ?? 0
}

const pad2 = (n: number): string => n < 10 ? '0' + n : String(n)

/** "2024-01-31T09:30:00" + offset, from parts already checked. */
function iso (year: number, month: number, day: number, hour: number, minute: number, second: number, offset: string, millis = 0): string {
  return String(year).padStart(4, '0') + '-' + pad2(month) + '-' + pad2(day) +
    'T' + pad2(hour) + ':' + pad2(minute) + ':' + pad2(second) +
    (millis === 0 ? '' : '.' + String(millis).padStart(3, '0')) + offset
}

/**
 * A converter for one pattern format and offset ("+08:00"). The result has no fraction of a
 * second; parts the format lacks (the time of a date-only format) are 00.
 */
export function dateConverter (format: DateFormat, offset: string): Convert {
  const rule = 'date:' + format.name
  const malformed = new Failure(rule, `expected a date written ${format.name}, e.g. ${format.example}`)
  const impossible = new Failure(rule, `not a real calendar date (format ${format.name}, e.g. ${format.example})`)
  const badTime = new Failure(rule, `not a real time of day (format ${format.name}, e.g. ${format.example})`)
  const { regex } = format
  // Capture group of each part, 0 when the format lacks it (m[0] is never a number we use).
  const group = (part: Part): number => format.parts.indexOf(part) + 1
  const y = group('year'); const mo = group('month'); const d = group('day')
  const h = group('hour'); const mi = group('minute'); const se = group('second')
  return (text: string) => {
    const m = regex.exec(text.trim())
    if (m === null) return malformed
    const year = Number(m[y]); const month = Number(m[mo]); const day = Number(m[d])
    const hour = h === 0 ? 0 : Number(m[h])
    const minute = mi === 0 ? 0 : Number(m[mi])
    const second = se === 0 ? 0 : Number(m[se])
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return impossible
    if (hour > 23 || minute > 59 || second > 59) return badTime
    return iso(year, month, day, hour, minute, second, offset)
  }
}

/** "+08:00" → 480, "-05:30" → -330. The schema has checked the shape. */
export const offsetMinutes = offsetMinutesOf

const MS_PER_DAY = 86_400_000
/** Excel's day 0 in the 1900 date system, for serials from 61 on (see {@link excelDaysConverter}). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30)
/** 9999-12-31, the last day Excel knows. */
const EXCEL_LAST_SERIAL = 2_958_465
const SERIAL = /^\d{1,7}(\.\d+)?$/

/** A wall-clock time (as UTC fields of `ms`) with the agency's offset appended. */
function wallClock (ms: number, offset: string): string {
  const t = new Date(ms)
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), offset, t.getUTCMilliseconds())
}

/**
 * Excel serial days (1900 date system), as spreadsheets and some database exports store
 * dates: 45322 is 2024-01-31, a fraction is the time of day (45322.5 is noon). The serial is
 * the agency's local wall-clock time. Excel counts a 29 February 1900 that never was: serial
 * 60 is refused as not a real date, and serials below it are shifted by one day accordingly.
 */
function excelDaysConverter (offset: string): Convert {
  const rule = 'date:excelDays'
  const malformed = new Failure(rule, 'expected Excel serial days (1900 date system), e.g. 45322 for 2024-01-31 or 45322.5 for its noon')
  const impossible = new Failure(rule, 'not a real calendar date: Excel serial 60 is 29 February 1900, which never existed')
  const outOfRange = new Failure(rule, `expected an Excel serial between 1 and ${EXCEL_LAST_SERIAL} (9999-12-31)`)
  return (text: string) => {
    const t = text.trim()
    if (!SERIAL.test(t)) return malformed
    const serial = Number(t)
    const days = Math.floor(serial)
    if (days < 1 || days > EXCEL_LAST_SERIAL) return outOfRange
    if (days === 60) return impossible
    const seconds = Math.round((serial - days) * 86_400)
    const shifted = days < 60 ? days + 1 : days
    return wallClock(EXCEL_EPOCH_MS + shifted * MS_PER_DAY + seconds * 1000, offset)
  }
}

/**
 * Unix time (milliseconds or seconds since 1970-01-01 UTC) → the instant in the agency's
 * offset. The number of digits is checked, because seconds read as milliseconds (or the
 * reverse) give a date in 1970 or in the far future without any other sign of trouble.
 */
function unixConverter (unit: 'ms' | 'seconds', offset: string): Convert {
  const rule = unit === 'ms' ? 'date:unixMs' : 'date:unixSeconds'
  // 12–13 digits of ms: 1973-03-03 … 2286-11-20; 9–10 digits of seconds: the same span.
  const shape = unit === 'ms' ? /^\d{12,13}$/ : /^\d{9,10}$/
  const malformed = new Failure(rule, unit === 'ms'
    ? 'expected Unix time in milliseconds (12–13 digits, e.g. 1709568000000); 10 digits are probably seconds (date: unixSeconds)'
    : 'expected Unix time in seconds (9–10 digits, e.g. 1709568000); 13 digits are probably milliseconds (date: unixMs)')
  const shift = offsetMinutes(offset) * 60_000
  const scale = unit === 'ms' ? 1 : 1000
  return (text: string) => {
    const t = text.trim()
    if (!shape.test(t)) return malformed
    return wallClock(Number(t) * scale + shift, offset)
  }
}

/**
 * `timestamp`: a date and time as databases and APIs write them (PostgreSQL `timestamp(6)` and
 * `timestamptz`, MySQL `DATETIME(6)`, ISO 8601, a driver's JavaScript Date): `yyyy-MM-dd
 * HH:mm:ss` or with `T`, an optional fraction of up to six digits, an optional offset (`Z`,
 * `+08`, `+08:00`, `+0800`). A text with an offset keeps its instant and is written at the
 * mapping's offset; one without is the agency's local time. Nothing is lost: the fraction
 * stays, as three digits when it is whole milliseconds and six otherwise.
 */
function timestampConverter (offset: string): Convert {
  const malformed = new Failure('date:timestamp', 'expected a real date and time written yyyy-MM-dd HH:mm:ss (or with T), optionally with a fraction of up to six digits and an offset, e.g. 2024-01-31 09:30:00.123456+08:00')
  const minutes = offsetMinutesOf(offset)
  return (text: string) => {
    const t = parseTimestamp(text.trim())
    if (t === undefined || t.shape.compact || !t.shape.hasTime) return malformed
    const micros = instantMicros(t, minutes)
    const digits = micros % 1_000_000n === 0n ? 0 : micros % 1000n === 0n ? 3 : 6
    return writeInstant({ compact: false, hasTime: true, separator: 'T', fractionDigits: digits, offsetStyle: 'none' }, micros, minutes) + offset
  }
}

/** The numeric formats a mapping file may name, and `timestamp`, beside the patterns of {@link DATE_FORMATS}. */
export const NUMERIC_DATE_FORMATS: Readonly<Record<string, (offset: string) => Convert>> = Object.freeze({
  excelDays: excelDaysConverter,
  unixMs: (offset: string) => unixConverter('ms', offset),
  unixSeconds: (offset: string) => unixConverter('seconds', offset),
  timestamp: timestampConverter,
})

/** Every date format name a mapping file may use, in the order the guide lists them. */
export const DATE_FORMAT_NAMES: readonly string[] = Object.freeze([...Object.keys(DATE_FORMATS), ...Object.keys(NUMERIC_DATE_FORMATS)])

/** The converter for a format name, or `undefined` when the name is unknown. */
export function dateConverterFor (name: string, offset: string): Convert | undefined {
  if (Object.prototype.hasOwnProperty.call(DATE_FORMATS, name)) return dateConverter(DATE_FORMATS[name]!, offset)
  if (Object.prototype.hasOwnProperty.call(NUMERIC_DATE_FORMATS, name)) return NUMERIC_DATE_FORMATS[name]!(offset)
  return undefined
}
