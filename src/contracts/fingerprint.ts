import { createHash, hash as oneShotHash } from 'node:crypto'

/** Object keys repeat from case to case: their JSON text is made once (a bounded cache). */
const quotedKeys = new Map<string, string>()
const QUOTED_KEYS_MAX = 4096

function quoted (key: string): string {
  let text = quotedKeys.get(key)
  if (text === undefined) {
    text = JSON.stringify(key)
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, text)
  }
  return text
}

/**
 * Sorts an object's keys in place as Array.prototype.sort does (by UTF-16 code units; keys
 * are distinct, so stability does not matter). Objects of a case have a handful of keys,
 * where insertion sort beats the general sort's set-up cost; it runs for every object of
 * every case fingerprinted.
 */
function sortKeys (keys: string[]): string[] {
  if (keys.length > 16) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string
    let j = i - 1
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string
    keys[j + 1] = key
  }
  return keys
}

/**
 * JSON with object keys sorted at every level, so two equal cases serialise identically
 * whatever order their properties were built in. Properties whose value is undefined are
 * left out. Built by string concatenation rather than map/filter/join: it runs for every
 * case on the sync path and for every record a reconciliation compares, and this way
 * allocates about half as much.
 */
export function stableStringify (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value) // the most common leaf, first
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      // A hole stays empty, as Array.prototype.join leaves it.
      if (i in value) out += stableStringify(value[i])
    }
    return out + ']'
  }
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of sortKeys(Object.keys(record))) {
    const item = record[key]
    if (item === undefined) continue
    if (out.length > 1) out += ','
    out += quoted(key) + ':' + stableStringify(item)
  }
  return out + '}'
}

/**
 * Is `value` plain JSON data whose object keys are already in sorted order at every level?
 * Then the native JSON.stringify writes exactly what stableStringify would (same escapes,
 * same numbers, undefined properties left out), several times faster: a case read back
 * from a platform that stores the key-sorted text arrives like this, and a reconciliation
 * fingerprints every one of them. Anything else — an unsorted or integer-like key (which
 * JSON.stringify would put first), an array hole or undefined element, a function, a Date
 * or other object with a prototype of its own (toJSON) — answers false, and the slow path
 * sorts. Each level's keys are checked before its values, so an unsorted case (a freshly
 * mapped one) fails at its first keys.
 */
function isSortedPlainJson (value: unknown): boolean {
  if (value === null) return true
  switch (typeof value) {
    case 'string': case 'number': case 'boolean': return true
    case 'object': break
    default: return false
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (item === undefined || !isSortedPlainJson(item)) return false
    }
    return true
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  for (let i = 1; i < keys.length; i++) if (!((keys[i - 1] as string) < (keys[i] as string))) return false
  for (const key of keys) {
    const item = record[key]
    if (item !== undefined && !isSortedPlainJson(item)) return false
  }
  return true
}

/** stableStringify's text, by the native serialiser when the value's keys are sorted already. */
export function canonicalJson (value: unknown): string {
  return isSortedPlainJson(value) ? JSON.stringify(value) : stableStringify(value)
}

/** The ledger's identity of a case version: equal content ⇔ equal fingerprint. */
export function fingerprint (value: unknown): string {
  // One-shot hash: no Hash object per case (the same SHA-256 as createHash, in hex).
  return oneShotHash('sha256', canonicalJson(value), 'hex').slice(0, 32)
}

/**
 * The idempotency key of a delivery: derived only from which versions of which cases it
 * carries, so a retry or a replay after a crash carries the same key. `resend` (a
 * reconciliation run id) makes a deliberate re-delivery of versions already delivered a
 * new request: the platform would otherwise answer it from its idempotency memory without
 * storing anything.
 */
export function deliveryKey (agencyId: string, items: readonly { caseNumber: string; fingerprint: string }[], resend?: string): string {
  const hash = createHash('sha256').update(agencyId)
  if (resend !== undefined && resend !== '') hash.update(`\nresend ${resend}`)
  for (const line of items.map(item => `${item.caseNumber}\u0000${item.fingerprint}`).sort()) hash.update('\n').update(line)
  return `${agencyId}.${hash.digest('hex').slice(0, 40)}`
}
