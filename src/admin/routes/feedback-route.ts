import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { agencyIdParams, keysBody, withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'

const decisionSchema = {
  type: 'object',
  required: ['id', 'caseNumber', 'decision', 'decidedAt'],
  properties: {
    id: { type: 'string', description: "the platform's decision id" },
    caseNumber: { type: 'string' },
    decision: { type: 'string', description: 'accepted, filed, declined, returned, supervised_filing or supervised_transfer' },
    decidedAt: { type: 'string' },
    since: { type: 'string', description: 'pending: when the hub found it (read from the listing, or by reconciliation)' },
    foundBy: { type: 'string', enum: ['listing', 'reconciliation'] },
    reason: { type: 'string', description: 'dead letter: why the writer did not take it' },
    deadLetteredAt: { type: 'string' },
  },
} as const

/** GET /api/agencies/:id/feedback — feedback (信息反馈) to the agency: decisions written, pending, dead letters. */
export function registerFeedbackRoute (app: FastifyInstance, deps: AdminDeps): void {
  const feedback = deps.feedback
  if (feedback === undefined) return
  app.get<{ Params: { id: string } }>('/api/agencies/:id/feedback', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'getAgencyFeedback',
      tags: ['agencies'], summary: "Feedback (信息反馈): the platform's decisions on the agency's cases written back to its system, pending, or dead letters",
      params: agencyIdParams,
      response: {
        200: {
          type: 'object', required: ['agency', 'writer', 'written', 'pending', 'deadLetters', 'pendingDecisions', 'deadLetterDecisions'],
          properties: {
            agency: { type: 'string' },
            writer: { type: 'boolean', description: 'the agency has a feedback writer' },
            written: { type: 'integer' },
            pending: { type: 'integer', description: 'read from the platform (or found by reconciliation), not written yet' },
            deadLetters: { type: 'integer' },
            pendingDecisions: { type: 'array', items: decisionSchema },
            deadLetterDecisions: { type: 'array', items: decisionSchema },
          },
        },
      },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const [counts, pending, dead] = await Promise.all([feedback.counts(agency.id), feedback.store.pending(agency.id), feedback.store.deadLetters(agency.id)])
    return {
      agency: agency.id,
      writer: feedback.agencyIds.includes(agency.id),
      ...counts,
      // The platform's note is free text: not shown here.
      pendingDecisions: [...pending].map(([id, p]) => ({ id, caseNumber: p.caseNumber, decision: p.decision, decidedAt: p.decidedAt, since: p.since, foundBy: p.foundBy })),
      deadLetterDecisions: dead.map(d => ({ id: d.decision.id, caseNumber: d.decision.caseNumber, decision: d.decision.decision, decidedAt: d.decision.decidedAt, reason: d.reason, deadLetteredAt: d.deadLetteredAt })),
    }
  })

  app.post<{ Params: { id: string }; Body: { keys?: string[] } }>('/api/agencies/:id/feedback/retry', {
    config: { access: 'operator', audit: 'feedback.retry' },
    schema: withErrors({
      operationId: 'retryFeedbackDeadLetters',
      tags: ['agencies'], summary: "Write the agency's feedback dead letters again",
      params: agencyIdParams, body: keysBody('Decision ids to write again'),
      response: { 200: { type: 'object', required: ['agency', 'requeued', 'notFound'], properties: { agency: { type: 'string' }, requeued: { type: 'integer' }, notFound: { type: 'integer', description: 'Asked-for decision ids that were not dead letters.' } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const outcome = await feedback.retryDeadLetters(agency.id, req.body?.keys)
    req.auditDetail = { ...outcome, keys: req.body?.keys?.slice(0, 50) ?? 'all' }
    return { agency: agency.id, ...outcome }
  })
}
