import { Agent, request } from 'undici'
import type { TargetAdapter, PushBatch, PushRecordResult } from '../src/index.js'
import type { HttpBatchTargetConfig } from '../src/generated/defaulted/adapters/http-batch.js'
import type { Resolved } from '../src/config/env-refs.js'
import { defineTargetAdapter } from './define-adapter.js'
import { httpStatusError, transportError } from './http-errors.js'
import { readRecordResults } from './record-results.js'
import { platformListing } from './http-platform-listing.js'
import { httpFeedbackListing } from './http-feedback-listing.js'

/** The config as `create` checked it: the schema's defaults filled in. */
type Config = Resolved<HttpBatchTargetConfig>

/**
 * Target adapter `http-batch`: POSTs `{ cases, sequences }` with a bearer token and the
 * batch's Idempotency-Key, and reads back one result per record (adapters/record-results.ts).
 */
export const httpBatchTarget = defineTargetAdapter<Config>({
  kind: 'http-batch',
  description: 'batch upsert API of the two-laws platform (bearer token, Idempotency-Key)',
  schemaFile: 'http-batch.schema.json',
  create (config, context): TargetAdapter {
    const agent = new Agent({ connections: config.connections, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs })
    const url = new URL(config.path, config.baseUrl)
    const who = `platform target ${context.name} (${config.baseUrl})`
    const probeUrl = new URL(`${config.listPath}?pageSize=1`, config.baseUrl)
    const listing = platformListing({ baseUrl: config.baseUrl, listPath: config.listPath, token: config.token, dispatcher: agent, who, pageSize: config.listPageSize })
    return {
      kind: 'http-batch',
      listCases: listing.listCases,
      feedback: httpFeedbackListing({ baseUrl: config.baseUrl, path: config.feedbackPath, token: config.token, dispatcher: agent, who }),
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
            body: JSON.stringify({ cases: batch.cases, sequences: batch.sequences }),
          })
          status = res.statusCode
          retryAfter = res.headers['retry-after']
          text = await res.body.text()
        } catch (err) {
          throw transportError(who, err)
        }
        if (status !== 200) throw httpStatusError(who, status, retryAfter, text)
        return readRecordResults(`${who}'s answer (HTTP 200)`, text)
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
})
