import type { Redis } from 'ioredis'

/**
 * The audit stream: one Redis stream per hub (key `<prefix>:audit`) recording every
 * mutating operator action — who (token id, or "anonymous" for a refused call), what, on
 * which object, when, and the result. The admin API writes it for each mutating route;
 * other modules (reconciliation repairs) write it through {@link appendAudit} too.
 * Entries are capped at about {@link AUDIT_MAX_LENGTH} (oldest trimmed first).
 */
export interface AuditEntry {
  /** Token id of the caller, "anonymous", or a component name such as "reconciler". */
  readonly who: string
  /** A stable action name, e.g. "quarantine.discard", "dead-letters.retry", "reconcile.repair". */
  readonly what: string
  /** What was acted on, e.g. the agency id. */
  readonly target?: string
  readonly result: 'ok' | 'refused' | 'failed'
  /** HTTP status for API calls. */
  readonly status?: number
  /** Short JSON-able detail (counts, record keys); never personal data. */
  readonly detail?: unknown
  /** ISO time; now when absent. */
  readonly when?: string
}

export interface AuditRecord extends Required<Pick<AuditEntry, 'who' | 'what' | 'result' | 'when'>> {
  readonly id: string
  readonly target?: string
  readonly status?: number
  readonly detail?: unknown
}

export const AUDIT_MAX_LENGTH = 100_000

export function auditStreamKey (prefix: string): string {
  return `${prefix}:audit`
}

/** Append one entry; resolves with the stream id once Redis has it. */
export async function appendAudit (redis: Redis, prefix: string, entry: AuditEntry): Promise<string> {
  const fields: string[] = ['who', entry.who, 'what', entry.what, 'result', entry.result, 'when', entry.when ?? new Date().toISOString()]
  if (entry.target !== undefined) fields.push('target', entry.target)
  if (entry.status !== undefined) fields.push('status', String(entry.status))
  if (entry.detail !== undefined) fields.push('detail', JSON.stringify(entry.detail))
  const id = await redis.xadd(auditStreamKey(prefix), 'MAXLEN', '~', String(AUDIT_MAX_LENGTH), '*', ...fields)
  return id ?? ''
}

/** The newest entries first, at most `count`. */
export async function readAudit (redis: Redis, prefix: string, count = 100): Promise<AuditRecord[]> {
  const rows = await redis.xrevrange(auditStreamKey(prefix), '+', '-', 'COUNT', count)
  return rows.map(([id, flat]) => {
    const f: Record<string, string> = {}
    for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!
    return {
      id,
      who: f.who ?? '',
      what: f.what ?? '',
      result: (f.result ?? 'failed') as AuditRecord['result'],
      when: f.when ?? '',
      ...(f.target === undefined ? {} : { target: f.target }),
      ...(f.status === undefined ? {} : { status: Number(f.status) }),
      ...(f.detail === undefined ? {} : { detail: JSON.parse(f.detail) as unknown }),
    }
  })
}
