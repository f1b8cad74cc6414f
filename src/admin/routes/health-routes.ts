import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { checkReadiness } from '../readiness.js'

const readinessSchema = {
  type: 'object',
  required: ['ready', 'checks'],
  properties: {
    ready: { type: 'boolean' },
    checks: {
      type: 'array',
      items: { type: 'object', required: ['name', 'ok', 'detail'], properties: { name: { type: 'string' }, ok: { type: 'boolean' }, detail: { type: 'string' } } },
    },
  },
} as const

/** Probes for orchestrators: open, cheap, no personal data. */
export function registerHealthRoutes (app: FastifyInstance, deps: AdminDeps): void {
  app.get('/healthz', {
    config: { access: 'open' },
    schema: {
      operationId: 'getHealth',
      tags: ['probes'], summary: 'The process is up', security: [],
      response: { 200: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } },
    },
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    config: { access: 'open' },
    schema: {
      operationId: 'getReadiness',
      tags: ['probes'], summary: 'Redis writable, config loaded with a good mapping per enabled agency, every target answering a probe', security: [],
      response: { 200: readinessSchema, 503: readinessSchema },
    },
  }, async (_req, reply) => {
    const readiness = await checkReadiness(deps)
    return await reply.code(readiness.ready ? 200 : 503).send(readiness)
  })
}
