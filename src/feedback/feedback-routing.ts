import type { FeedbackDecision } from '../contracts/feedback.js'

/** An agency that takes feedback: its id, its target, and the code the platform files its cases under (when known). */
export interface FeedbackAgency {
  readonly id: string
  readonly targetId: string
  /** Resolved at every pull: configured, else learned from the platform's acknowledgements (src/ledger/ledger.ts). */
  readonly agencyCode: () => Promise<string | undefined>
}

/**
 * Which agency each decision of a target's listing belongs to, by agency code. A decision
 * for a code no agency with a writer has is unrouted: counted, and passed over by the cursor
 * (feedback reconciliation still sees it once an agency claims the code).
 */
export async function routeDecisions (agencies: readonly FeedbackAgency[], decisions: readonly FeedbackDecision[]): Promise<{ routed: Map<string, FeedbackDecision[]>; unrouted: number }> {
  const byCode = new Map<string, string>()
  for (const agency of agencies) {
    const code = await agency.agencyCode()
    if (code !== undefined) byCode.set(code, agency.id)
  }
  const routed = new Map<string, FeedbackDecision[]>()
  let unrouted = 0
  for (const d of decisions) {
    const agencyId = byCode.get(d.agencyCode)
    if (agencyId === undefined) { unrouted++; continue }
    const list = routed.get(agencyId) ?? []
    list.push(d)
    routed.set(agencyId, list)
  }
  return { routed, unrouted }
}
