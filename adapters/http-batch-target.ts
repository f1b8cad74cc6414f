import { Agent, request } from 'undici'
import { readFileSync } from 'node:fs'
import type { TargetAdapter, TargetAdapterDefinition, PushBatch, PushRecordResult } from '../src/index.js'
import type { HttpBatchTargetConfig } from '../src/generated/adapters/http-batch.js'
import type { Resolved } from '../src/config/env-refs.js'
import { RemoteRefusedError } from '../src/errors.js'
import { schemaPath } from '../src/paths.js'
import { httpStatusError, transportError } from './http-errors.js'
import { platformListing } from './http-platform-listing.js'

// The reconciliation keys are optional here (defaults below as in the schema), so code that
// builds a config by hand for pushing only need not know them.
type ListingKeys = 'listPath' | 'listPageSize' | 'digests'
type Config = Resolved<Required<Omit<HttpBatchTargetConfig, ListingKeys>>> & Pick<HttpBatchTargetConfig, ListingKeys>

interface PlatformResult { caseNumber?: unknown; status?: unknown; reason?: unknown; acknowledgedAt?: unknown }

/**
 * Target adapter `http-batch`: POSTs `{ cases }` with a bearer token and the batch's
 * Idempotency-Key, and reads back one result per record.
 */
export const httpBatchTarget: TargetAdapterDefinition<Config> = {
  role: 'target',
  kind: 'http-batch',
  description: 'batch upsert API of the two-laws platform (bearer token, Idempotency-Key)',
  configSchema: JSON.parse(readFileSync(schemaPath('adapters/http-batch.schema.json'), 'utf8')) as Record<string, unknown>,
  create (config, context): TargetAdapter {
    const agent = new Agent({ connections: config.connections, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs })
    const url = new URL(config.path, config.baseUrl)
    const who = `platform target ${context.name} (${config.baseUrl})`
    const listPath = config.listPath ?? '/api/v1/cases'
    const probeUrl = new URL(`${listPath}?pageSize=1`, config.baseUrl)
    const listing = platformListing({ baseUrl: config.baseUrl, listPath, token: config.token, dispatcher: agent, who, pageSize: config.listPageSize ?? 1000 })
    return {
      kind: 'http-batch',
      listCases: listing.listCases,
      ...(config.digests === false ? {} : { digests: listing.digests }),
      async push (batch: PushBatch, signal: AbortSignal): Promise<readonly PushRecordResult[]> {
        let status: number
        let text: string
        let retryAfter: string | string[] | undefined
        try {
          const res = await request(url, {
            method: 'POST',
            dispatcher: agent,
            signal,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${config.token}`, 'idempotency-key': batch.idempotencyKey },
            body: JSON.stringify({ cases: batch.cases }),
          })
          status = res.statusCode
          retryAfter = res.headers['retry-after']
          text = await res.body.text()
        } catch (err) {
          throw transportError(who, err)
        }
        if (status !== 200) throw httpStatusError(who, status, retryAfter, text)
        return readResults(who, text)
      },
      async check (signal: AbortSignal): Promise<void> {
        // HEAD of the listing: read-only, no body, and behind the platform's own gate (outage, token).
        let status: number
        try {
          const res = await request(probeUrl, { method: 'HEAD', dispatcher: agent, signal, headers: { authorization: `Bearer ${config.token}` } })
          status = res.statusCode
          await res.body.dump()
        } catch (err) {
          throw transportError(who, err)
        }
        // Any other answer (400, 404, 405, 429 …) is the platform answering: it is there.
        if (status >= 500 || status === 408 || status === 401 || status === 403) throw httpStatusError(who, status, undefined, '')
      },
      async close () {
        // Idempotent (the contract): undici rejects a second close.
        if (!agent.closed && !agent.destroyed) await agent.close()
      },
    }
  },
}

function readResults (who: string, text: string): PushRecordResult[] {
  let body: { results?: unknown }
  try {
    body = JSON.parse(text) as { results?: unknown }
  } catch (err) {
    throw new RemoteRefusedError(`${who} answered 200 with text that is not JSON`, { cause: err })
  }
  if (!Array.isArray(body.results)) throw new RemoteRefusedError(`${who} answered 200 without a "results" array`)
  return (body.results as PlatformResult[]).flatMap((r): PushRecordResult[] => {
    if (typeof r.caseNumber !== 'string') return []
    const reason = typeof r.reason === 'string' ? r.reason : 'no reason given'
    if (r.status === 'accepted') return [{ caseNumber: r.caseNumber, status: 'accepted', acknowledgedAt: typeof r.acknowledgedAt === 'string' ? r.acknowledgedAt : new Date().toISOString() }]
    if (r.status === 'rejected') return [{ caseNumber: r.caseNumber, status: 'rejected', reason }]
    return [{ caseNumber: r.caseNumber, status: 'retryable', reason }]
  })
}
