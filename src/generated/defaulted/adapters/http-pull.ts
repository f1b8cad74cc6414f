// generated from schemas/adapters/http-pull.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Source adapter `http-pull`: a paged JSON API of the agency system, read incrementally by an update timestamp with an opaque page token.
 */
export interface HttpPullSourceConfig {
  kind: 'http-pull'
  /**
   * Base URL of the agency system, e.g. http://10.1.2.3:8080.
   */
  baseUrl: string
  /**
   * Path of the case listing.
   */
  path: string
  /**
   * Path of an endpoint that counts the changes since a time without listing them (answering the count and the oldest update time: response.count, response.oldestUpdatedAt), asked with updatedSince or updatedAfter. Unset: the unpulled backlog of the agency is unknown.
   */
  countPath?: string
  /**
   * Records asked for per page.
   */
  pageSize: number
  /**
   * Time allowed for each request (headers and body).
   */
  timeoutMs: number
  /**
   * Quick retries of one page request on network errors and 5xx before the pull gives up until its next tick.
   */
  retries: number
  /**
   * Largest answer body accepted for one page (bytes); a larger one is refused (CB_ERR_REMOTE_REFUSED) instead of being held in memory. Lower pageSize if an agency's pages come near it.
   */
  maxPageBytes: number
  /**
   * Look-back of the incremental pull: the next pull asks again for everything updated up to overlapSeconds + settleSeconds before this pull began (by the agency system's clock, its Date header), so an update made visible late or stamped by a writer whose clock is behind is still pulled. Without a Date header the window is overlapSeconds behind the newest update time read. Re-read records are no-ops in the ledger.
   */
  overlapSeconds: number
  /**
   * The cursor never moves past the agency system's clock (Date header, whole seconds) less this: records stamped ahead of the clock by a skewed writer cannot carry it past records still to come.
   */
  settleSeconds: number
  /**
   * UTC offset of update times without one (e.g. GXSJ written yyyy-MM-dd HH:mm:ss in Beijing time), to compare them with the agency system's clock.
   */
  timeZone: string
  /**
   * Sent as the X-Api-Key header when set.
   */
  apiKey?: EnvRef
  /**
   * Names of the query parameters the agency API uses.
   */
  params: {
    updatedSince: string
    pageSize: string
    pageToken: string
    /**
     * Parameter of countPath: changes strictly after this time (the newest update time a pull read).
     */
    updatedAfter: string
  }
  /**
   * Where things are in the API's JSON answer (dotted paths).
   */
  response: {
    items: string
    nextPageToken: string
    /**
     * Where countPath's answer has the number of changes.
     */
    count: string
    /**
     * Where countPath's answer has the update time of the oldest of them (null or absent when there are none).
     */
    oldestUpdatedAt: string
    /**
     * Field of each record holding its last-update time, written yyyy-MM-dd HH:mm:ss (optionally with a fraction and an offset, or with T), yyyy-MM-dd, yyyyMMddHHmmss or yyyyMMdd: the cursor computes its look-back in that notation.
     */
    updatedAt: string
  }
}
/**
 * This interface was referenced by `HttpPullSourceConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
