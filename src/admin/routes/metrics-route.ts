import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { withErrors } from '../schemas.js'

/** GET /metrics in the Prometheus text format; open or token-protected by `admin.metrics.requireToken`. */
export function registerMetricsRoute (app: FastifyInstance, deps: AdminDeps): void {
  app.get('/metrics', {
    config: { access: 'metrics' },
    schema: withErrors({
      operationId: 'getMetrics',
      tags: ['probes'], summary: 'Prometheus metrics (text exposition format)',
      produces: ['text/plain'],
      ...(deps.admin.metrics.requireToken === true ? {} : { security: [] }),
      response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
    }, deps.admin.metrics.requireToken !== true),
  }, async (_req, reply) => {
    const text = await deps.metrics.registry.metrics()
    return await reply.type(deps.metrics.registry.contentType).send(text)
  })
}
