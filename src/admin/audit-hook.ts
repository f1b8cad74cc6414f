import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from './admin-deps.js'
import { appendAudit } from '../audit/audit-stream.js'
import { RefusalLog } from './refusal-log.js'

/**
 * Records every call of a mutating route (one that declares `config.audit`) by an
 * authenticated caller in the audit stream — refused ones too — before the answer leaves,
 * so a caller who got an answer can rely on the record. If the audit write fails the
 * answer becomes a 500: an action that cannot be audited is reported as failed, never
 * silently unrecorded. Requests refused before authentication, on any route, go to the
 * refusals stream instead, aggregated per client ({@link RefusalLog}): anonymous traffic
 * cannot flush the audit stream.
 */
export function installAuditHook (app: FastifyInstance, deps: AdminDeps): void {
  const refusals = new RefusalLog(deps.redis, deps.keyPrefix, deps.logger)
  app.addHook('onClose', async () => { await refusals.close() })
  app.addHook('onSend', async (req, reply, payload) => {
    const what = req.routeOptions.config.audit
    const params = req.params as { id?: string } | undefined
    const target = params?.id === undefined ? {} : { target: params.id }
    const status = reply.statusCode
    if (req.refusedAnonymously) {
      // The route pattern, never the raw URL: an anonymous client chooses that text.
      await refusals.record({ client: req.ip, what: what ?? `${req.method} ${req.routeOptions.url ?? '(no route)'}`, status, ...target })
      return payload
    }
    if (what === undefined) return payload
    try {
      await appendAudit(deps.redis, deps.keyPrefix, {
        who: req.caller?.id ?? 'anonymous',
        what,
        ...target,
        result: status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
        status,
        ...(req.auditDetail === undefined ? {} : { detail: req.auditDetail }),
      })
    } catch (err) {
      deps.logger.error({ err, what, who: req.caller?.id }, 'could not write the audit stream')
      reply.code(500)
      return JSON.stringify({ statusCode: 500, error: 'internal', message: 'the action could not be recorded in the audit stream; check Redis' })
    }
    return payload
  })
}
