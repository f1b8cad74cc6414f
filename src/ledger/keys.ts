/**
 * Every Redis key the hub writes, in one place. Per-agency keys share a hash tag
 * (`{agency}`) so one agency's ledger lives in one Redis Cluster slot and can be updated
 * in one MULTI.
 */
export interface AgencyKeys {
  /** HASH caseNumber → "fingerprint|mappingVersion|firstSeenMs|sequence|earlier,…": the newest version enqueued for delivery (src/ledger/entries.ts). */
  readonly seen: string
  /** HASH caseNumber → "fingerprint|ackedAtMs|sequence": the newest version the platform acknowledged (never replaced by an older one). */
  readonly acked: string
  /** STRING counter: the last version sequence allocated (last + 1, at least Redis's clock in µs), see src/ledger/version-order.ts. */
  readonly versionSeq: string
  /**
   * HASH caseNumber → "sequence:tag:expiresMs …": deliveries of the case that may still
   * reach the target — one token per live push job (tag = the job's lease) and one per
   * attempt under way (tag = lease#attempt), see src/ledger/version-order.ts.
   */
  readonly deliveries: string
  /** HASH caseNumber → "sequence|fingerprint|case JSON": the newest acknowledged version, kept while an older delivery may still land. */
  readonly guard: string
  /** HASH caseNumber → sequence: an older version that may have landed while a newer one was being sent (the newer one re-sends itself). */
  readonly regressed: string
  /** STRING: the source cursor (see the cursor rule in src/sync/pull-agency.ts). */
  readonly cursor: string
  /** HASH recordKey → JSON QuarantineEntry: records that failed mapping or validation. */
  readonly quarantine: string
  /** SET recordKey: the quarantine entries that are held for the target (stage "held": valid cases lacking a field the target's profile requires). */
  readonly held: string
  /** HASH caseNumber → JSON DeadLetterEntry: cases the target refused or that exhausted retries. */
  readonly deadLetters: string
  /** HASH counter → integer, plus timestamps of the last pull. */
  readonly stats: string
  /** STRING: who is pulling this agency right now (a lock across hub processes). */
  readonly pullLock: string
  /** ZSET caseNumber → firstSeenMs: versions enqueued and not yet acknowledged (the sync lag). */
  readonly pending: string
  /** HASH key → value: what the agency's source adapter remembers between pulls (src/ledger/adapter-state.ts). */
  readonly adapterState: string
  /** HASH leaf bucket (4 hex digits) → "count:sum" of acknowledged versions (src/ledger/bucket-digest.ts). */
  readonly digest: string
  /** ZSET "leaf:caseNumber" (all scores 0): every case the ledger knows, listable by bucket prefix. */
  readonly bucketIndex: string
  /** HASH caseNumber → "decidedIso|ackedAtMs": first acknowledgement of a version carrying a decision date. */
  readonly decisions: string
  /**
   * STREAM of those first acknowledgements (fields c: caseNumber, d: decidedIso, a: ackedAtMs),
   * in the order the ledger recorded them: Redis assigns the entry ids at write time, so
   * the late-entry rule reads on from the last id it judged and sees every entry exactly
   * once, whatever the acknowledgement times say (a slow push, a hub whose clock is behind).
   */
  readonly decisionLog: string
  /** HASH: reconciliation state (last run, last result, the last decision-log entry judged, claimed tick, the running run's progress). */
  readonly reconcile: string
  /** STRING: who is reconciling this agency right now (a lock across hub processes). */
  readonly reconcileLock: string
  /** HASH: the agency's mapping as loaded by the hub (version, file, loadedAt) and the last refused edit (error, errorAt), see src/mapping/mapping-state.ts. */
  readonly mapping: string
  /** STRING JSON { at, by }: an operator paused this agency (no pulls, its pushes wait); absent when running. */
  readonly paused: string
  /** HASH { tick }: the scheduled second (ms) of the last pull tick a hub process claimed (one run per tick across processes, src/redis/claim-tick.ts). */
  readonly pullTick: string
  /** LIST of JSON { at, tick?, instance, ok }: the last 100 pull runs, newest first (which process ran which tick). */
  readonly pullRuns: string
  /** HASH caseNumber → "field|field": the expected fields the newest version of the case lacks, absent-by-design ones included (src/ledger/completeness-store.ts); no entry when none. */
  readonly gaps: string
  /** HASH field → count: how many cases lack the field now (the sum over {@link AgencyKeys.gaps}). */
  readonly gapCounts: string
  /** HASH caseNumber → JSON facts of the newest version for the transfer-risk findings (src/ledger/risk-facts-store.ts): no names, parties as keyed hashes. */
  readonly riskFacts: string
  /** HASH caseNumber → ms: when the hub first recorded a version of the case flagged suspectedCrime (src/ledger/risk-facts-store.ts). */
  readonly crimeSeen: string
  /** HASH finding kind → JSON list of the agency's findings of that kind, plus computedAt (src/ledger/risk-findings-store.ts). */
  readonly riskFindings: string
}

export function agencyKeys (prefix: string, agencyId: string): AgencyKeys {
  const base = `${prefix}:{${agencyId}}`
  return {
    seen: `${base}:seen`,
    acked: `${base}:acked`,
    versionSeq: `${base}:version-seq`,
    deliveries: `${base}:deliveries`,
    guard: `${base}:guard`,
    regressed: `${base}:regressed`,
    cursor: `${base}:cursor`,
    quarantine: `${base}:quarantine`,
    held: `${base}:held`,
    deadLetters: `${base}:dead`,
    stats: `${base}:stats`,
    pullLock: `${base}:pull-lock`,
    pending: `${base}:pending`,
    adapterState: `${base}:adapter-state`,
    digest: `${base}:digest`,
    bucketIndex: `${base}:bucket-index`,
    decisions: `${base}:decisions`,
    decisionLog: `${base}:decision-log`,
    reconcile: `${base}:reconcile`,
    reconcileLock: `${base}:reconcile-lock`,
    mapping: `${base}:mapping`,
    paused: `${base}:paused`,
    pullTick: `${base}:pull-tick`,
    pullRuns: `${base}:pull-runs`,
    gaps: `${base}:gaps`,
    gapCounts: `${base}:gap-counts`,
    riskFacts: `${base}:risk-facts`,
    crimeSeen: `${base}:crime-seen`,
    riskFindings: `${base}:risk-findings`,
  }
}
