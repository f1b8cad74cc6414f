import { stdSerializers } from 'pino'

/**
 * Personal data and secrets never reach a log line or a viewer's API response.
 *
 * Two nets: keys that always hold such data are masked whatever their value, and any
 * string that looks like a resident ID number or a bearer token is masked wherever it
 * appears (free text included).
 */
const SENSITIVE_KEY = /^(idNumber|ZJHM|SFZH|DSRXM|name|partyName|legalRepresentative|FDDBR|token|authorization|password|passphrase|apiKey|secret|privateKey)$/i
// An agency's own name is public and helps operators; everything else called "name" is masked.
const PUBLIC_NAME_PARENTS = new Set(['agency', 'hub', 'target'])
const ID_NUMBER_IN_TEXT = /(?<![0-9A-Za-z])([1-9]\d{2})\d{12}(\d{2}[\dXx])(?![0-9A-Za-z])/g
const BEARER_IN_TEXT = /(Bearer\s+)[^\s"']+/gi

/** Keep a hint of the value (first 3 and last 2 characters) so operators can tell records apart. */
export function maskValue (value: string): string {
  const chars = [...value]
  if (chars.length <= 2) return '*'.repeat(chars.length)
  if (chars.length <= 5) return chars[0] + '*'.repeat(chars.length - 1)
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 5) + chars.slice(-2).join('')
}

export function maskText (text: string): string {
  return text.replace(ID_NUMBER_IN_TEXT, (_m, head: string, tail: string) => `${head}${'*'.repeat(12)}${tail.slice(-2)}`)
    .replace(BEARER_IN_TEXT, '$1***')
}

/** A masked deep copy; `parentKey` decides whether a `name` is public (the agency's). */
export function maskPersonal (value: unknown, parentKey = '', depth = 0): unknown {
  if (depth > 12) return '[too deep]'
  if (typeof value === 'string') return maskText(value)
  if (Array.isArray(value)) return value.map(item => maskPersonal(item, parentKey, depth + 1))
  if (typeof value === 'object' && value !== null) {
    // An error's message and stack may quote a record or a header: mask its serialized form.
    if (value instanceof Error) return maskPersonal(stdSerializers.err(value), parentKey, depth + 1)
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const sensitive = SENSITIVE_KEY.test(key) && !(key === 'name' && PUBLIC_NAME_PARENTS.has(parentKey))
      out[key] = sensitive && (typeof item === 'string' || typeof item === 'number') ? maskValue(String(item)) : maskPersonal(item, key, depth + 1)
    }
    return out
  }
  return value
}
