import { readFileSync } from 'node:fs'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { ConfigError } from '../errors.js'
import swagger from '@fastify/swagger'
import type { AdminDeps } from './admin-deps.js'
import { TokenTable } from './auth/tokens.js'
import { BadTokenLimiter } from './auth/bad-token-limiter.js'
import { installAuth } from './auth/authorize.js'
import { installAuditHook } from './audit-hook.js'
import { installJsonBody } from './json-body.js'
import { installPathScrub } from './machine-paths.js'
import { registerHealthRoutes } from './routes/health-routes.js'
import { registerMetricsRoute } from './routes/metrics-route.js'
import { registerAgencyRoutes } from './routes/agency-routes.js'
import { registerCompletenessRoute } from './routes/completeness-route.js'
import { registerSupervisionRoute } from './routes/supervision-route.js'
import { registerFindingsRoute } from './routes/findings-route.js'
import { registerFeedbackRoute } from './routes/feedback-route.js'
import { registerQuarantineRoutes } from './routes/quarantine-routes.js'
import { registerDeadLetterRoutes } from './routes/dead-letter-routes.js'
import { registerFlowRoutes } from './routes/flow-routes.js'
import { registerAuditRoutes } from './routes/audit-routes.js'
import { registerAlarmRoutes } from './routes/alarm-routes.js'
import { registerReconcileRoute } from './routes/reconcile-route.js'
import { registerMappingPreviewRoute } from './routes/mapping-preview-route.js'
import { registerTraceRoutes } from './routes/trace-routes.js'

export type { AdminDeps } from './admin-deps.js'

/**
 * `admin.tls` as Node's TLS server options: the key and certificate, and with a client CA,
 * mutual TLS — a client without a certificate that CA signed is refused during the handshake.
 * An unreadable file is a config error at start, naming the key.
 */
function tlsOptions (tls: AdminDeps['admin']['tls']): { key: Buffer; cert: Buffer; ca?: Buffer; requestCert?: boolean; rejectUnauthorized?: boolean } | undefined {
  if (tls === undefined) return undefined
  const read = (key: string, file: string): Buffer => {
    try {
      return readFileSync(file)
    } catch (err) {
      throw new ConfigError(`admin.tls.${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, [], { cause: err })
    }
  }
  const base = { key: read('keyFile', tls.keyFile), cert: read('certFile', tls.certFile) }
  return tls.clientCaFile === undefined ? base : { ...base, ca: read('clientCaFile', tls.clientCaFile), requestCert: true, rejectUnauthorized: true }
}

/**
 * The hub's admin API: probes (`/healthz`, `/readyz`, open), `/metrics` (open or token, by
 * config), the operator routes under `/api` (bearer token and role), and the OpenAPI
 * document generated from the routes' schemas at `/docs/json`. Every mutating route is
 * recorded in the audit stream; requests refused before authentication in the refusals
 * stream. Bad tokens are rate-limited per client address.
 */
export async function buildAdminServer (deps: AdminDeps): Promise<FastifyInstance> {
  const tokens = new TokenTable(deps.admin.tokens)
  // Off unless configured: otherwise any client could pick the address the bad-token limit keys by.
  const https = tlsOptions(deps.admin.tls)
  const options = { logger: false, bodyLimit: deps.admin.bodyLimitBytes, trustProxy: deps.admin.trustProxy }
  const app: FastifyInstance = https === undefined ? Fastify(options) : Fastify({ ...options, https })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'CaseBridge admin API', version: deps.hub.version, description: 'Operate a CaseBridge hub: agency status, quarantine, dead letters, pulls on demand. Every /api route needs a bearer token; roles viewer < operator < admin.' },
      components: { securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'A token whose SHA-256 is listed in admin.tokens of the hub config.' } } },
      security: [{ bearerToken: [] }],
      // Relative: the document is served by the hub it describes (GET /docs/json), so a tool
      // that loaded it from there calls that same hub, whatever address or proxy it came through.
      servers: [{ url: '/', description: 'The hub that served this document' }],
    },
  })

  const limit = deps.admin.badTokenLimit
  installAuth(app, { tokens, limiter: new BadTokenLimiter(limit.burst, limit.perMinute), metricsNeedToken: deps.admin.metrics.requireToken })
  installAuditHook(app, deps)
  installJsonBody(app)
  installPathScrub(app, { ...(deps.configFile === undefined ? {} : { configFile: deps.configFile }), ...(deps.mappings === undefined ? {} : { mappings: deps.mappings }) })

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation !== undefined) return reply.code(400).send({ statusCode: 400, error: 'bad_request', message: err.message })
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ statusCode: 413, error: 'payload_too_large', message: `the request body is larger than ${deps.admin.bodyLimitBytes} bytes (admin.bodyLimitBytes)` })
    const status = err.statusCode ?? 500
    if (status === 415) return reply.code(415).send({ statusCode: 415, error: 'unsupported_media_type', message: `expected a JSON body (content-type: application/json); ${err.message}` })
    if (status < 500) return reply.code(status).send({ statusCode: status, error: 'bad_request', message: err.message })
    deps.logger.error({ err, route: req.routeOptions.url }, 'admin API request failed')
    return reply.code(500).send({ statusCode: 500, error: 'internal', message: 'the request failed inside the hub; the hub log has the details' })
  })
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ statusCode: 404, error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` }))

  registerHealthRoutes(app, deps)
  registerMetricsRoute(app, deps)
  registerAgencyRoutes(app, deps)
  registerCompletenessRoute(app, deps)
  registerSupervisionRoute(app, deps)
  registerQuarantineRoutes(app, deps)
  registerDeadLetterRoutes(app, deps)
  registerFlowRoutes(app, deps)
  registerAuditRoutes(app, deps)
  registerAlarmRoutes(app, deps)
  registerReconcileRoute(app, deps)
  registerMappingPreviewRoute(app, deps)
  registerFindingsRoute(app, deps)
  registerFeedbackRoute(app, deps)
  registerTraceRoutes(app, deps)

  app.get('/docs/json', { config: { access: 'open' }, schema: { hide: true } }, async () => app.swagger())
  return app
}
