// generated from schemas/adapters/http-batch.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Target adapter `http-batch`: the two-laws platform's batch upsert API (bearer token, Idempotency-Key, a result per record).
 */
export interface HttpBatchTargetConfig {
  kind: 'http-batch'
  /**
   * Base URL of the platform.
   */
  baseUrl: string
  /**
   * Path of the batch upsert.
   */
  path: string
  /**
   * Bearer token, from the environment.
   */
  token: EnvRef
  /**
   * Time allowed for one batch request.
   */
  timeoutMs: number
  /**
   * Keep-alive connections to the platform.
   */
  connections: number
  /**
   * Path of the platform's case listing (reconciliation). Its bucket listings are `<listPath>/digests` and `<listPath>/fingerprints`.
   */
  listPath: string
  /**
   * Cases per listing page when reconciling.
   */
  listPageSize: number
  /**
   * Ask the platform for bucket digests when reconciling (compare checksums, list only the buckets that differ). A platform without them answers 404 and the hub lists every case instead; false skips asking.
   */
  digests: boolean
  /**
   * Path of the platform's feedback listing (its decisions after a seq cursor: `?after=<seq>&limit=N`); the complete listing, for feedback reconciliation, is `<feedbackPath>/all`. Read only when an agency of this target has a `feedback.writer`.
   */
  feedbackPath: string
}
/**
 * This interface was referenced by `HttpBatchTargetConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
