import type { CanonicalCase } from '../generated/case.js'

/**
 * What a target actually holds is not the canonical case but the platform's own record for
 * it: a *projection* of the case through the target's profile (field names, code lists,
 * date and money formats). Everything the hub compares with a target — the version it
 * acknowledged, the fingerprint it reconciles — is therefore a fingerprint of the
 * projection, and a case that lacks a field the platform requires is never sent at all.
 *
 * A target without a profile projects the identity: the record is the canonical case and
 * its fingerprint is `fingerprint(case)` (src/contracts/fingerprint.ts), so nothing changes
 * for it.
 */

/** The platform record for one case, ready to be put into the target's envelope. */
export interface ProjectedRecord {
  readonly kind: 'record'
  /** The platform's record: its field names, codes and formats. */
  readonly record: Readonly<Record<string, unknown>>
  /**
   * The fingerprint of what the platform holds, as the profile compares it (for a profile:
   * its fingerprinted fields, empty values left out and scalars as text, so a platform that
   * answers 435 as "435" reads back equal; for the identity: `fingerprint(case)`). Equal
   * records ⇒ equal fingerprints, across processes.
   */
  readonly fingerprint: string
}

/** A case the platform cannot take yet: it is held (not sent) until the case or the profile changes. */
export interface HeldCase {
  readonly kind: 'held'
  /** The platform's names of the required fields the case lacks, each with the canonical field it comes from. */
  readonly missing: readonly { readonly field: string; readonly from: string }[]
  /** One line for people: which fields the platform requires and the case lacks. */
  readonly reason: string
}

export type Projection = ProjectedRecord | HeldCase

export interface TargetProjection {
  /** Names the profile and its version (e.g. `province-exchange@3`), for logs, held entries and status. */
  readonly version: string
  /** Pure and deterministic: the same case and profile version always give the same answer. */
  project (c: CanonicalCase): Projection
}
