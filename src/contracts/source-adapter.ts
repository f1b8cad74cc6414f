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
  /** Release connections. Idempotent. */
  close (): Promise<void>
}
