import { stdSerializers } from 'pino'

/**
 * Personal data and secrets never reach a log line or a viewer's API response.
 *
 * By allow-list: a string is shown only under a key known to carry no personal data — codes,
 * dates, amounts, case numbers, agency names, the hub's own words (messages, errors, file
 * names). Every other string is masked whole: free text (facts, titles) and raw source fields
 * of unknown meaning (a witness's name under ZRXM, a phone under LXDH) alike, since names
 * inside text cannot be found reliably. Keys that are personal by nature (a party's name and
 * ID number, tokens) keep a short hint so operators can tell records apart.
 *
 * Under the shown keys, and in message text, ID numbers, mobile and landline numbers are still
 * found and masked: glued to letters (`SFZ320302…`), in full-width digits, split by spaces or
 * dashes; and bearer tokens.
 */
const SENSITIVE_KEY = /^(idNumber|ZJHM|SFZH|DSRXM|name|partyName|legalRepresentative|FDDBR|token|authorization|password|passphrase|apiKey|secret|privateKey)$/i
// An agency's own name is public and helps operators; everything else called "name" is masked.
const PUBLIC_NAME_PARENTS = new Set(['agency', 'hub', 'target'])

/** Keys whose text carries no personal data (what they hold is written by the hub, or is a code, date, amount or case number). */
const PUBLIC_KEYS: ReadonlySet<string> = new Set([
  // the hub's own words
  'msg', 'message', 'stack', 'type', 'title', 'description', 'summary', 'reason', 'reasons', 'error', 'signal', 'label', 'hint',
  // what and where
  'agency', 'agencies', 'agencyId', 'agencyCode', 'hub', 'target', 'targets', 'webhook', 'id', 'code', 'codes', 'kind', 'kinds', 'stage', 'rule', 'rules',
  'canonicalField', 'sourceField', 'field', 'fields', 'pointer', 'caseNumber', 'caseNumbers', 'samples', 'record', 'recordKey', 'key', 'keys', 'status',
  'state', 'severity', 'event', 'version', 'previous', 'schemaVersion', 'file', 'files', 'fileName', 'line', 'column', 'format', 'encoding', 'job',
  'jobId', 'change', 'changeId', 'who', 'what', 'trigger', 'runId', 'tick', 'route', 'method', 'url', 'host', 'port', 'client', 'result', 'outcome',
  'phase', 'mode', 'stream', 'level', 'time', 'pid', 'hostname', 'sha256', 'uri', 'admin',
  // dates and times
  'at', 'since', 'from', 'to', 'when', 'filed', 'decided', 'closed', 'entered', 'transferDate', 'procuratorateCopyDate', 'sourceUpdatedAt', 'ingestedAt',
  'firstSeenAt', 'lastSeenAt', 'acknowledgedAt', 'resolvedAt', 'occurredAt', 'startedAt', 'lastPullAt', 'quarantinedAt',
  // a quarantined record's stage and mapping as the hub words them (the record itself stays masked)
  'stageText', 'mappingVersion', 'profileVersion',
  // the case's codes and classification
  'regionCode', 'procedure', 'cause', 'legalBasis', 'law', 'article', 'penalties', 'receivingUnit', 'suspectedCrime',
  // amounts and counts
  'fine', 'involved', 'illegalGains', 'amount', 'count', 'sizeBytes',
])

const SEP = '[\\s\\-－–—‐]?'
const D = '[0-9０-９]'
/** A resident ID number: 17 digits and a check character, each pair at most one space or dash apart, full-width digits too. */
const ID_IN_TEXT = new RegExp(`(?<![0-9０-９])[1-9１-９](?:${SEP}${D}){16}${SEP}[0-9０-９XxＸｘ](?![0-9０-９])`, 'g')
/** A mobile number (1[3-9] and 9 digits), or a landline with its area code (0xx(x)-7 or 8 digits); an optional +86 stays outside. */
const PHONE_IN_TEXT = new RegExp(`(?<![0-9０-９])(?:[1１]${SEP}[3-9３-９](?:${SEP}${D}){9}|[0０][1-9１-９]${D}{1,2}${SEP}${D}(?:${SEP}?${D}){6,7})(?![0-9０-９])`, 'g')
const BEARER_IN_TEXT = /(Bearer\s+)[^\s"']+/gi

/** Keep a hint of the value (first 3 and last 2 characters) so operators can tell records apart. */
export function maskValue (value: string): string {
  const chars = [...value]
  if (chars.length <= 2) return '*'.repeat(chars.length)
  if (chars.length <= 5) return chars[0] + '*'.repeat(chars.length - 1)
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 5) + chars.slice(-2).join('')
}

/** A string masked whole: nothing of it but its length. */
export function maskWhole (value: string): string {
  return `[masked: ${[...value].length} characters]`
}

/** A number found in text, its first 3 and last 2 digits kept; separators dropped. */
function maskNumber (found: string): string {
  const chars = [...found].filter(c => !/[\s\-－–—‐]/.test(c))
  return chars.slice(0, 3).join('') + '*'.repeat(Math.max(0, chars.length - 5)) + chars.slice(-2).join('')
}

/** Text with ID numbers, phone numbers and bearer tokens inside it masked. */
export function maskText (text: string): string {
  return text.replace(ID_IN_TEXT, maskNumber).replace(PHONE_IN_TEXT, maskNumber).replace(BEARER_IN_TEXT, '$1***')
}

/** Digits of a number as text long enough to be an ID or phone number (7 or more). */
const LONG_NUMBER = 1_000_000

/** A masked deep copy; `parentKey` decides whether a string is shown (see {@link PUBLIC_KEYS}) and whether a `name` is public (the agency's). */
export function maskPersonal (value: unknown, parentKey = '', depth = 0): unknown {
  if (depth > 12) return '[too deep]'
  if (typeof value === 'string') return parentKey === '' || PUBLIC_KEYS.has(parentKey) ? maskText(value) : maskWhole(value)
  if (typeof value === 'number') return parentKey !== '' && !PUBLIC_KEYS.has(parentKey) && Math.abs(value) >= LONG_NUMBER && Number.isInteger(value) ? maskWhole(String(value)) : value
  if (Array.isArray(value)) return value.map(item => maskPersonal(item, parentKey, depth + 1))
  if (typeof value === 'object' && value !== null) {
    // An error's message and stack may quote a record or a header: mask its serialized form.
    if (value instanceof Error) return maskPersonal(stdSerializers.err(value), parentKey, depth + 1)
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const publicName = key === 'name' && PUBLIC_NAME_PARENTS.has(parentKey)
      const sensitive = SENSITIVE_KEY.test(key) && !publicName
      out[key] = sensitive && (typeof item === 'string' || typeof item === 'number')
        ? maskValue(String(item))
        : publicName && typeof item === 'string' ? maskText(item) : maskPersonal(item, key, depth + 1)
    }
    return out
  }
  return value
}
