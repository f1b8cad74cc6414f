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
import { renderText, type Text, type TextParams } from './i18n/texts.js'
import { translator, type MessageKey } from './i18n/translate.js'

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
/** One problem of a configuration file: where (`line:column path`) and what, as a text each reader words in its language. */
export interface ConfigProblem { readonly at: string; readonly texts: readonly Text[] }

export class ConfigError extends CaseBridgeError {
  readonly code = 'CB_ERR_CONFIG'
  readonly family = 'config'
  /** `problems` in English (messages, logs, `--json`); `texts`, when given, the same problems to word in an operator's language. */
  readonly texts: readonly ConfigProblem[]
  /** The configuration file the problems are in, when the loader knows it. */
  readonly file: string | undefined
  constructor (message: string, readonly problems: readonly string[] = [], options?: { cause?: unknown; texts?: readonly ConfigProblem[]; file?: string }) {
    super(message, options)
    this.texts = options?.texts ?? []
    this.file = options?.file
  }
}

/**
 * A mapping file cannot be loaded or compiled. `where` is the `file:line:col` (or the file; ''
 * for a problem reported inside another one), `text` what is wrong, worded by each reader:
 * the message is the English wording (logs, --json), `describeMappingFileError` words it in
 * an operator's language. A plain string text (target profiles) has no translation yet.
 */
export class MappingFileError extends CaseBridgeError {
  readonly code = 'CB_ERR_MAPPING_FILE'
  readonly family = 'config'
  constructor (readonly where: string, readonly text: Text | string, options?: { cause?: unknown }) {
    const english = typeof text === 'string' ? text : renderText(translator('en'), text)
    super(where === '' ? english : `${where}: ${english}`, options)
  }

  /** The catalogue key of the text (undefined for an untranslated text). */
  get key (): MessageKey | undefined {
    return typeof this.text === 'string' ? undefined : this.text.key
  }

  get params (): TextParams {
    return typeof this.text === 'string' ? {} : this.text.params
  }
}

/** A target profile file cannot be loaded or compiled (message starts with `file:line:col:`). */
export class ProfileFileError extends CaseBridgeError {
  readonly code = 'CB_ERR_PROFILE_FILE'
  readonly family = 'config'
}

/** A target profile needs a secret its environment variable does not hold. */
export class ProfileSecretError extends CaseBridgeError {
  readonly code = 'CB_ERR_PROFILE_SECRET'
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
  readonly code: string = 'CB_ERR_REMOTE_REFUSED'
  readonly family = 'fatal'
}

/**
 * A target refused the hub's credentials or request signature (an auth code of its profile,
 * HTTP 401/403): retrying cannot help until someone fixes the keys, so the cases become dead
 * letters (and alarm) instead of being retried forever. Its own code, so an operator and a
 * dashboard can tell it from a record the platform refused.
 */
