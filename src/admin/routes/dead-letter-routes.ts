import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { maskForViewer } from '../viewer-mask.js'
import { agencyIdParams, deadLetterSchema, keysBody, pageQuery, withErrors } from '../schemas.js'
import { retryDeadLetters } from '../dead-letter-retry.js'
import { agencyQueue, findAgency } from './agency-routes.js'
import { traceUrl } from './trace-routes.js'

/** Dead letters of one agency: read (viewers masked), deliver again (operator), discard (admin). */
export function registerDeadLetterRoutes (app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>('/api/agencies/:id/dead-letters', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'listDeadLetters',
      tags: ['dead letters'], summary: 'Cases the platform refused or that exhausted their attempts (oldest first)',
      params: agencyIdParams, querystring: pageQuery,
      response: { 200: { type: 'object', required: ['agency', 'count', 'entries'], properties: { agency: { type: 'string' }, count: { type: 'integer' }, entries: { type: 'array', items: deadLetterSchema } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const all = (await deps.ledger.deadLetters(agency.id)).sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt) || a.caseNumber.localeCompare(b.caseNumber))
    const entries = all.slice(req.query.offset, req.query.offset + req.query.limit)
    // The trace address is added after viewer masking (an address, not data).
    return { agency: agency.id, count: all.length, entries: (req.caller?.role === 'viewer' ? maskForViewer(entries) as Record<string, unknown>[] : entries).map((e, i) => ({ ...e, trace: traceUrl(agency.id, entries[i]!.caseNumber) })) }
  })

  app.post<{ Params: { id: string }; Body: { keys?: string[] } }>('/api/agencies/:id/dead-letters/retry', {
    config: { access: 'operator', audit: 'dead-letters.retry' },
    schema: withErrors({
      operationId: 'retryDeadLetters',
      tags: ['dead letters'], summary: 'Queue dead-lettered cases for delivery again',
      params: agencyIdParams, body: keysBody('Case numbers to deliver again'),
      response: {
        200: {
          type: 'object', required: ['agency', 'requeued', 'superseded', 'notFound'],
          properties: {
            agency: { type: 'string' },
            requeued: { type: 'integer' },
            superseded: { type: 'integer', description: 'Dropped: a newer version of the case is already on its way.' },
            notFound: { type: 'integer', description: 'Asked-for case numbers that were not dead letters.' },
          },
        },
      },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const queue = agencyQueue(deps, agency)
    const outcome = await retryDeadLetters({ ledger: deps.ledger, queue, agencyId: agency.id, caseNumbers: req.body?.keys, targetId: agency.target, batchSize: deps.batchSize })
    req.auditDetail = { ...outcome, keys: req.body?.keys?.slice(0, 50) ?? 'all' }
    return { agency: agency.id, ...outcome }
  })

  app.post<{ Params: { id: string }; Body: { keys: string[] } }>('/api/agencies/:id/dead-letters/discard', {
    config: { access: 'admin', audit: 'dead-letters.discard' },
    schema: withErrors({
      operationId: 'discardDeadLetters',
      tags: ['dead letters'], summary: 'Drop dead letters for good (the cases will not be delivered unless they change again)',
      params: agencyIdParams, body: { ...keysBody('Case numbers to discard'), required: ['keys'] },
      response: { 200: { type: 'object', required: ['agency', 'discarded'], properties: { agency: { type: 'string' }, discarded: { type: 'integer' } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const discarded = await deps.ledger.discardDeadLetters(agency.id, req.body.keys)
    req.auditDetail = { requested: req.body.keys.length, discarded, keys: req.body.keys.slice(0, 50) }
    return { agency: agency.id, discarded }
  })
}
