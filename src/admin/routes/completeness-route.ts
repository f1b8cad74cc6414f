import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { agencyIdParams, withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'
import { agencyCompleteness } from '../agency-completeness.js'

const fieldSchema = {
  type: 'object',
  required: ['field', 'missingInRecords', 'missingByDesign', 'ratio'],
  properties: {
    field: { type: 'string', description: 'canonical field (JSON pointer)' },
    missingInRecords: { type: 'integer', description: 'cases whose newest version lacks the field where it is expected' },
    missingByDesign: { type: 'boolean', description: "the agency's system has no such column (absent: in its mapping)" },
    note: { type: 'string', description: 'the mapping\'s note on an absent field' },
    ratio: { type: ['number', 'null'], description: 'share of the cases not missing the field; null while there is no case' },
  },
} as const

/** GET /api/agencies/:id/completeness — 信息不全 per field: missing in records, missing by design. */
export function registerCompletenessRoute (app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Params: { id: string } }>('/api/agencies/:id/completeness', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'getAgencyCompleteness',
      tags: ['agencies'], summary: 'Completeness (信息不全) per expected field: the share of the agency\'s cases with a value, missing in records or by design',
      params: agencyIdParams,
      response: { 200: { type: 'object', required: ['agency', 'cases', 'fields'], properties: { agency: { type: 'string' }, cases: { type: 'integer', description: "the agency's cases (newest versions the hub delivers)" }, fields: { type: 'array', items: fieldSchema } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    return await agencyCompleteness(deps, agency.id)
  })
}
