/**
 * Source date formats (`date: yyyyMMdd`) → ISO 8601 with the mapping's UTC offset, e.g.
 * `2024-01-31T00:00:00+08:00`. Strict: the text must match the format exactly, and the
 * date must exist — 20240230 is a problem, never rolled over to March. Adding a format is
 * one line in {@link DATE_FORMATS}.
 */
import { Failure, type Convert } from './convert.js'

/** One supported source format, compiled to a regular expression once. */
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
  ['mm', 'minute', '(\\d{2})'],
  ['ss', 'second', '(\\d{2})'],
]

/** Build a {@link DateFormat} from its pattern (tokens yyyy MM M dd d HH H mm ss; anything else is literal). */
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
  if (!parts.includes('year') || !parts.includes('month') || !parts.includes('day')) throw new Error(`dateFormat ${name}: a format needs yyyy, M(M) and d(d)`)
  return Object.freeze({ name, example, regex: new RegExp(source + '$'), parts: Object.freeze(parts) })
}

/** The date formats a mapping file may name. */
export const DATE_FORMATS: Readonly<Record<string, DateFormat>> = Object.freeze(Object.fromEntries([
  dateFormat('yyyyMMdd', '20240131'),
  dateFormat('yyyy-MM-dd', '2024-01-31'),
  dateFormat('yyyy-MM-dd HH:mm:ss', '2024-01-31 09:30:00'),
  dateFormat('yyyy/M/d', '2024/1/31'),
].map(f => [f.name, f])))

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

function daysInMonth (year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29
  return DAYS_IN_MONTH[month - 1] ?? 0
}

const pad2 = (n: number): string => n < 10 ? '0' + n : String(n)

/**
 * A converter for one format and offset ("+08:00"). The result has no fraction of a second;
 * parts the format lacks (the time of a date-only format) are 00.
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
    return String(year).padStart(4, '0') + '-' + pad2(month) + '-' + pad2(day) +
      'T' + pad2(hour) + ':' + pad2(minute) + ':' + pad2(second) + offset
  }
}
