import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { agencyIdParams, withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'
import { TraceStore } from '../../trace/trace-store.js'
import { verifyChain } from '../../trace/trace-verify.js'
import { GENESIS_HASH } from '../../trace/trace-event.js'

const caseParams = {
  type: 'object',
  required: ['id', 'caseNumber'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Agency id from the hub config.' },
    caseNumber: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const

const breakSchema = {
  type: 'object',
  required: ['caseNumber', 'seq', 'problem'],
  properties: {
    caseNumber: { type: 'string' },
    seq: { type: 'integer', description: 'The event that breaks the chain (the seq it has, or should have had).' },
    problem: { enum: ['unreadable', 'hash', 'sequence', 'head', 'algorithm'], description: 'hash: the previous hash and its content do not give its hash (it, or the one before it, was changed); sequence: an event is missing or repeated; head: events are missing at the end; algorithm: this Node cannot compute its hash.' },
  },
} as const

const anchorSchema = { type: 'object', required: ['seq', 'hash'], properties: { seq: { type: 'integer' }, hash: { type: 'string' } }, description: 'The last event pruned by retention: the kept events chain on its hash.' } as const

/** The trace's address of a case, given in the quarantine and dead-letter listings. */
export function traceUrl (agencyId: string, caseNumber: string): string {
  return `/api/agencies/${encodeURIComponent(agencyId)}/cases/${encodeURIComponent(caseNumber)}/trace`
}

/**
 * A case's trace (viewer: events hold hashes, codes, field names and masked messages — no
 * value of a case) and the verification of an agency's chains (operator: it reads them all).
 */
export function registerTraceRoutes (app: FastifyInstance, deps: AdminDeps): void {
  const store = new TraceStore(deps.redis, deps.keyPrefix)

  app.get<{ Params: { id: string; caseNumber: string } }>('/api/agencies/:id/cases/:caseNumber/trace', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'getCaseTrace',
      tags: ['trace'], summary: 'The trace of one case: every recorded event, oldest first, hash-chained; and whether its chain verifies',
      params: caseParams,
      response: {
        200: {
          type: 'object', required: ['agency', 'caseNumber', 'events', 'verified'],
          properties: {
            agency: { type: 'string' },
            caseNumber: { type: 'string' },
            anchor: anchorSchema,
            events: { type: 'array', items: { type: 'object', additionalProperties: true, required: ['seq', 'at', 'kind', 'alg', 'hash', 'prev'], description: 'Each event as stored, with `prev` (the hash it chains on: the previous event\'s, the anchor\'s, or the genesis value) added for reading.' } },
            verified: { type: 'boolean' },
            break: breakSchema,
          },
        },
      },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    const { caseNumber } = req.params
    const chain = await store.chain(agency.id, caseNumber)
    const broken = verifyChain(chain)
    const anchor = await store.anchorOf(agency.id, caseNumber)
    let prev = anchor?.hash ?? GENESIS_HASH
    const events = chain.texts.map(text => {
      const event = JSON.parse(text) as { hash?: unknown }
      const shown = { ...event, prev }
      prev = typeof event.hash === 'string' ? event.hash : ''
      return shown
    })
    return {
      agency: agency.id, caseNumber, events, verified: broken === undefined,
      ...(anchor === undefined ? {} : { anchor }), ...(broken === undefined ? {} : { break: broken }),
    }
  })

  const replay = deps.replayCase
  if (replay !== undefined) {
    app.post<{ Params: { id: string; caseNumber: string }; Body: Record<string, never> | null }>('/api/agencies/:id/cases/:caseNumber/replay', {
      config: { access: 'operator', audit: 'trace.replay' },
      schema: withErrors({
        operationId: 'replayCase',
        tags: ['trace'], summary: 'Re-send the case\'s canonical version (read again from the source) through the push queue under a fresh idempotency key; recorded in its trace',
        params: caseParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: {}, description: 'Nothing to send.' },
        response: { 200: { type: 'object', required: ['agency', 'caseNumber', 'enqueued', 'notes'], properties: { agency: { type: 'string' }, caseNumber: { type: 'string' }, enqueued: { type: 'integer', description: '1: queued; 0: the source no longer has it as a valid case (see notes).' }, notes: { type: 'array', items: { type: 'string' } } } } },
      }),
    }, async (req, reply) => {
      const agency = await findAgency(deps, req.params.id, reply)
      if (agency === undefined) return reply
      const { caseNumber } = req.params
      const result = await replay(agency.id, caseNumber)
      req.auditDetail = { caseNumber, enqueued: result.enqueued }
      return { agency: agency.id, caseNumber, ...result }
    })
  }

  app.get<{ Params: { id: string } }>('/api/agencies/:id/trace/verify', {
    config: { access: 'operator' },
    schema: withErrors({
      operationId: 'verifyAgencyTraces',
      tags: ['trace'], summary: 'Re-compute every trace chain of the agency; breaks name the case and the event',
      params: agencyIdParams,
      response: { 200: { type: 'object', required: ['agency', 'cases', 'events', 'breaks'], properties: { agency: { type: 'string' }, cases: { type: 'integer' }, events: { type: 'integer' }, breaks: { type: 'array', items: breakSchema } } } },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.id, reply)
    if (agency === undefined) return reply
    return { agency: agency.id, ...await store.verify(agency.id) }
  })
}
