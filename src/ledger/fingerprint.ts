import { createHash } from 'node:crypto'

/**
 * JSON with object keys sorted at every level, so two equal cases serialise identically
 * whatever order their properties were built in.
 */
export function stableStringify (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  const entries = Object.keys(value).sort()
    .filter(key => (value as Record<string, unknown>)[key] !== undefined)
    .map(key => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`)
  return `{${entries.join(',')}}`
}

/** The ledger's identity of a case version: equal content ⇔ equal fingerprint. */
export function fingerprint (value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 32)
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
