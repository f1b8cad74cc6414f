import { createHash } from 'node:crypto'
import { InternalError } from '../errors.js'

/**
 * One event of a case's trace as stored: `seq` (1, 2, … per case), `at` (ms, the writing
 * process's clock), `kind`, the kind's details, `alg` and `hash` = alg(prev ‖ the event's
 * canonical JSON without `hash`), where prev is the previous event's hash (the anchor's
 * after a pruned prefix, the genesis value for the first event) — not stored again in the
 * event: the chain gives it. The canonical JSON is the keys in the order seq, at, kind, the
 * details (keys sorted, recursively), alg. Details hold hashes, codes, field names and
 * times — never a value of the case (no personal data).
 */
export interface TraceEvent {
  readonly seq: number
  readonly at: number
  readonly kind: TraceKind
  readonly alg: string
  readonly hash: string
  readonly [detail: string]: unknown
}

export const TRACE_KINDS = [
  'seen', 'mapped', 'quarantined', 'released', 'enqueued', 'attempt', 'acknowledged',
  'dead_lettered', 'repaired', 'replayed', 'feedback', 'operator',
] as const
export type TraceKind = typeof TRACE_KINDS[number]

/** An event to append: the store adds seq, at, prev, alg and hash. */
export interface TraceEventInput {
  readonly caseNumber: string
  readonly kind: TraceKind
  readonly details?: Readonly<Record<string, unknown>>
}

/** The `prev` of a case's first event. */
export const GENESIS_HASH = '0'.repeat(64)

/** The chain's algorithm: SM3, computed in Redis (src/trace/sm3-lua.ts). */
export const TRACE_ALG = 'sm3'

const RESERVED = new Set(['seq', 'at', 'kind', 'alg', 'hash'])

function sorted (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().filter(k => (value as Record<string, unknown>)[k] !== undefined).map(k => [k, sorted((value as Record<string, unknown>)[k])]))
  }
  return value
}

/** The details as the inside of a JSON object (no braces), keys sorted: what the append script splices into the event. */
export function detailsText (details: Readonly<Record<string, unknown>> = {}): string {
  for (const key of Object.keys(details)) if (RESERVED.has(key)) throw new InternalError(`trace detail "${key}" would shadow an event field`)
  return JSON.stringify(sorted(details)).slice(1, -1)
}

/** An event's canonical JSON without `hash` (what the append script writes, byte for byte). */
export function eventBody (seq: number, at: string | number, kind: string, inner: string, alg = TRACE_ALG): string {
  return `{"seq":${seq},"at":${at},"kind":${JSON.stringify(kind)}${inner === '' ? '' : `,${inner}`},"alg":${JSON.stringify(alg)}}`
}

/** The text an event's hash covers after `prev`: its canonical JSON without `hash`. */
export function canonicalBody (event: TraceEvent): string {
  const { seq, at, kind, alg, hash: _hash, ...details } = event
  return eventBody(seq, at, kind, detailsText(details), alg)
}

/** The hash an event should carry after `prev`, recomputed by Node (undefined: Node's crypto lacks the event's algorithm). */
export function expectedHash (event: TraceEvent, prev: string): string | undefined {
  try {
    return createHash(event.alg).update(prev + canonicalBody(event)).digest('hex')
  } catch {
    return undefined
  }
}

/** A content hash for a detail (a raw record, a cursor): the value itself never enters the trace. */
export function contentHash (value: unknown): string {
  return createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(sorted(value))).digest('hex')
}
