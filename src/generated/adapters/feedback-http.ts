// generated from schemas/adapters/feedback-http.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Feedback writer `http`: POSTs each platform decision to a callback of the agency system, with the decision id as Idempotency-Key.
 */
export interface FeedbackHttpWriterConfig {
  kind: 'http'
  /**
   * The agency system's feedback callback (POST, JSON).
   */
  url: string
  /**
   * Bearer token, from the environment; absent: no Authorization header.
   */
  token?: EnvRef
  /**
   * Time allowed for one callback.
   */
  timeoutMs?: number
}
/**
 * This interface was referenced by `FeedbackHttpWriterConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
