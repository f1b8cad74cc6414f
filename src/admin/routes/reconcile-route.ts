import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { ReconcileBusyError } from '../../errors.js'
import { agencyIdParams, errorSchema, withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'
import { RECONCILE_PHASES, type ReconcileProgress } from '../../reconcile/progress.js'

const progressSchema = {
  type: 'object', required: ['running'],
  properties: {
    running: { type: 'boolean', description: 'false: no reconciliation of this agency is running on any hub process' },
    progress: {
      type: 'object', required: ['runId', 'phase', 'done', 'startedAt', 'phaseStartedAt', 'at'],
      properties: {
        runId: { type: 'string' }, phase: { enum: [...RECONCILE_PHASES] },
        done: { type: 'integer', description: 'records this phase has got through: source records listed, platform cases listed, cases compared, cases re-sent' },
        startedAt: { type: 'string' }, phaseStartedAt: { type: 'string' }, at: { type: 'string', description: 'when the count was taken' },
      },
    },
  },
} as const

/**
 * "Reconcile this agency now" (operator). The answer waits for the run and is its result
 * (findings per kind, counts, repair) — a run over a million cases takes tens of seconds
 * with digests. 409 while another run of the agency goes on. Its progress (phase, records
 * done), from whichever hub process runs it, is on GET …/reconcile/progress. Registered only
 * when the hub has a reconciliation module.
 */
export function registerReconcileRoute (app: FastifyInstance, deps: AdminDeps): void {
  const reconcileNow = deps.reconcileNow
  if (reconcileNow === undefined) return
  app.get<{ Params: { id: string } }>('/api/agencies/:id/reconcile/progress', {
    config: { access: 'viewer' },
    schema: withErrors({ operationId: 'getReconcileProgress', tags: ['agencies'], summary: 'How far the running reconciliation of this agency is (phase, records done)', params: agencyIdParams, response: { 200: progressSchema } }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const progress = await deps.ledger.reconcileState(agency.id).progress<ReconcileProgress>()
    return progress === undefined ? { running: false } : { running: true, progress }
  })

  app.post<{ Params: { id: string }; Body: { repair?: boolean; fullListing?: boolean } | null }>('/api/agencies/:id/reconcile', {
    config: { access: 'operator', audit: 'agency.reconcile' },
    schema: withErrors({
      operationId: 'reconcileAgency',
      tags: ['agencies'], summary: 'Reconcile source ⇄ ledger ⇄ platform for this agency now; optionally repair',
      params: agencyIdParams,
      body: {
        type: ['object', 'null'], additionalProperties: false,
        properties: {
          repair: { type: 'boolean', default: false, description: 'Re-send missing, changed and differing cases (never deletes on the platform).' },
          fullListing: { type: 'boolean', default: false, description: 'List the platform fully instead of comparing digests.' },
        },
      },
      response: {
        200: { type: 'object', additionalProperties: true, required: ['runId', 'agencyId', 'findings', 'counts'], properties: { runId: { type: 'string' }, agencyId: { type: 'string' }, durationMs: { type: 'integer' }, findings: { type: 'object', additionalProperties: true }, counts: { type: 'object', additionalProperties: true } } },
        409: errorSchema,
      },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const opts = { repair: req.body?.repair === true, fullListing: req.body?.fullListing === true }
    try {
      const result = await reconcileNow(agency.id, opts)
      req.auditDetail = { ...opts, runId: result.runId, findings: Object.fromEntries(Object.entries(result.findings).map(([k, v]) => [k, v.count])), repaired: result.repair?.enqueued ?? 0 }
      return result
    } catch (err) {
      if (err instanceof ReconcileBusyError) return await reply.code(409).send({ statusCode: 409, error: 'conflict', message: err.message })
      throw err
    }
  })
}
