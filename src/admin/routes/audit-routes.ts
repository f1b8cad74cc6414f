import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { readAudit, type AuditStream } from '../../audit/audit-stream.js'
import { withErrors } from '../schemas.js'

/** The audit stream or the refusals stream, newest first (admin only: it names who did what). */
export function registerAuditRoutes (app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Querystring: { limit: number; stream: AuditStream } }>('/api/audit', {
    config: { access: 'admin' },
    schema: withErrors({
      operationId: 'listAudit',
      tags: ['audit'], summary: 'Recent mutating calls (who, what, when, result), or the requests refused before authentication',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          stream: { enum: ['actions', 'refusals'], default: 'actions', description: 'actions: mutating calls of authenticated callers; refusals: requests refused before authentication (no or wrong token, rate-limited), aggregated per client address and minute.' },
        },
      },
      response: {
        200: {
          type: 'object', required: ['entries'],
          properties: {
            entries: {
              type: 'array',
              items: {
                type: 'object', required: ['id', 'who', 'what', 'result', 'when'],
                properties: {
                  id: { type: 'string' }, who: { type: 'string' }, client: { type: 'string' }, what: { type: 'string' }, target: { type: 'string' },
                  result: { enum: ['ok', 'refused', 'failed'] }, status: { type: 'integer' }, when: { type: 'string' }, detail: {},
                },
              },
            },
          },
        },
      },
    }),
  }, async req => ({ entries: await readAudit(deps.redis, deps.keyPrefix, req.query.limit, req.query.stream) }))
}
