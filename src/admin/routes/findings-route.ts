import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'
import { RISK_FINDING_KINDS, type RiskFindingKind } from '../../risk/findings.js'

const findingSchema = {
  type: 'object',
  required: ['kind', 'caseNumber', 'detail'],
  properties: {
    kind: { enum: [...RISK_FINDING_KINDS] },
    caseNumber: { type: 'string' },
    rule: { type: 'string', description: 'the rule or time limit (its id in the rules file) that raised it' },
    detail: { type: 'object', additionalProperties: true, description: 'amounts, threshold and citation, or dates and deadline, or the other cases (agency:caseNumber) naming the same party — never a name or ID number' },
  },
} as const

/**
 * GET /api/findings?agency=&kind= — transfer-risk and time-limit findings to review (待核查),
 * as last computed, per agency. Viewer-safe: case numbers, rule ids, amounts, dates,
 * citations; no party's name or ID (the facts they come from hold none).
 */
export function registerFindingsRoute (app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Querystring: { agency?: string; kind?: RiskFindingKind } }>('/api/findings', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'listFindings',
      tags: ['findings'], summary: 'Transfer-risk and handling time-limit findings to review (待核查, not a legal judgement), per agency',
      querystring: { type: 'object', additionalProperties: false, properties: { agency: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }, kind: { enum: [...RISK_FINDING_KINDS] } } },
      response: {
        200: {
          type: 'object', required: ['enabled', 'agencies'],
          properties: {
            enabled: { type: 'boolean', description: 'false: the hub has no risk: section (no findings are computed)' },
            agencies: {
              type: 'array',
              items: {
                type: 'object', required: ['agency', 'counts', 'findings'],
                properties: {
                  agency: { type: 'string' },
                  computedAt: { type: 'string', description: 'when the findings were last computed (absent: not yet)' },
                  counts: { type: 'object', additionalProperties: { type: 'integer' }, description: 'cases per finding kind' },
                  findings: { type: 'array', items: findingSchema },
                },
              },
            },
          },
        },
      },
    }),
  }, async (req, reply) => {
    const risk = deps.risk
    if (risk === undefined) return { enabled: false, agencies: [] }
    let wanted = deps.agencies
    if (req.query.agency !== undefined) {
      const one = await findAgency(deps, req.query.agency, reply)
      if (one === undefined) return reply
      wanted = [one]
    }
    const kinds = req.query.kind === undefined ? RISK_FINDING_KINDS : [req.query.kind]
    const agencies = await Promise.all(wanted.map(async a => {
      const { findings, computedAt } = await risk.findings(a.id)
      const counts = Object.fromEntries(kinds.map(kind => [kind, new Set(findings[kind].map(f => f.caseNumber)).size]))
      return { agency: a.id, ...(computedAt === undefined ? {} : { computedAt }), counts, findings: kinds.flatMap(kind => findings[kind].map(f => ({ kind, ...f }))) }
    }))
    return { enabled: true, agencies }
  })
}
