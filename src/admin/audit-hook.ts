import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from './admin-deps.js'
import { appendAudit } from './audit-stream.js'

/**
 * Records every call of a mutating route (one that declares `config.audit`) in the audit
 * stream — refused ones too — before the answer leaves, so a caller who got an answer can
 * rely on the record. If the audit write fails the answer becomes a 500: an action that
 * cannot be audited is reported as failed, never silently unrecorded.
 */
export function installAuditHook (app: FastifyInstance, deps: AdminDeps): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const what = req.routeOptions.config.audit
    if (what === undefined) return payload
    const status = reply.statusCode
    const params = req.params as { id?: string } | undefined
    try {
      await appendAudit(deps.redis, deps.keyPrefix, {
        who: req.caller?.id ?? 'anonymous',
        what,
        ...(params?.id === undefined ? {} : { target: params.id }),
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
