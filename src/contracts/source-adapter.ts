/**
 * What a source adapter (one way of reading an agency system) promises the core.
 *
 * The core knows nothing else about a source: no HTTP, SFTP or SQL client type crosses this
 * line, and the adapter owns its connections.
 */

/** A record exactly as the agency system delivered it, before mapping. */
export type RawRecord = Record<string, unknown>

/**
 * Where an incremental pull stands. Opaque to the core: the adapter writes it, the ledger
 * stores it, the adapter reads it back after a restart. `null` means "from the beginning".
 */
export type SourceCursor = string | null

export interface SourcePage {
  readonly records: readonly RawRecord[]
  /** Resuming from this cursor continues right after this page (never skips, may repeat). */
  readonly cursor: SourceCursor
  /**
   * File sources: where each record was read, parallel to `records` (same length), so a
   * quarantined record names its file and line.
   */
  readonly origins?: readonly { readonly file: string; readonly line: number }[]
  /**
   * File sources: rows the parser could not read at all. Each is quarantined (stage
   * 'parse') with its file, line and what was expected — never dropped.
   */
  readonly unreadable?: readonly { readonly file: string; readonly line: number; readonly message: string }[]
  /**
   * API sources: items of the page that are no record (a number, text, null, a list where
   * an object was expected). Each is quarantined (stage 'parse') with its position — never
   * dropped.
   */
  readonly unreadableItems?: readonly UnreadableItem[]
}

/** An item of an API page that is no record, and where it was. */
export interface UnreadableItem {
  /** The page of this pull it was on, counting from 1. */
  readonly page: number
  /** Its index in the page's list of items, counting from 0. */
  readonly index: number
  /**
   * The request that answered the page, as text that is the same when the same page is
   * asked for again (e.g. its updatedSince and page token): it keys the quarantine entry,
   * so a repeated pull replaces the entry instead of adding another.
   */
  readonly request: string
  /** What was expected and what was found; no values (they may be personal data). */
  readonly message: string
}

/** Something about a source that needs attention although its pulls succeed. */
export interface SourceProblem {
  /** Stable code (CB_ERR_…): what kind of problem. */
  readonly code: string
  /** For operators: what, where (folder, file) and the system's error; no personal data. */
  readonly message: string
  /** When it was first seen (ISO). */
  readonly since: string
}

/** The changes a source holds past a cursor that no pull has read yet. */
export interface SourceBacklog {
  /** How many rows or records changed past the cursor. */
  readonly changes: number
  /** When the oldest of them was changed (ISO), by the source's own stamp; null when there are none. */
  readonly oldestChangeAt: string | null
}

export interface SourceAdapter {
  readonly kind: string
  /**
   * Pages of records changed since `cursor`, oldest first. Ending the iteration means
   * caught up. Guarantees: every record changed after the cursor appears in some page
   * (no skips, even when many records share a timestamp); a record may appear again
   * (the ledger makes repeats harmless). Errors: `RemoteUnavailableError` (try again
   * later) or `RemoteRefusedError` (configuration is wrong). Honours `signal` between
   * pages and in requests.
   */
  pull (cursor: SourceCursor, signal: AbortSignal): AsyncIterable<SourcePage>
  /**
   * Every record the source holds now, page by page, for reconciliation: a full scan that
   * neither reads nor moves the cursor. Memory stays bounded by the page size. Optional: a
   * source that keeps no history (a file drop) leaves it out, and reconciliation then
   * compares only the ledger with the target.
   */
  listAll? (signal: AbortSignal): AsyncIterable<readonly RawRecord[]>
  /**
   * Conditions that do not stop the pull but need someone, as of the last pull (e.g. files
   * that were ingested but cannot be moved out of the inbox). Empty when all is well. The
   * hub shows them in the agency's status and raises the `source_problem` alarm. Optional.
   */
  problems? (): Promise<readonly SourceProblem[]>
  /**
   * Check, without reading records, that the system answers the configuration as meant (a SQL
   * source: its query or relation parses as one statement and yields the key columns). Run by
   * `casebridge check-config` and before the first pull. Throws `RemoteRefusedError` when the
   * configuration is wrong, `RemoteUnavailableError` when it cannot be checked now. Optional:
   * a source with nothing to check leaves it out.
   */
  check? (): Promise<void>
  /**
   * How many changes lie past `cursor` that no pull has read, and when the oldest was made,
   * without reading them (one COUNT and MIN query; a count the API offers), so the status of
   * a paused or stuck agency shows what waits at the source. Changes a pull already read and
   * only re-reads for its look-back window are not counted. Errors as `pull`. Optional: a
   * source that cannot tell cheaply leaves it out, and the hub says "unknown", never 0.
   */
  backlog? (cursor: SourceCursor, signal: AbortSignal): Promise<SourceBacklog>
  /** Release connections. Idempotent. */
  close (): Promise<void>
}
