/**
 * Check characters of the two Chinese identifiers a case carries: the resident ID number
 * (公民身份号码, GB 11643-1999, ISO 7064 MOD 11-2) and the unified social credit code
 * (统一社会信用代码, GB 32100-2015). Pure functions: the schema's custom formats use the
 * `is…` predicates, simulators and tests use the `…CheckChar` functions to make valid numbers.
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const ID_CHECK_CHARS = '10X98765432'
const ID_FIRST17 = /^[0-9]{17}$/
const ID_SHAPE = /^[0-9]{17}[0-9X]$/

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const
const USCC_FIRST17 = /^[0-9ABCDEFGHJKLMNPQRTUWXY]{17}$/
const USCC_SHAPE = /^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/

/**
 * The check character (`0`–`9` or `X`) of a resident ID number, from its first 17 digits.
 * @throws RangeError if `first17` is not exactly 17 ASCII digits (a programming error).
 */
export function residentIdCheckChar (first17: string): string {
  if (!ID_FIRST17.test(first17)) throw new RangeError('residentIdCheckChar: expected exactly 17 digits')
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!
  return ID_CHECK_CHARS[sum % 11]!
}

/** Whether `yyyyMMdd` names a real day of the proleptic Gregorian calendar. */
function isCalendarDate (yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4))
  const month = Number(yyyymmdd.slice(4, 6))
  const day = Number(yyyymmdd.slice(6, 8))
  if (month < 1 || month > 12 || day < 1) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  return day <= daysInMonth
}

/**
 * Whether `s` is an 18-character resident ID number: 17 digits, a valid MOD 11-2 check
 * character (an uppercase `X` for 10 — a lowercase `x` is refused, the mapping must
 * normalise it), and a real calendar date as the embedded birth date (positions 7–14).
 */
export function isResidentIdNumber (s: string): boolean {
  if (typeof s !== 'string' || !ID_SHAPE.test(s)) return false
  if (!isCalendarDate(s.slice(6, 14))) return false
  return residentIdCheckChar(s.slice(0, 17)) === s[17]
}

/**
 * The check character of a unified social credit code, from its first 17 characters
 * (GB 32100-2015: weighted sum mod 31 over the 31-character alphabet without I, O, S, V, Z).
 * @throws RangeError if `first17` is not 17 characters of that alphabet (a programming error).
 */
export function uniformCreditCheckChar (first17: string): string {
  if (!USCC_FIRST17.test(first17)) throw new RangeError('uniformCreditCheckChar: expected 17 characters from ' + USCC_CHARSET)
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!
  const check = 31 - (sum % 31)
  return USCC_CHARSET[check === 31 ? 0 : check]!
}

/**
 * Whether `s` is an 18-character unified social credit code: uppercase characters of the
 * GB 32100-2015 alphabet and a valid check character. The inner structure (registration
 * authority, region, organisation code) is not checked.
 */
export function isUnifiedSocialCreditCode (s: string): boolean {
  if (typeof s !== 'string' || !USCC_SHAPE.test(s)) return false
  return uniformCreditCheckChar(s.slice(0, 17)) === s[17]
}

/**
 * An ID number fit for logs: the first 3 and last 2 characters kept, every other character
 * replaced by `*`, same length (`320*************34` style). Strings of 5 characters or
 * fewer are masked entirely, since keeping 5 would keep all of them.
 */
export function maskIdNumber (s: string): string {
  const chars = Array.from(s)
  if (chars.length <= 5) return '*'.repeat(chars.length)
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 5) + chars.slice(-2).join('')
}
