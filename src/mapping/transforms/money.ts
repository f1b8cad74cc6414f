/**
 * Source amounts (`money: yuan | fen`) → the canonical money string: yuan with exactly two
 * decimals, no sign, no separators ("1234.50"). Pure text arithmetic, never a float, so no
 * amount is ever rounded; an amount that cannot be written exactly in fen is a problem.
 *
 * Accepted yuan text: digits with an optional decimal point ("1234", "1234.5", "0.5",
 * "1234.50"), thousands separators in the usual places ("1,234.50"), and extra decimals only
 * when they are zeros ("1234.5000", as DECIMAL(18,4) columns export). Refused: signs,
 * currency symbols, ".5", "1,23", "1.234". Fen text: digits only ("123450" → "1234.50").
 * Surrounding whitespace is ignored. Leading zeros are dropped.
 */
import { Failure, type Convert } from './convert.js'

const YUAN = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/
const FEN = /^\d+$/

function stripZeros (digits: string): string {
  let i = 0
  while (i < digits.length - 1 && digits[i] === '0') i++
  return digits.slice(i)
}

function yuanConverter (): Convert {
  const malformed = new Failure('money:yuan', 'expected an amount in yuan like 1234.50 or 1,234.50 (digits, optional thousands separators, at most 2 decimals; no sign or currency symbol)')
  const tooPrecise = new Failure('money:yuan', 'expected at most 2 decimals (an amount in yuan is exact to the fen); refusing to round')
  return (text: string) => {
    const m = YUAN.exec(text.trim())
    if (m === null) return malformed
    const whole = stripZeros(m[1]!.replace(/,/g, ''))
    let fraction = m[2] ?? ''
    if (fraction.length > 2) {
      if (!/^0+$/.test(fraction.slice(2))) return tooPrecise
      fraction = fraction.slice(0, 2)
    }
    return whole + '.' + fraction.padEnd(2, '0')
  }
}

function fenConverter (): Convert {
  const malformed = new Failure('money:fen', 'expected a whole number of fen (digits only, e.g. 123450 for 1234.50 yuan)')
  return (text: string) => {
    const t = text.trim()
    if (!FEN.test(t)) return malformed
    const digits = t.padStart(3, '0')
    return stripZeros(digits.slice(0, -2)) + '.' + digits.slice(-2)
  }
}

/** The money units a mapping file may name. */
export const MONEY_UNITS: Readonly<Record<string, () => Convert>> = Object.freeze({
  yuan: yuanConverter,
  fen: fenConverter,
})
