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

/** Longest token accepted; a longer Authorization header is malformed, not hashed. */
const MAX_TOKEN_CHARS = 512

/** What the Authorization header holds: no header, a bearer token, or something malformed (another scheme, no or several tokens, control characters, too long). */
function bearer (req: FastifyRequest): { token: string } | 'missing' | 'malformed' {
  const header = req.headers.authorization
  if (header === undefined) return 'missing'
  if (typeof header !== 'string') return 'malformed'
  const m = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header)
  return m?.[1] === undefined || m[1].length > MAX_TOKEN_CHARS ? 'malformed' : { token: m[1] }
}

async function refuse (reply: FastifyReply, status: number, error: string, message: string, headers: Record<string, string> = {}): Promise<FastifyReply> {
  return await reply.code(status).headers(headers).send({ statusCode: status, error, message })
}

/**
 * Bearer-token authentication and role checks, as one onRequest hook over every route:
 * a route declares the least role it needs in `config.access`. Missing or wrong tokens
 * cost the client address one allowance of the bad-token limiter, and an address with none
 * left gets 429 for its bad tokens only — a valid token is always served; a 403 (right
 * token, too weak a role) costs nothing. The client address is the TCP peer unless `admin.trustProxy`
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

    // The token is checked first (in constant time, src/admin/auth/tokens.ts), so a valid token
    // is never refused because of other requests' bad tokens from the same address (one proxy,
    // one NAT); only failures are counted and limited.
    req.refusedAnonymously = true
    const presented = bearer(req)
    const match = typeof presented === 'string' ? undefined : opts.tokens.lookup(presented.token)
    if (match === undefined || match.expired) {
      const wait = opts.limiter.retryAfterMs(req.ip)
      if (wait > 0) return await refuse(reply, 429, 'rate_limited', 'too many bad tokens from this address; try again later (a valid token is still accepted)', { 'retry-after': String(Math.ceil(wait / 1000)) })
      opts.limiter.failed(req.ip)
      const message = presented === 'missing'
        ? 'a bearer token is required (Authorization: Bearer <token>)'
        : presented === 'malformed'
          ? `the Authorization header is malformed; expected "Bearer <token>" with one token of visible ASCII characters, at most ${MAX_TOKEN_CHARS}`
          : match?.expired === true ? 'the token expired; ask for a new one' : 'the token is not valid'
      const challenge = presented === 'missing' ? 'Bearer realm="casebridge"' : `Bearer realm="casebridge", error="invalid_token"${match?.expired === true ? ', error_description="expired"' : ''}`
      return await refuse(reply, 401, 'unauthorized', message, { 'www-authenticate': challenge })
    }
    const caller = match.caller
    req.caller = caller
    req.refusedAnonymously = false
    if (!roleAtLeast(caller.role, needed)) return await refuse(reply, 403, 'forbidden', `this needs the ${needed} role; token "${caller.id}" has ${caller.role}`)
  })
}
