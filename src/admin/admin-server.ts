import Fastify, { type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { Ledger } from '../ledger/ledger.js'
import { maskPersonal } from '../logging/mask.js'

export interface AdminDeps {
  readonly redis: Redis
  readonly ledger: Ledger
  readonly agencies: readonly { id: string; name?: string | undefined }[]
  readonly configLoaded: () => boolean
}

/**
 * The hub's health and first admin routes. Probes (`/healthz`, `/readyz`) are open; the
 * `/api` routes answer with personal data masked (the operator-surface issue adds tokens
 * and roles).
 */
export async function buildAdminServer (deps: AdminDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })

  app.get('/healthz', {
    schema: { response: { 200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } } },
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: { response: { '2xx': { type: 'object', additionalProperties: true }, '5xx': { type: 'object', additionalProperties: true } } },
  }, async (_req, reply) => {
    const checks: Record<string, string> = {}
    try {
      const key = `${deps.ledger.keys('_ready').stats}:probe`
      await deps.redis.set(key, String(Date.now()), 'PX', 5000)
      checks.redis = 'ok'
    } catch (err) {
      checks.redis = `unreachable: ${(err as Error).message}`
    }
    checks.config = deps.configLoaded() ? 'ok' : 'not loaded'
    const ready = Object.values(checks).every(v => v === 'ok')
    return await reply.code(ready ? 200 : 503).send({ ready, checks })
  })

  app.get('/api/agencies', async () => {
    const agencies = await Promise.all(deps.agencies.map(async a => ({ id: a.id, name: a.name ?? a.id, ...(await deps.ledger.counters(a.id)) })))
    return { agencies }
  })

  app.get<{ Params: { id: string } }>('/api/agencies/:id/quarantine', async (req, reply) => {
    if (!deps.agencies.some(a => a.id === req.params.id)) return await reply.code(404).send({ error: 'unknown agency', agency: req.params.id })
    const entries = await deps.ledger.quarantine(req.params.id)
    return { agency: req.params.id, count: entries.length, entries: maskPersonal(entries) }
  })

  return app
}
