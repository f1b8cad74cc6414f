import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'
import { parseSince, type Since } from '../supervision.js'

const samples = { type: 'array', items: { type: 'string' }, maxItems: 20, description: 'up to 20 case numbers' } as const
const kindCounts = (what: string) => ({ type: ['object', 'null'], additionalProperties: { type: 'integer' }, description: `${what} by kind; null: the hub keeps none` }) as const

const rowSchema = {
  type: 'object',
  required: ['agency', 'name', 'since', 'pulled', 'delivered', 'pending', 'missingOnPlatform', 'lateEntries', 'transferRisk', 'timeLimits', 'feedbackPending'],
  properties: {
    agency: { type: 'string' },
    name: { type: 'string' },
    since: { type: ['string', 'null'], description: 'the since asked for; null: everything the ledger holds' },
    pulled: { type: 'integer', description: 'cases pulled and enqueued for delivery (since: whose newest version the hub first saw since)' },
    delivered: { type: 'integer', description: 'cases the platform acknowledged (since: acknowledged since)' },
    pending: { type: 'integer', description: 'versions enqueued and not acknowledged yet, now' },
    missingOnPlatform: {
      type: ['object', 'null'], required: ['count', 'samples', 'reconciledAt'],
      description: 'what the last reconciliation found missing on the platform (not limited by since); null: no reconciliation has compared the platform yet',
      properties: { count: { type: 'integer' }, samples, reconciledAt: { type: 'string', format: 'date-time' } },
    },
    lateEntries: {
      type: 'object', required: ['count', 'samples', 'deadlineDays'],
      description: '迟录: decisions the platform first acknowledged after the entry deadline (since: decided since)',
      properties: { count: { type: 'integer' }, samples, deadlineDays: { type: 'integer' } },
    },
    transferRisk: kindCounts('transfer-risk findings to review'),
    timeLimits: kindCounts('handling time-limit warnings and findings'),
    feedbackPending: { type: ['integer', 'null'], description: 'platform decisions (信息反馈) not yet written to the agency; null: no feedback writer' },
  },
} as const

/**
 * GET /api/supervision — the supervisor's view (监督): per agency, pulled, delivered, missing
 * on the platform, late entries, transfer-risk and time-limit findings, feedback pending.
 * Counts and case numbers only: nothing personal, so a viewer sees it whole.
 */
export function registerSupervisionRoute (app: FastifyInstance, deps: AdminDeps): void {
  const supervision = deps.supervision
  if (supervision === undefined) return
  app.get<{ Querystring: { agency?: string; since?: string } }>('/api/supervision', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'getSupervision',
      tags: ['agencies'], summary: 'Per agency: pulled, delivered, missing on the platform, late entries, transfer-risk and time-limit findings, feedback pending',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          agency: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'one agency; absent: every agency' },
          since: { type: 'string', maxLength: 40, description: 'count from this day (YYYY-MM-DD, from 00:00 UTC+08:00) or date-time with an offset; absent: everything' },
        },
      },
      response: { 200: { type: 'object', required: ['agencies'], properties: { agencies: { type: 'array', items: rowSchema } } } },
    }),
  }, async (req, reply) => {
    const since: Since | undefined = req.query.since === undefined ? undefined : parseSince(req.query.since)
    let ids = supervision.agencyIds()
    if (req.query.agency !== undefined) {
      const agency = await findAgency(deps, req.query.agency, reply)
      if (agency === undefined) return reply
      ids = [agency.id]
    }
    const rows = []
    // One agency after another: each may scan its ledger's hashes, and Redis serves every agency.
    for (const id of ids) rows.push(await supervision.row(id, since))
    return { agencies: rows }
  })
}
