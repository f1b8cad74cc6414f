import { Agent, request } from 'undici'
import type { FeedbackDecision, FeedbackWriter } from '../src/contracts/feedback.js'
import type { FeedbackHttpWriterConfig } from '../src/generated/defaulted/adapters/feedback-http.js'
import type { Resolved } from '../src/config/env-refs.js'
import { defineWriterAdapter } from './define-adapter.js'
import { httpStatusError, transportError } from './http-errors.js'

type Config = Resolved<FeedbackHttpWriterConfig>

/**
 * Feedback writer `http`: POSTs one decision as JSON to the agency system's callback, the
 * decision id as Idempotency-Key (a repeated write is the same key: the agency keeps one).
 * Any 2xx is written; 429 and 5xx are retried, any other answer refused (a dead letter).
 */
export const feedbackHttpWriter = defineWriterAdapter<Config>({
  kind: 'http',
  description: 'POST each decision to a callback of the agency system (Idempotency-Key = decision id)',
  schemaFile: 'feedback-http.schema.json',
  create (config, context): FeedbackWriter {
    const agent = new Agent({ connections: 4, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs })
    const url = new URL(config.url)
    // The URL without any query (it may carry a key): names the agency system in errors and logs.
    const who = `feedback callback of ${context.name} (${url.origin}${url.pathname})`
    return {
      kind: 'http',
      async write (decision: FeedbackDecision, signal: AbortSignal): Promise<void> {
        let status: number
        let text: string
        let retryAfter: string | string[] | undefined
        try {
          const res = await request(url, {
            method: 'POST',
            dispatcher: agent,
            signal,
            headers: { 'content-type': 'application/json', 'idempotency-key': decision.id, ...(config.token === undefined ? {} : { authorization: `Bearer ${config.token}` }) },
            body: JSON.stringify(decision),
          })
          status = res.statusCode
          retryAfter = res.headers['retry-after']
          text = await res.body.text()
        } catch (err) {
          throw transportError(who, err)
        }
        if (status < 200 || status > 299) throw httpStatusError(who, status, retryAfter, text)
      },
      async close () {
        if (!agent.closed && !agent.destroyed) await agent.close()
      },
    }
  },
})
