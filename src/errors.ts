/**
 * Every error the hub raises on purpose, in one place.
 *
 * Each class has a stable `code` (CB_ERR_…) and belongs to a family that tells the
 * caller — usually the queue — what to do with it:
 *  - `retriable`: a passing fault (network, 5xx, 429); let BullMQ back off and try again;
 *  - `fatal`: retrying cannot help (bad credentials, a record the platform refuses);
 *    dead-letter now;
 *  - `skippable`: one record is bad; quarantine it, count it, carry on with the rest;
 *  - `config`: the hub cannot start or reload with this input.
 * Callers branch on `family` or `code`, never on message text. The original error
 * travels as `cause`.
 */
export type ErrorFamily = 'retriable' | 'fatal' | 'skippable' | 'config'

export abstract class CaseBridgeError extends Error {
  abstract readonly code: string
  abstract readonly family: ErrorFamily
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The hub configuration file is unreadable or breaks `schemas/config.schema.json`. */
export class ConfigError extends CaseBridgeError {
  readonly code = 'CB_ERR_CONFIG'
  readonly family = 'config'
  constructor (message: string, readonly problems: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** A mapping file cannot be loaded or compiled. */
export class MappingFileError extends CaseBridgeError {
  readonly code = 'CB_ERR_MAPPING_FILE'
  readonly family = 'config'
}

/** An adapter kind named in config is not registered. */
export class UnknownAdapterError extends CaseBridgeError {
  readonly code = 'CB_ERR_UNKNOWN_ADAPTER'
  readonly family = 'config'
}

/** One source record could not be mapped or failed validation; it goes to quarantine. */
export class RecordRejectedError extends CaseBridgeError {
  readonly code = 'CB_ERR_RECORD_REJECTED'
  readonly family = 'skippable'
}

/** A remote system (agency or platform) failed in a way that may pass: network, timeout, 5xx. */
export class RemoteUnavailableError extends CaseBridgeError {
  readonly code = 'CB_ERR_REMOTE_UNAVAILABLE'
  readonly family = 'retriable'
}

/** The remote asked us to slow down (429); `retryAfterMs` is what it asked for. */
export class RateLimitedError extends CaseBridgeError {
  readonly code = 'CB_ERR_RATE_LIMITED'
  readonly family = 'retriable'
  constructor (message: string, readonly retryAfterMs: number, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** The remote answered in a way that retrying cannot fix (401/403/400, a malformed answer). */
export class RemoteRefusedError extends CaseBridgeError {
  readonly code = 'CB_ERR_REMOTE_REFUSED'
  readonly family = 'fatal'
}

/** A push job ran longer than its configured timeout. */
export class JobTimeoutError extends CaseBridgeError {
  readonly code = 'CB_ERR_JOB_TIMEOUT'
  readonly family = 'retriable'
}

/** Redis is configured in a way that would lose or evict data. */
export class RedisPolicyError extends CaseBridgeError {
  readonly code = 'CB_ERR_REDIS_POLICY'
  readonly family = 'config'
}

/** No Redis could be reached or started (demo start-up). */
export class RedisUnavailableError extends CaseBridgeError {
  readonly code = 'CB_ERR_REDIS_UNAVAILABLE'
  readonly family = 'fatal'
}

export const ERROR_CLASSES = [
  ConfigError, MappingFileError, UnknownAdapterError, RecordRejectedError, RemoteUnavailableError,
  RateLimitedError, RemoteRefusedError, JobTimeoutError, RedisPolicyError, RedisUnavailableError,
] as const

export function isRetriable (err: unknown): boolean {
  return err instanceof CaseBridgeError ? err.family === 'retriable' : true
}
