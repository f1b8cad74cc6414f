import type { MappingProblem } from '../mapping/types.js'

/** A record that could not become a valid canonical case; kept until fixed and re-processed. */
export interface QuarantineEntry {
  readonly agencyId: string
  readonly recordKey: string
  readonly caseNumber: string | undefined
  /**
   * 'parse': the source could not read the row at all (see `origin` and `problems`).
   * 'held': a valid case the target cannot take yet — it lacks a field the target's profile
   * requires (`problems` name each); re-judged when the case or the profile changes.
   */
  readonly stage: 'parse' | 'mapping' | 'validation' | 'held'
  /** For held entries: the profile version that judged it (src/contracts/projection.ts `version`). */
  readonly profileVersion?: string
  readonly problems: readonly MappingProblem[]
  readonly mappingVersion: string
  readonly quarantinedAt: string
  /** The record as the source sent it, so a fixed mapping can re-process it. Viewers see it masked. */
  readonly raw: Record<string, unknown>
  /** Where a file source read the record: file name and the line it starts on. */
  readonly origin?: RecordOrigin
  /** Where an API source's page held an item that is no record: page of the pull (from 1), index in the page (from 0). */
  readonly position?: { readonly page: number; readonly index: number }
}

/** Where in a source file a record was read. */
export interface RecordOrigin { readonly file: string; readonly line: number }

/** A case the target refused, or that could not be delivered within the allowed attempts. */
export interface DeadLetterEntry {
  readonly agencyId: string
  readonly caseNumber: string
  readonly fingerprint: string
  /** The version's sequence (see {@link SeenVersion.sequence}); absent in entries written before sequences existed. */
  readonly sequence?: number
  readonly reason: string
  /** The stable code of the error that gave the case up (src/errors.ts), when an error did; absent for a record the platform refused. */
  readonly code?: string
  readonly attempts: number
  readonly deadLetteredAt: string
  readonly case: unknown
}

/**
 * The version of a case last enqueued for delivery ("seen"). `sequence` orders the
 * versions of one agency's cases: allocated in Redis (one counter per agency) before the
 * version is enqueued, so a larger number is a version the hub observed later — whatever
 * the clocks of the processes involved say. `earlier` holds the first 16 hex digits of up
 * to {@link EARLIER_KEPT} fingerprints enqueued before this one, newest first: a platform
 * holding one of them holds a version the hub once sent (reconciliation: target_regressed).
 */
export interface SeenVersion {
  readonly fingerprint: string
  readonly mappingVersion: string
  /** When the hub first saw this version (lag and latency only, never ordering). */
  readonly firstSeenMs: number
  /** 0 for versions recorded before sequences existed. */
  readonly sequence: number
  readonly earlier?: readonly string[]
}

/** What the platform acknowledged for one case. */
export interface AckedVersion {
  readonly fingerprint: string
  readonly ackedAtMs: number
  /** 0 for acknowledgements recorded before sequences existed. */
  readonly sequence: number
}

/** How many earlier fingerprints a seen entry keeps, and how much of each. */
export const EARLIER_KEPT = 4
export const EARLIER_DIGITS = 16

/** "fingerprint|mappingVersion|firstSeenMs|sequence|earlier,earlier" (the Lua of src/ledger/version-order.ts writes the same). */
export function encodeSeen (v: SeenVersion): string {
  return `${v.fingerprint}|${v.mappingVersion}|${v.firstSeenMs}|${v.sequence}|${(v.earlier ?? []).join(',')}`
}

export function decodeSeen (text: string | null | undefined): SeenVersion | undefined {
  if (text == null) return undefined
  const [fp = '', mappingVersion = '', ms = '0', seq = '0', earlier = ''] = text.split('|')
  return { fingerprint: fp, mappingVersion, firstSeenMs: Number(ms), sequence: Number(seq) || 0, ...(earlier === '' ? {} : { earlier: earlier.split(',') }) }
}

/** "fingerprint|ackedAtMs|sequence" (older entries: "fingerprint|ackedAtMs" or a bare fingerprint). */
export function decodeAcked (text: string | null | undefined): AckedVersion | undefined {
  if (text == null) return undefined
  const [fp = '', at = '0', seq = '0'] = text.split('|')
  return { fingerprint: fp, ackedAtMs: Number(at) || 0, sequence: Number(seq) || 0 }
}

/** Is `fingerprint` one of the versions a seen entry says the hub enqueued before its current one? */
export function sentEarlier (seen: SeenVersion | undefined, fingerprint: string): boolean {
  const short = fingerprint.slice(0, EARLIER_DIGITS)
  return seen?.earlier?.includes(short) ?? false
}
