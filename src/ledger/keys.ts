/**
 * Every Redis key the hub writes, in one place. Per-agency keys share a hash tag
 * (`{agency}`) so one agency's ledger lives in one Redis Cluster slot and can be updated
 * in one MULTI.
 */
export interface AgencyKeys {
  /** HASH caseNumber → "fingerprint|mappingVersion|firstSeenMs": the version last enqueued for delivery. */
  readonly seen: string
  /** HASH caseNumber → "fingerprint|ackedAtMs": the version the platform acknowledged. */
  readonly acked: string
  /** STRING: the source cursor (see the cursor rule in src/sync/pull-agency.ts). */
  readonly cursor: string
  /** HASH recordKey → JSON QuarantineEntry: records that failed mapping or validation. */
  readonly quarantine: string
  /** HASH caseNumber → JSON DeadLetterEntry: cases the target refused or that exhausted retries. */
  readonly deadLetters: string
  /** HASH counter → integer, plus timestamps of the last pull. */
  readonly stats: string
  /** STRING: who is pulling this agency right now (a lock across hub processes). */
  readonly pullLock: string
}

export function agencyKeys (prefix: string, agencyId: string): AgencyKeys {
  const base = `${prefix}:{${agencyId}}`
  return {
    seen: `${base}:seen`,
    acked: `${base}:acked`,
    cursor: `${base}:cursor`,
    quarantine: `${base}:quarantine`,
    deadLetters: `${base}:dead`,
    stats: `${base}:stats`,
    pullLock: `${base}:pull-lock`,
  }
}

/** BullMQ's own key prefix, under ours. */
export function queuePrefix (prefix: string): string {
  return `${prefix}:bull`
}
