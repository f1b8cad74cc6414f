/**
 * The trace store's Redis keys (the trace owns them; the ledger only passes its MULTI).
 * They share the agency's hash tag with the ledger's keys, so one MULTI or script can
 * write a state change and its trace event in the same Redis Cluster slot.
 */
export interface TraceKeys {
  /** HASH caseNumber → "seq|hash": the last event of each traced case (the chain's head; also the list of traced cases). */
  readonly head: string
  /** HASH caseNumber → "seq|hash": the last event pruned by retention (the anchor the kept events chain on). */
  readonly anchor: string
  /** HASH { tick, tickClaimedAt }: the day whose anchor digest a hub process claimed (one per day across processes, src/redis/claim-tick.ts). */
  readonly digestTick: string
  /** The LIST of a case's events, oldest first, each a compact JSON text (src/trace/trace-event.ts). */
  events (caseNumber: string): string
}

export function traceKeys (prefix: string, agencyId: string): TraceKeys {
  const base = `${prefix}:{${agencyId}}:trace`
  return {
    head: `${base}-head`,
    anchor: `${base}-anchor`,
    digestTick: `${base}-digest-tick`,
    events: caseNumber => `${base}:${caseNumber}`,
  }
}
