import type { FindingKind } from './findings.js'

/**
 * Where reconciliation reports what it found: one alarm per agency and finding kind,
 * raised with the count and sample case numbers, or resolved when the kind is found
 * clean. The hub passes its alarm service (src/alarms); reconciliation knows nothing more
 * of alarms — their states, webhooks and texts are the alarm module's.
 */
export interface AlarmSink {
  report (agencyId: string, kind: FindingKind, observation: { readonly count: number; readonly samples: readonly string[]; readonly detail?: Readonly<Record<string, unknown>> }): Promise<unknown>
  resolve (agencyId: string, kind: FindingKind): Promise<unknown>
}
