import type { RedisClient } from '../redis/redis-client.js'

/**
 * The audit stream: one Redis stream per hub (key `<prefix>:audit`) recording every
 * mutating action of an authenticated caller — who (token id), what, on which object,
 * when, and the result (refused ones too: a 403 names the token that tried). The admin API
 * writes it for each mutating route; other modules (reconciliation repairs) write it
 * through {@link appendAudit} too. Entries are capped at about {@link AUDIT_MAX_LENGTH}
 * (oldest trimmed first).
 *
 * Requests refused before anyone was authenticated (no token, a wrong one, rate-limited)
 * go to a stream of their own, `<prefix>:audit:refused`, capped at
 * {@link REFUSALS_MAX_LENGTH} and aggregated per client address (src/admin/refusal-log.ts):
 * anonymous traffic, however much of it, can never push a genuine record out of the audit stream.
 */
export interface AuditEntry {
  /** Token id of the caller, "anonymous" (refusals stream only), or a component name such as "reconciler". */
  readonly who: string
  /** The client address (refusals: what the bad-token limit keys by). */
  readonly client?: string
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
  readonly client?: string
  readonly target?: string
  readonly status?: number
  readonly detail?: unknown
}

export const AUDIT_MAX_LENGTH = 100_000
export const REFUSALS_MAX_LENGTH = 10_000

/** `actions`: the audit stream proper; `refusals`: requests refused before authentication. */
export type AuditStream = 'actions' | 'refusals'

export function auditStreamKey (prefix: string, stream: AuditStream = 'actions'): string {
  return stream === 'actions' ? `${prefix}:audit` : `${prefix}:audit:refused`
}

/** Append one entry to the audit stream; resolves with the stream id once Redis has it. */
export async function appendAudit (redis: RedisClient, prefix: string, entry: AuditEntry): Promise<string> {
  return await append(redis, auditStreamKey(prefix), AUDIT_MAX_LENGTH, entry)
}

/** Append one entry to the refusals stream (through src/admin/refusal-log.ts, which aggregates). */
export async function appendRefusal (redis: RedisClient, prefix: string, entry: AuditEntry): Promise<string> {
  return await append(redis, auditStreamKey(prefix, 'refusals'), REFUSALS_MAX_LENGTH, entry)
}

async function append (redis: RedisClient, key: string, maxLength: number, entry: AuditEntry): Promise<string> {
  const fields: string[] = ['who', entry.who, 'what', entry.what, 'result', entry.result, 'when', entry.when ?? new Date().toISOString()]
  if (entry.client !== undefined) fields.push('client', entry.client)
  if (entry.target !== undefined) fields.push('target', entry.target)
  if (entry.status !== undefined) fields.push('status', String(entry.status))
  if (entry.detail !== undefined) fields.push('detail', JSON.stringify(entry.detail))
  const id = await redis.xadd(key, 'MAXLEN', '~', String(maxLength), '*', ...fields)
  return id ?? ''
}

/** The newest entries first, at most `count`. */
export async function readAudit (redis: RedisClient, prefix: string, count = 100, stream: AuditStream = 'actions'): Promise<AuditRecord[]> {
  const rows = await redis.xrevrange(auditStreamKey(prefix, stream), '+', '-', 'COUNT', count)
  return rows.map(([id, flat]) => {
    const f: Record<string, string> = {}
    for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!
    return {
      id,
      who: f.who ?? '',
      what: f.what ?? '',
      result: (f.result ?? 'failed') as AuditRecord['result'],
      when: f.when ?? '',
      ...(f.client === undefined ? {} : { client: f.client }),
      ...(f.target === undefined ? {} : { target: f.target }),
      ...(f.status === undefined ? {} : { status: Number(f.status) }),
      ...(f.detail === undefined ? {} : { detail: JSON.parse(f.detail) as unknown }),
    }
  })
}
