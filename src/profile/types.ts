/**
 * A compiled target profile as the target adapters see it: a {@link TargetProjection} plus
 * everything else the platform's interface document says — envelope, signature, answer codes,
 * read-back, exchange table. Immutable and safe to share; every method is pure except `sign`
 * (which reads the secrets resolved at load) and `classifyAnswer` (which defaults
 * `acknowledgedAt` to now).
 */
import type { TargetProjection } from '../contracts/projection.js'
import type { ProfileTable } from '../generated/profile.js'
import type { ClassifyAnswer } from './answer.js'
import type { Envelope } from './envelope.js'
import type { Sign } from './signature.js'
import type { ProfileFeedbackListing } from './feedback-listing.js'

/** One platform record read back for reconciliation. */
export interface ReadBack {
  readonly caseNumber: string
  /** Equal to `project(case).fingerprint` when the platform holds what the hub sent. */
  readonly fingerprint: string
  readonly storedAt?: string
}

/** One row of the exchange table read back. */
export interface TableRowRead {
  readonly caseNumber: string
  /** Of the row's payload (what the platform collects), not of its fingerprint column. */
  readonly fingerprint: string
  readonly status: 'pending' | 'collected' | 'rejected'
  readonly message?: string
}

export interface ProfileListing {
  readonly path: string
  readonly firstPage: number
  readonly pageSize: number
  /** What the agency-code parameter carries. */
  readonly agencyCodeFrom: 'agencyId' | 'creditCode'
  /** The query parameters of one page (names from the profile; `since` written in its date format and time zone). */
  query (agencyCode: string, page: number, since?: Date | string): Record<string, string>
  /** The records of one parsed answer and the total, when the answer says it. */
  page (answer: unknown): { records: Array<Record<string, unknown>>; total?: number }
}

export interface CompiledProfile extends TargetProjection {
  readonly name: string
  /** `${name}@${version}`. */
  readonly version: string
  /** Absolute path it was loaded from. */
  readonly file: string
  /** `record: identity`: the platform takes the canonical case as it is. */
  readonly identity: boolean
  /** Top-level platform fields the rules write (empty for identity). */
  readonly fields: readonly string[]
  /** Pointer of the platform field holding the case number. */
  readonly caseNumberField: string
  /** The fingerprint of a platform record as reconciliation compares it (what `project` puts in `fingerprint`). */
  fingerprintOf (record: Readonly<Record<string, unknown>>): string
  caseNumberOf (record: Readonly<Record<string, unknown>>): string
  /** Request bodies for projected records: one for a batch (chunked at `batch.max`), or one per record. */
  readonly envelope: Envelope
  readonly method: 'POST' | 'PUT'
  readonly pushPath: string
  /** The authentication headers of one request. Throws ProfileSecretError when a secret it needs is not set. */
  readonly sign: Sign
  /** Environment variables the profile names that are not set: an adapter refuses to open with any. */
  readonly missingSecrets: readonly string[]
  readonly classifyAnswer: ClassifyAnswer
  readBack (platformRecord: Readonly<Record<string, unknown>>): ReadBack
  readonly listing: ProfileListing
  /** The `feedback:` section compiled: the platform's decision listing, when the profile has one. */
  readonly feedback: ProfileFeedbackListing | undefined
  /** The `table:` section with its defaults, when the profile has one. */
  readonly table: (Readonly<Required<Pick<ProfileTable, 'name' | 'ack'>>> & { readonly keyColumns: readonly string[]; readonly columns: Readonly<NonNullable<ProfileTable['columns']>>; readonly status: Readonly<NonNullable<ProfileTable['status']>> }) | undefined
  /** The row (column → value) that puts one projected record into the exchange table as pending. */
  tableRow (agencyCode: string, seq: number, projected: { record: Readonly<Record<string, unknown>>; fingerprint: string }): Record<string, string | number | null>
  readRow (row: Readonly<Record<string, unknown>>): TableRowRead
}
