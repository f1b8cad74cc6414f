import type { FindingKind } from './findings.js'

/**
 * Where reconciliation reports what it found: one alarm per agency and finding kind,
 * raised with the count and sample case numbers, or resolved when the kind is found
 * clean (an alarm about history, late_entry, only once its window has passed). The hub passes its alarm service (src/alarms); reconciliation knows nothing more
 * of alarms — their states, webhooks and texts are the alarm module's.
 */
export interface AlarmSink {
  /** With `accumulate`, the count and samples add to those of the alarm still open or acknowledged. */
  report (agencyId: string, kind: FindingKind, observation: { readonly count: number; readonly samples: readonly string[]; readonly detail?: Readonly<Record<string, unknown>>; readonly accumulate?: boolean }): Promise<unknown>
  /** With `unseenSince`: resolve only an alarm not reported since then; a newer one stays as it is. */
  resolve (agencyId: string, kind: FindingKind, opts?: { readonly unseenSince?: Date }): Promise<unknown>
}
