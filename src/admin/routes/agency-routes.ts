import type { Queue } from 'bullmq'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AdminAgency, AdminDeps } from '../admin-deps.js'
import { agencyIdParams, agencyStatusSchema, withErrors } from '../schemas.js'
import { agencyStatus, statusContext } from '../agency-status.js'
import type { PushJobData } from '../../delivery/push-job.js'
import { InternalError } from '../../errors.js'

const hubSchema = {
  type: 'object',
  required: ['name', 'locale', 'version', 'startedAt', 'agencies'],
  properties: {
    name: { type: 'string' }, locale: { enum: ['zh-CN', 'en'] }, version: { type: 'string' }, startedAt: { type: 'string' },
    agencies: { type: 'integer' },
  },
} as const

/** Look an agency up, or answer 404 naming the configured ones. */
export async function findAgency (deps: AdminDeps, id: string, reply: FastifyReply): Promise<AdminAgency | undefined> {
  const agency = deps.agencies.find(a => a.id === id)
  if (agency === undefined) {
    await reply.code(404).send({ statusCode: 404, error: 'not_found', message: `no agency "${id}"; configured: ${deps.agencies.map(a => a.id).join(', ')}` })
  }
  return agency
}

/** The push queue of an agency's target (the hub builds one per target, so a miss is a bug). */
export function agencyQueue (deps: AdminDeps, agency: AdminAgency): Queue<PushJobData> {
  const queue = deps.queues.get(agency.target)
  if (queue === undefined) throw new InternalError(`agency ${agency.id}: target "${agency.target}" has no queue`)
  return queue
}

/** The hub and its agencies: status, counts, lag; and "pull this agency now". */
export function registerAgencyRoutes (app: FastifyInstance, deps: AdminDeps): void {
  app.get('/api/hub', {
    config: { access: 'viewer' },
    schema: withErrors({ operationId: 'getHub', tags: ['agencies'], summary: 'The hub: name, language of operator texts, version', response: { 200: hubSchema } }),
  }, async () => ({ name: deps.hub.name, locale: deps.hub.locale, version: deps.hub.version, startedAt: deps.hub.startedAt, agencies: deps.agencies.length }))

  app.get('/api/agencies', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'listAgencies',
      tags: ['agencies'], summary: 'Every agency with last pull, lag, counts, open alarms, and why it is not well: readiness, the pull side and the push side, each with its last error and since when',
      response: { 200: { type: 'object', required: ['generatedAt', 'agencies'], properties: { generatedAt: { type: 'string' }, agencies: { type: 'array', items: agencyStatusSchema } } } },
    }),
  }, async () => {
    const context = await statusContext(deps)
    return { generatedAt: new Date().toISOString(), agencies: await Promise.all(deps.agencies.map(async a => await agencyStatus(deps, a, context))) }
  })

  app.get<{ Params: { id: string } }>('/api/agencies/:id', {
    config: { access: 'viewer' },
    schema: withErrors({ operationId: 'getAgency', tags: ['agencies'], summary: 'One agency\'s status', params: agencyIdParams, response: { 200: agencyStatusSchema } }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    return await agencyStatus(deps, agency, await statusContext(deps))
  })

  app.post<{ Params: { id: string } }>('/api/agencies/:id/sync', {
    config: { access: 'operator', audit: 'agency.sync' },
    schema: withErrors({
      operationId: 'syncAgency',
      tags: ['agencies'], summary: 'Pull this agency now (answers at once; follow progress on GET /api/agencies/:id)',
      params: agencyIdParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: {}, description: 'Nothing to send; an empty object or no body.' },
      response: { 202: { type: 'object', required: ['agency', 'started'], properties: { agency: { type: 'string' }, started: { type: 'boolean', description: 'false: a pull was already running; it goes on' } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const running = await deps.ledger.isPulling(agency.id)
    if (!running) {
      deps.triggerPull(agency.id).catch((err: unknown) => deps.logger.error({ err, agency: agency.id }, 'pull requested through the admin API failed'))
    }
    req.auditDetail = { started: !running }
    return await reply.code(202).send({ agency: agency.id, started: !running })
  })
}
