import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import type { QuarantineEntry } from '../../ledger/entries.js'
import { maskForViewer, personalSourceKeys } from '../viewer-mask.js'
import { describeProblem, negotiateLocale, translator, type Translate } from '../../i18n/translate.js'
import { agencyIdParams, keysBody, pageQuery, quarantineEntrySchema, withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'
import { ReprocessBusyError } from '../../errors.js'
import { errorSchema } from '../schemas.js'
import { traceUrl } from './trace-routes.js'

/**
 * Quarantine of one agency: read (viewers see personal data masked) and discard (admin).
 * Reasons are worded in `hub.locale`, or in the caller's Accept-Language when we have it.
 */
export function registerQuarantineRoutes (app: FastifyInstance, deps: AdminDeps): void {
  const present = (t: Translate, e: QuarantineEntry): Record<string, unknown> => ({
    recordKey: e.recordKey,
    ...(e.caseNumber === undefined ? {} : { caseNumber: e.caseNumber }),
    stage: e.stage,
    ...(e.profileVersion === undefined ? {} : { profileVersion: e.profileVersion }),
    stageText: t(`quarantine.stage.${e.stage}`),
    problems: e.problems.map(p => ({ ...p, reason: describeProblem(t, p) })),
    mappingVersion: e.mappingVersion,
    quarantinedAt: e.quarantinedAt,
    ...(e.origin === undefined ? {} : { origin: e.origin }),
    ...(e.position === undefined ? {} : { position: e.position }),
    raw: e.raw,
  })
  // Added after viewer masking (an address, not data).
  const withTrace = (entry: Record<string, unknown>, e: QuarantineEntry): Record<string, unknown> => e.caseNumber === undefined || e.caseNumber === '' ? entry : { ...entry, trace: traceUrl(e.agencyId, e.caseNumber) }

  app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>('/api/agencies/:id/quarantine', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'listQuarantine',
      tags: ['quarantine'], summary: 'Records of an agency held in quarantine, with the reason per field (oldest first)',
      params: agencyIdParams, querystring: pageQuery,
      response: { 200: { type: 'object', required: ['agency', 'count', 'entries'], properties: { agency: { type: 'string' }, count: { type: 'integer', description: 'All entries, not only this page.' }, entries: { type: 'array', items: quarantineEntrySchema } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const all = (await deps.ledger.quarantine(agency.id)).sort((a, b) => a.quarantinedAt.localeCompare(b.quarantinedAt) || a.recordKey.localeCompare(b.recordKey))
    const t = translator(negotiateLocale(req.headers['accept-language'], deps.hub.locale))
    const shown = all.slice(req.query.offset, req.query.offset + req.query.limit)
    const entries = shown.map(e => present(t, e))
    const visible = req.caller?.role === 'viewer' ? maskForViewer(entries, personalSourceKeys(deps.mappings?.get(agency.id)?.current())) as Record<string, unknown>[] : entries
    return { agency: agency.id, count: all.length, entries: visible.map((entry, i) => withTrace(entry, shown[i]!)) }
  })

  const reprocess = deps.reprocessQuarantine
  if (reprocess !== undefined) {
    app.post<{ Params: { id: string }; Body: Record<string, never> | null }>('/api/agencies/:id/quarantine/retry', {
      config: { access: 'operator', audit: 'quarantine.retry' },
      schema: withErrors({
      operationId: 'retryQuarantine',
        tags: ['quarantine'], summary: 'Re-process the quarantined records with the mapping in use (after it was fixed); the valid ones are delivered',
        params: agencyIdParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: {}, description: 'Nothing to send.' },
        response: {
          200: {
            type: 'object', required: ['agency', 'examined', 'released', 'enqueued', 'stillInvalid', 'skipped', 'unmappable', 'mappingVersion'],
            properties: {
              agency: { type: 'string' }, examined: { type: 'integer' }, released: { type: 'integer', description: 'Valid now, delivered like pulled cases.' },
              enqueued: { type: 'integer' }, stillInvalid: { type: 'integer' }, skipped: { type: 'integer' },
              unmappable: { type: 'integer', description: 'Unreadable rows without a raw record, left as they are.' }, mappingVersion: { type: 'string' },
            },
          },
          409: errorSchema,
        },
      }),
    }, async (req, reply) => {
      const agency = await findAgency(deps, req.params.id, reply)
      if (agency === undefined) return reply
      try {
        const summary = await reprocess(agency.id)
        req.auditDetail = summary
        return { agency: agency.id, ...summary }
      } catch (err) {
        if (err instanceof ReprocessBusyError) return await reply.code(409).send({ statusCode: 409, error: 'conflict', message: err.message })
        throw err
      }
    })
  }

  app.post<{ Params: { id: string }; Body: { keys: string[] } }>('/api/agencies/:id/quarantine/discard', {
    config: { access: 'admin', audit: 'quarantine.discard' },
    schema: withErrors({
      operationId: 'discardQuarantine',
      tags: ['quarantine'], summary: 'Drop quarantined records for good (they will not be delivered unless the source changes them again)',
      params: agencyIdParams, body: { ...keysBody('Record keys to discard'), required: ['keys'] },
      response: { 200: { type: 'object', required: ['agency', 'discarded'], properties: { agency: { type: 'string' }, discarded: { type: 'integer' } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const discarded = await deps.ledger.discardQuarantined(agency.id, req.body.keys)
    req.auditDetail = { requested: req.body.keys.length, discarded, keys: req.body.keys.slice(0, 50) }
    return { agency: agency.id, discarded }
  })
}