export class TargetAuthError extends RemoteRefusedError {
  override readonly code = 'CB_ERR_TARGET_AUTH'
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

/** No Redis could be reached or started (demo start-up), or it did not answer in time (the readiness probe). */
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
  /** The request refused, as "METHOD /path" (what a reader without English is shown). */
  readonly request: string
  constructor (message: string, readonly reason: 'unreachable' | 'unauthorized' | 'forbidden' | 'notFound' | 'rateLimited' | 'http', readonly status: number, readonly detail: string, readonly retryAfterSeconds = 0, options?: { cause?: unknown; request?: string }) {
    super(message, options)
    this.request = options?.request ?? ''
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

/**
 * A process numbered versions of an agency after its pull lock had passed to another
 * process (it was paused, or too slow to renew the lock): what it read may be older than
 * what the other one read since, so the page is not enqueued; the next pull reads it again.
 */
export class PullLeaseLostError extends CaseBridgeError {
  readonly code = 'CB_ERR_PULL_LEASE_LOST'
  readonly family = 'retriable'
}

/** `casebridge demo` in a build that does not carry the demo and its simulators (the product build). */
export class DemoMissingError extends CaseBridgeError {
  readonly code = 'CB_ERR_DEMO_MISSING'
  readonly family = 'config'
}

/** Redis refused the hub's credentials (WRONGPASS, NOAUTH): the password or user in `redis.url` is wrong. */
export class RedisAuthError extends CaseBridgeError {
  readonly code = 'CB_ERR_REDIS_AUTH'
  readonly family = 'config'
}

/** An agency id that the configuration (or the hub's assembly of it) does not have. */
export class UnknownAgencyError extends CaseBridgeError {
  readonly code = 'CB_ERR_UNKNOWN_AGENCY'
  readonly family = 'config'
  constructor (readonly agencyId: string, readonly known: readonly string[]) {
    super(`no agency "${agencyId}"; configured: ${known.join(', ')}`)
  }
}

/** Some records of a push batch were answered "retryable": the job tries the batch again. */
export class RetryableRecordsError extends CaseBridgeError {
  readonly code = 'CB_ERR_RETRYABLE_RECORDS'
  readonly family = 'retriable'
}

/** A YAML text (configuration, mapping, shared table) is not well-formed, or builds too many aliases; names file, line and column. */
export class YamlSyntaxError extends CaseBridgeError {
  readonly code = 'CB_ERR_YAML_SYNTAX'
  readonly family = 'config'
  constructor (readonly file: string, readonly line: number, readonly column: number, readonly detail: string, options?: { cause?: unknown }) {
    super(`${file}:${line}:${column}: ${detail}`, options)
  }
}

/** An XML export's structure is broken at `line`; the XML reader turns it into an `UnreadableFileError` naming the file. */
export class XmlStructureError extends CaseBridgeError {
  readonly code = 'CB_ERR_XML_STRUCTURE'
  readonly family = 'skippable'
  constructor (readonly line: number, message: string) { super(message) }
}

/** A usage mistake on the command line: the CLI prints it with the usage text and exits 2. */
export class UsageError extends CaseBridgeError {
  readonly code = 'CB_ERR_USAGE'
  readonly family = 'config'
}

/**
 * A mapping expression called what mappings may not use (`$now`, `$eval`, a regular
 * expression …). Compiling refuses these already; this is the second net at evaluation,
 * where it becomes a problem of the record (the message quotes no record data).
 */
export class ExpressionRefusedError extends CaseBridgeError {
  readonly code = 'CB_ERR_EXPRESSION_REFUSED'
  readonly family = 'skippable'
}

/**
 * The expression guard stopped an evaluation that would exceed a size limit (text, list
 * items, result). Thrown inside JSONata's built-ins, which add `position` on its way out;
 * it becomes a problem of the record.
 */
export class ExpressionLimitError extends CaseBridgeError {
  readonly code = 'CB_ERR_EXPRESSION_LIMIT'
  readonly family = 'skippable'
  /** Where in the expression JSONata was when the guard stopped it (JSONata sets it). */
  position?: number
}

/** A request to the admin API is malformed in a way its schema cannot say (a body that is not JSON); answered 400. */
export class BadRequestError extends CaseBridgeError {
  readonly code = 'CB_ERR_BAD_REQUEST'
  readonly family = 'fatal'
  /** What fastify answers with. */
  readonly statusCode = 400
}

/** A JSON Schema of `schemas/` lacks what the code needs of it (a titled `$defs` entry): types or validators cannot be built from it. */
export class SchemaDefinitionError extends CaseBridgeError {
  readonly code = 'CB_ERR_SCHEMA_DEFINITION'
  readonly family = 'config'
}

/** Two adapters of one registry claim the same kind in the same role. */
export class DuplicateAdapterError extends CaseBridgeError {
  readonly code = 'CB_ERR_DUPLICATE_ADAPTER'
  readonly family = 'config'
}

/**
 * The hub broke one of its own invariants (a bug, or an installation missing its files):
 * never the fault of the input, so retrying cannot help. The message says which invariant.
 */
export class InternalError extends CaseBridgeError {
  readonly code = 'CB_ERR_INTERNAL'
  readonly family = 'fatal'
}

/**
 * The one retry decision: may trying again help? A CaseBridge error says so by its family;
 * anything else (a library's own error) is taken as passing, so it is retried rather than lost.
 */
export function isRetriable (err: unknown): boolean {
  return err instanceof CaseBridgeError ? err.family === 'retriable' : true
}

/** Why a remote system failed, as an operator is told: it refused us (permission, authentication, a request it rejects) or it is not answering (timeout, connection refused, 5xx). */
export type RemoteFailure = 'refused' | 'not_answering'

/** The failure kind of `err`, from its class: a `RemoteRefusedError` is refused, anything else is taken as not answering. */
export function remoteFailureOf (err: unknown): RemoteFailure {
  return err instanceof RemoteRefusedError ? 'refused' : 'not_answering'
}
