import type { MappingProblem } from '../mapping/types.js'

/** A record that could not become a valid canonical case; kept until fixed and re-processed. */
export interface QuarantineEntry {
  readonly agencyId: string
  readonly recordKey: string
  readonly caseNumber: string | undefined
  /** 'parse': the source could not read the row at all (see `origin` and `problems`). */
  readonly stage: 'parse' | 'mapping' | 'validation'
  readonly problems: readonly MappingProblem[]
  readonly mappingVersion: string
  readonly quarantinedAt: string
  /** The record as the source sent it, so a fixed mapping can re-process it. Viewers see it masked. */
  readonly raw: Record<string, unknown>
  /** Where a file source read the record: file name and the line it starts on. */
  readonly origin?: RecordOrigin
}

/** Where in a source file a record was read. */
export interface RecordOrigin { readonly file: string; readonly line: number }

/** A case the target refused, or that could not be delivered within the allowed attempts. */
export interface DeadLetterEntry {
  readonly agencyId: string
  readonly caseNumber: string
  readonly fingerprint: string
  readonly reason: string
  readonly attempts: number
  readonly deadLetteredAt: string
  readonly case: unknown
}

export interface SeenVersion { fingerprint: string; mappingVersion: string; firstSeenMs: number }

export function encodeSeen (v: SeenVersion): string {
  return `${v.fingerprint}|${v.mappingVersion}|${v.firstSeenMs}`
}

export function decodeSeen (text: string | null | undefined): SeenVersion | undefined {
  if (text == null) return undefined
  const [fp = '', mappingVersion = '', ms = '0'] = text.split('|')
  return { fingerprint: fp, mappingVersion, firstSeenMs: Number(ms) }
}
