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
  /** `retryAfterMs`: how long the remote said it will be down (a 503's Retry-After), if it said. */
  constructor (message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options)
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs
  }

  readonly retryAfterMs?: number
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

/**
 * A file could not be read as records at all (not the format it claims, truncated, the
 * wrong encoding): the file source moves it to `rejected/` with the reason beside it.
 * Rows that are merely broken do not raise this; they become quarantine entries.
 */
export class UnreadableFileError extends CaseBridgeError {
  readonly code = 'CB_ERR_UNREADABLE_FILE'
  readonly family = 'skippable'
  constructor (message: string, readonly file: string | undefined, readonly line: number | undefined, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** A server presented a host key other than the one pinned in config: possibly not the server meant. */
export class HostKeyMismatchError extends CaseBridgeError {
  readonly code = 'CB_ERR_HOST_KEY_MISMATCH'
  readonly family = 'config'
}

/**
 * A file that was listed in a drop directory was gone (deleted or renamed by the agency)
 * when the hub opened it. Nothing is wrong: the file is skipped and the directory is
 * listed afresh on the next poll (a renamed file is found under its new name).
 */
export class FileVanishedError extends CaseBridgeError {
  readonly code = 'CB_ERR_FILE_VANISHED'
  readonly family = 'retriable'
}

/**
 * The hub's login may list a file but not read it (permission denied on that file only).
 * The file is moved to `rejected/` with the reason beside it, and the agency's other files
 * go on; a wrong directory or login stays a `RemoteRefusedError`.
 */
export class FileAccessDeniedError extends CaseBridgeError {
  readonly code = 'CB_ERR_FILE_ACCESS_DENIED'
  readonly family = 'skippable'
}

/**
 * The CLI's call to the hub's admin API did not succeed: the hub could not be reached, or
 * it answered with a refusal. `reason` tells which, `status` is the HTTP status (0 when
 * unreachable); the CLI words it for the operator in the hub's language.
 */
export class AdminRequestError extends CaseBridgeError {
  readonly code = 'CB_ERR_ADMIN_REQUEST'
  readonly family = 'fatal'
  constructor (message: string, readonly reason: 'unreachable' | 'unauthorized' | 'forbidden' | 'notFound' | 'rateLimited' | 'http', readonly status: number, readonly detail: string, readonly retryAfterSeconds = 0, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** The target does not offer bucket digests after all (e.g. answers 404): reconcile by full listing. */
export class TargetDigestsUnsupportedError extends CaseBridgeError {
  readonly code = 'CB_ERR_TARGET_DIGESTS_UNSUPPORTED'
  readonly family = 'fatal'
}

/** Another run (in this or another hub process) is reconciling the agency right now. */
export class ReconcileBusyError extends CaseBridgeError {
  readonly code = 'CB_ERR_RECONCILE_BUSY'
  readonly family = 'retriable'
}

/** A webhook receiver refused an alarm notification (4xx other than 408/429): retrying cannot help. */
export class WebhookRejectedError extends CaseBridgeError {
  readonly code = 'CB_ERR_WEBHOOK_REJECTED'
  readonly family = 'fatal'
}

/** An alarm cannot make the asked transition (e.g. acknowledging one that is not open). */
export class AlarmStateError extends CaseBridgeError {
  readonly code = 'CB_ERR_ALARM_STATE'
  readonly family = 'fatal'
}

/** The agency is being pulled and its quarantine could not be re-processed in time; try again. */
export class ReprocessBusyError extends CaseBridgeError {
  readonly code = 'CB_ERR_REPROCESS_BUSY'
  readonly family = 'retriable'
}

export const ERROR_CLASSES = [
  ConfigError, MappingFileError, UnknownAdapterError, RecordRejectedError, RemoteUnavailableError,
  RateLimitedError, RemoteRefusedError, JobTimeoutError, RedisPolicyError, RedisUnavailableError,
  UnreadableFileError, HostKeyMismatchError, FileVanishedError, FileAccessDeniedError, AdminRequestError,
  TargetDigestsUnsupportedError, ReconcileBusyError, WebhookRejectedError, AlarmStateError,
  ReprocessBusyError,
] as const

export function isRetriable (err: unknown): boolean {
  return err instanceof CaseBridgeError ? err.family === 'retriable' : true
}
