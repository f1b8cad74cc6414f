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
  path?: string
  /**
   * Records asked for per page.
   */
  pageSize?: number
  /**
   * Time allowed for each request (headers and body).
   */
  timeoutMs?: number
  /**
   * Quick retries of one page request on network errors and 5xx before the pull gives up until its next tick.
   */
  retries?: number
  /**
   * Largest answer body accepted for one page (bytes); a larger one is refused (CB_ERR_REMOTE_REFUSED) instead of being held in memory. Lower pageSize if an agency's pages come near it.
   */
  maxPageBytes?: number
  /**
   * Sent as the X-Api-Key header when set.
   */
  apiKey?: EnvRef
  /**
   * Names of the query parameters the agency API uses.
   */
  params?: {
    updatedSince?: string
    pageSize?: string
    pageToken?: string
  }
  /**
   * Where things are in the API's JSON answer (dotted paths).
   */
  response?: {
    items?: string
    nextPageToken?: string
    /**
     * Field of each record holding its last-update time, in a form that sorts as text (e.g. yyyy-MM-dd HH:mm:ss).
     */
    updatedAt?: string
  }
}
/**
 * This interface was referenced by `HttpPullSourceConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
