import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { agencyIdParams, withErrors } from '../schemas.js'
import { clearRetries } from '../../delivery/clear-retries.js'
import { agencyQueue, findAgency } from './agency-routes.js'

const emptyBody = { type: ['object', 'null'], additionalProperties: false, properties: {}, description: 'Nothing to send; an empty object or no body.' } as const

/**
 * Stopping a retry storm or an agency that misbehaves, without stopping the hub: pause
 * (no pulls, its queued pushes wait), resume, and clear its retries (the cases of its
 * retrying push jobs become dead letters, to be retried once the cause is fixed).
 */
export function registerFlowRoutes (app: FastifyInstance, deps: AdminDeps): void {
  const pausedReply = { type: 'object', required: ['agency', 'paused', 'changed'], properties: { agency: { type: 'string' }, paused: { type: 'boolean' }, changed: { type: 'boolean', description: 'false: it already was in that state' } } } as const

  app.post<{ Params: { id: string } }>('/api/agencies/:id/pause', {
    config: { access: 'operator', audit: 'agency.pause' },
    schema: withErrors({ operationId: 'pauseAgency', tags: ['agencies'], summary: 'Pause an agency: no pulls; its queued pushes wait (on every hub process) until resumed', params: agencyIdParams, body: emptyBody, response: { 200: pausedReply } }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const changed = await deps.ledger.pause(agency.id, req.caller?.id ?? 'anonymous')
    req.auditDetail = { changed }
    return { agency: agency.id, paused: true, changed }
  })

  app.post<{ Params: { id: string } }>('/api/agencies/:id/resume', {
    config: { access: 'operator', audit: 'agency.resume' },
    schema: withErrors({ operationId: 'resumeAgency', tags: ['agencies'], summary: 'Resume a paused agency: pulls and pushes go on', params: agencyIdParams, body: emptyBody, response: { 200: pausedReply } }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const changed = await deps.ledger.resume(agency.id)
    req.auditDetail = { changed }
    return { agency: agency.id, paused: false, changed }
  })

  app.post<{ Params: { id: string } }>('/api/agencies/:id/retries/clear', {
    config: { access: 'operator', audit: 'agency.clear-retries' },
    schema: withErrors({
      operationId: 'clearRetries',
      tags: ['agencies'], summary: 'Take the agency\'s retrying push jobs out of the queue; their cases become dead letters (retry them once the cause is fixed)',
      params: agencyIdParams, body: emptyBody,
      response: {
        200: {
          type: 'object', required: ['agency', 'jobs', 'cases', 'busy'],
          properties: {
            agency: { type: 'string' },
            jobs: { type: 'integer', description: 'Retrying jobs taken out of the queue.' },
            cases: { type: 'integer', description: 'Their cases, now dead letters.' },
            busy: { type: 'integer', description: 'Jobs in the middle of an attempt, left to finish it.' },
          },
        },
      },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const queue = agencyQueue(deps, agency)
    const outcome = await clearRetries({ queue, ledger: deps.ledger, agencyId: agency.id, by: req.caller?.id ?? 'anonymous' })
    req.auditDetail = { ...outcome }
    return { agency: agency.id, ...outcome }
  })
}
