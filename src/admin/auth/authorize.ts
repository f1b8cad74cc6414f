import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { roleAtLeast, type Caller, type Role, type TokenTable } from './tokens.js'
import type { BadTokenLimiter } from './bad-token-limiter.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role allowed; 'open' for probes. Routes under /api without one need 'viewer'. */
    access?: Role | 'open' | 'metrics'
    /** Action name recorded in the audit stream for this (mutating) route. */
    audit?: string
  }
  interface FastifyRequest {
    caller: Caller | null
    /** What a mutating route did, for its audit entry (counts, keys; never personal data). */
    auditDetail: unknown
    /** Refused before anyone was authenticated (401, or 429 of the bad-token limit): recorded in the refusals stream. */
    refusedAnonymously: boolean
  }
}

export interface AuthOptions {
  readonly tokens: TokenTable
  readonly limiter: BadTokenLimiter
  readonly metricsNeedToken: boolean
}

function bearer (req: FastifyRequest): string | undefined {
  const header = req.headers.authorization
  if (typeof header !== 'string') return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return m?.[1]
}

async function refuse (reply: FastifyReply, status: number, error: string, message: string, headers: Record<string, string> = {}): Promise<FastifyReply> {
  return await reply.code(status).headers(headers).send({ statusCode: status, error, message })
}

/**
 * Bearer-token authentication and role checks, as one onRequest hook over every route:
 * a route declares the least role it needs in `config.access`. Missing or wrong tokens
 * cost the client address one allowance of the bad-token limiter; a 403 (right token,
 * too weak a role) does not. The client address is the TCP peer unless `admin.trustProxy`
 * names the proxy whose X-Forwarded-For to believe (fastify's `trustProxy`, which sets `req.ip`).
 */
export function installAuth (app: FastifyInstance, opts: AuthOptions): void {
  app.decorateRequest('caller', null)
  app.decorateRequest('auditDetail', undefined)
  app.decorateRequest('refusedAnonymously', false)
  app.addHook('onRequest', async (req, reply) => {
    const declared = req.routeOptions.config.access
    let needed: Role | undefined
    if (declared === 'open') return
    if (declared === 'metrics') {
      if (!opts.metricsNeedToken) return
      needed = 'viewer'
    } else {
      needed = declared ?? (req.url.startsWith('/api') ? 'viewer' : undefined)
    }
    if (needed === undefined) return

    const wait = opts.limiter.retryAfterMs(req.ip)
    req.refusedAnonymously = true
    if (wait > 0) return await refuse(reply, 429, 'rate_limited', 'too many bad tokens from this address; try again later', { 'retry-after': String(Math.ceil(wait / 1000)) })
    const presented = bearer(req)
    const caller = presented === undefined ? undefined : opts.tokens.find(presented)
    if (caller === undefined) {
      opts.limiter.failed(req.ip)
      return await refuse(reply, 401, 'unauthorized', presented === undefined ? 'a bearer token is required (Authorization: Bearer <token>)' : 'the token is not valid', { 'www-authenticate': 'Bearer realm="casebridge"' })
    }
    req.caller = caller
    req.refusedAnonymously = false
    if (!roleAtLeast(caller.role, needed)) return await refuse(reply, 403, 'forbidden', `this needs the ${needed} role; token "${caller.id}" has ${caller.role}`)
  })
}
