/**
 * Source amounts (`money: yuan | fen | wanyuan`) → the canonical money string: yuan with
 * exactly two decimals, no sign, no separators ("1234.50"). Pure text arithmetic, never a
 * float, so no amount is ever rounded; an amount that cannot be written exactly in fen is a
 * problem.
 *
 * Accepted yuan text: digits with an optional decimal point ("1234", "1234.5", "0.5",
 * "1234.50"), thousands separators in the usual places ("1,234.50"), extra decimals only when
 * they are zeros ("1234.5000", as DECIMAL(18,4) columns export), the unit written after the
 * number ("1,234.50元") or a yuan sign before it ("¥1234.50", "￥1234.50"), and fullwidth
 * digits and punctuation ("１，２３４．５０") as Chinese input methods type them. Refused:
 * signs, other symbols or words, ".5", "1,23", "1.234". Fen text: digits only, optionally
 * followed by 分 ("123450" → "1234.50"). Wanyuan (万元, ten thousand yuan, common in
 * statistics columns): like yuan, up to six decimals ("1.5" → "15000.00"). Surrounding
 * whitespace is ignored. Leading zeros are dropped.
 */
import { Failure, type Convert } from './convert.js'
import { TEXT_TRANSFORMS } from './text.js'

const NUMBER = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/
const FEN = /^\d+$/
const halfwidth = TEXT_TRANSFORMS.halfwidth!

function stripZeros (digits: string): string {
  let i = 0
  while (i < digits.length - 1 && digits[i] === '0') i++
  return digits.slice(i)
}

/** The amount's text without surrounding spaces, fullwidth forms, and the unit words allowed around it. */
function bare (text: string, prefixes: readonly string[], suffixes: readonly string[]): string {
  let t = halfwidth(text).trim()
  for (const p of prefixes) if (t.startsWith(p)) { t = t.slice(p.length).trimStart(); break }
  for (const s of suffixes) if (t.endsWith(s)) { t = t.slice(0, -s.length).trimEnd(); break }
  return t
}

/**
 * An amount in units of 10^shift yuan → yuan with 2 decimals, or undefined when it has more
 * significant decimals than fen allow. `whole` and `fraction` are digit strings.
 */
function toYuan (whole: string, fraction: string, shift: number): string | undefined {
  const moved = fraction.slice(0, shift).padEnd(shift, '0')
  let rest = fraction.slice(shift)
  if (rest.length > 2) {
    if (!/^0+$/.test(rest.slice(2))) return undefined
    rest = rest.slice(0, 2)
  }
  return stripZeros(whole + moved) + '.' + rest.padEnd(2, '0')
}

function decimalConverter (rule: string, shift: number, prefixes: readonly string[], suffixes: readonly string[], example: string): Convert {
  const decimals = shift + 2
  const malformed = new Failure(rule, `expected an amount like ${example} (digits, optional thousands separators, at most ${decimals} decimals; no sign)`)
  const tooPrecise = new Failure(rule, `expected at most ${decimals} decimals (the amount must be exact to the fen); refusing to round`)
  return (text: string) => {
    const m = NUMBER.exec(bare(text, prefixes, suffixes))
    if (m === null) return malformed
    const yuan = toYuan(m[1]!.replace(/,/g, ''), m[2] ?? '', shift)
    return yuan === undefined ? tooPrecise : yuan
  }
}

function fenConverter (): Convert {
  const malformed = new Failure('money:fen', 'expected a whole number of fen (digits only, e.g. 123450 for 1234.50 yuan)')
  return (text: string) => {
    const t = bare(text, [], ['分'])
    if (!FEN.test(t)) return malformed
    const digits = t.padStart(3, '0')
    return stripZeros(digits.slice(0, -2)) + '.' + digits.slice(-2)
  }
}

/** The money units a mapping file may name. */
export const MONEY_UNITS: Readonly<Record<string, () => Convert>> = Object.freeze({
  yuan: () => decimalConverter('money:yuan', 0, ['¥', '￥'], ['人民币元', '元'], '1234.50, 1,234.50 or 1,234.50元'),
  fen: fenConverter,
  wanyuan: () => decimalConverter('money:wanyuan', 4, [], ['万元', '万'], '1.5 or 1.5万元 (= 15000.00 yuan)'),
})
