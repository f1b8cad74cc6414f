// generated from schemas/config.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "stringOrEnv".
 */
export type StringOrEnv = string | EnvRef

/**
 * CaseBridge hub configuration (YAML). Secrets are never written here: they are environment references ({ env: NAME }). Adapter sections (`source`, target entries) are checked further by the adapter's own config schema.
 */
export interface HubConfig {
  hub?: {
    /**
     * Instance name shown in logs.
     */
    name?: string
    /**
     * Language of operator-facing texts.
     */
    locale?: 'zh-CN' | 'en'
    /**
     * Print one human-readable progress line per pulled page (the demo turns this on).
     */
    progress?: boolean
  }
  redis?: {
    /**
     * Redis URL, or an environment reference.
     */
    url?: StringOrEnv
    /**
     * Prefix of every key the hub writes (ledger, cursors, queues).
     */
    keyPrefix?: string
    /**
     * Refuse to start when Redis has neither AOF nor RDB snapshots. The demo sets false (it only warns).
     */
    requirePersistence?: boolean
  }
  admin?: {
    /**
     * Address the admin/health API listens on.
     */
    host?: string
    /**
     * Port of the admin/health API (0 = any free port).
     */
    port?: number
  }
  logging?: {
    level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  }
  /**
   * Delivery to targets through the BullMQ push queue.
   */
  push?: {
    /**
     * Cases per push job and per platform request.
     */
    batchSize?: number
    /**
     * Push jobs in flight per hub process.
     */
    concurrency?: number
    /**
     * Attempts before a case goes to the dead-letter set.
     */
    attempts?: number
    backoff?: {
      /**
       * First retry delay; doubles each attempt.
       */
      delayMs?: number
      /**
       * Fraction of the delay that is randomised, so retries of many jobs spread out.
       */
      jitter?: number
    }
    /**
     * A push attempt running longer than this is aborted and retried.
     */
    jobTimeoutMs?: number
    /**
     * How long a job stays locked to a worker without renewal; after a crash, its job is taken over once this expires.
     */
    lockDurationMs?: number
    /**
     * How often a job may be recovered from a crashed worker before it is dead-lettered.
     */
    maxStalledCount?: number
  }
  /**
   * Named targets (usually one: the two-laws platform). Each entry is checked by its adapter's config schema.
   */
  targets: {
    [k: string]: AdapterSection | undefined
  }
  /**
   * @minItems 1
   */
  agencies: {
    /**
     * Stable hub-side id of the agency (keys, logs, metrics).
     */
    id: string
    name?: string
    enabled?: boolean
    /**
     * Mapping file, relative to the config file.
     */
    mapping: string
    /**
     * node-cron expression (with seconds) for pulls.
     */
    schedule?: string
    /**
     * Name of an entry under `targets`.
     */
    target: string
    source: AdapterSection
  }[]
}
/**
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  /**
   * Name of the environment variable holding the value.
   */
  env: string
}
/**
 * An adapter's config section: `kind` selects the adapter, whose own schema checks the other keys.
 *
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "adapterSection".
 */
export interface AdapterSection {
  /**
   * Adapter kind, e.g. http-pull or http-batch.
   */
  kind: string
  [k: string]: unknown | undefined
}
