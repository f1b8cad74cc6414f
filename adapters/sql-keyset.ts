import type { AdapterContext } from '../src/contracts/adapter-registry.js'
import type { RawRecord, SourceAdapter, SourceCursor, SourcePage } from '../src/contracts/source-adapter.js'
import type { SqlSourceConfig } from '../src/generated/adapters/sql-source.js'
import type { Resolved } from '../src/config/env-refs.js'

export type SqlConfig = Resolved<SqlSourceConfig>

/** Where a keyset pull stands: the (updated-at, id) of the last row of the last committed page. */
export interface KeysetPosition { readonly u: unknown; readonly id: unknown }

/**
 * What one SQL dialect provides; the paging rules live in `keysetSource`, once. Every
 * value travels as a bound parameter; identifiers come from config (checked by the schema
 * pattern) and are quoted with the driver's own escaping.
 */
export interface SqlDialect {
  /** Rows with (u, id) strictly after `after` (all when null), ordered by (u, id), at most `limit`. Rows whose u is NULL are never returned. */
  rowsAfter (after: KeysetPosition | null, limit: number): Promise<RawRecord[]>
  /** Rows with id strictly after `afterId` (all when null), ordered by id — every row, for reconciliation. */
  rowsById (afterId: unknown, limit: number): Promise<RawRecord[]>
  /** How many rows have no updated-at value (they cannot be pulled incrementally). */
  rowsWithoutUpdatedAt (): Promise<number>
  close (): Promise<void>
}

/**
 * Source adapter over a SQL dialect: keyset pagination on (updated-at, id). Because the
 * position is a pair and the comparison strict, rows sharing one timestamp are split
 * across pages by id — none skipped, none repeated — and a restart from any committed
 * cursor continues exactly after the last row committed. A row updated after it was read
 * gets a later updated-at and is read again. Updated-at values are kept as the database's
 * text (no precision lost to a JavaScript Date), so the comparison is exact.
 */
export function keysetSource (kind: string, config: SqlConfig, dialect: SqlDialect, context: AdapterContext): SourceAdapter {
  const pageSize = config.pageSize ?? 500
  let closed: Promise<void> | undefined
  return {
    kind,
    async * pull (cursor: SourceCursor, signal: AbortSignal): AsyncIterable<SourcePage> {
      let position = parseCursor(cursor)
      const missing = await dialect.rowsWithoutUpdatedAt()
      if (missing > 0) context.logger.warn({ rows: missing, column: config.updatedAtColumn }, 'rows without an updated-at value cannot be pulled incrementally; reconciliation lists them')
      for (;;) {
        if (signal.aborted) return
        const rows = await dialect.rowsAfter(position, pageSize)
        if (rows.length === 0) return
        const last = rows[rows.length - 1] as RawRecord
        position = { u: last[config.updatedAtColumn], id: last[config.idColumn] }
        yield { records: rows, cursor: JSON.stringify(position) }
        if (rows.length < pageSize) return
      }
    },
    async * listAll (signal: AbortSignal): AsyncIterable<readonly RawRecord[]> {
      let afterId: unknown = null
      for (;;) {
        if (signal.aborted) return
        const rows = await dialect.rowsById(afterId, pageSize)
        if (rows.length === 0) return
        afterId = (rows[rows.length - 1] as RawRecord)[config.idColumn]
        yield rows
        if (rows.length < pageSize) return
      }
    },
    async close () {
      closed ??= dialect.close()
      await closed
    },
  }
}

function parseCursor (cursor: SourceCursor): KeysetPosition | null {
  if (cursor === null) return null
  try {
    const value = JSON.parse(cursor) as Partial<KeysetPosition>
    return 'u' in value && 'id' in value ? { u: value.u, id: value.id } : null
  } catch {
    // An unreadable cursor means starting over: repeats are harmless, skips are not.
    return null
  }
}

/** The SELECT list: configured columns plus the two key columns, or every column. */
export function selectedColumns (config: SqlConfig): string[] | undefined {
  if (config.columns === undefined) return undefined
  return [...new Set([...config.columns, config.updatedAtColumn, config.idColumn])]
}
