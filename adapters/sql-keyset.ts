import type { AdapterContext } from '../src/contracts/adapter-registry.js'
import type { RawRecord, SourceAdapter, SourceCursor, SourcePage } from '../src/contracts/source-adapter.js'
import type { SqlSourceConfig } from '../src/generated/defaulted/adapters/sql-source.js'
import type { Resolved } from '../src/config/env-refs.js'
import { RemoteRefusedError } from '../src/errors.js'
import { LookBack } from './look-back.js'
import { queryTextProblem, type SqlDialectName } from './sql-query-text.js'

/** A SQL source's config as the loader hands it over: checked, the schema's defaults filled in, secrets resolved. */
/**
 * The config as `create` checked it, defaults filled in. `port` has its default by kind (an
 * `if`/`then` of the schema, which the generated type cannot show): present after checking.
 */
export type SqlConfig = Resolved<SqlSourceConfig> & { readonly port: number }

/** A (updated-at, id) position: the last row of a page. */
export interface KeysetPosition { readonly u: unknown; readonly id: unknown }

/**
 * What one SQL dialect provides; the paging rules live in `keysetSource`, once. Every value
 * travels as a bound parameter and every statement is one prepared statement; identifiers
 * come from config (checked by the schema pattern) and are quoted with the driver's escaping.
 */
export interface SqlDialect {
  readonly name: SqlDialectName
  /** The database's clock, read in the session the pages are read in, as it writes timestamps there. */
  now (): Promise<string>
  /** Rows with u at or after `since`, ordered by (u, id), at most `limit`. */
  rowsFrom (since: unknown, limit: number): Promise<RawRecord[]>
  /** Rows with (u, id) strictly after `after` (all when null), ordered by (u, id), at most `limit`. Rows whose u is NULL are never returned. */
  rowsAfter (after: KeysetPosition | null, limit: number): Promise<RawRecord[]>
  /** Rows with id strictly after `afterId` (all when null), ordered by id — every row, for reconciliation. */
  rowsById (afterId: unknown, limit: number): Promise<RawRecord[]>
  /**
   * How many rows lie past a position, and the smallest u among them: all rows with a u
   * (`{}`), (u, id) strictly after `after`, or u at or after `since` and, with `newer`,
   * strictly after it too. One COUNT and MIN query.
   */
  changesPast (past: { after?: KeysetPosition; since?: unknown; newer?: unknown }): Promise<{ count: number; oldest: unknown }>
  /** How many rows have no updated-at value (they cannot be pulled incrementally). */
  rowsWithoutUpdatedAt (): Promise<number>
  /** The names of the columns the source yields: the relation or query run once with LIMIT 0. */
  columns (): Promise<string[]>
  close (): Promise<void>
}

/**
 * The stored cursor: `{ "since": u }` — read again from u on, inclusive — or `{ "u", "id" }` —
 * strictly after that row (a pull stopped between pages of rows older than its guard; also
 * every cursor written before the look-back existed).
 */
type Start = { readonly since: unknown } | { readonly after: KeysetPosition } | null

/**
 * Source adapter over a SQL dialect: keyset pagination on (updated-at, id) with a look-back
 * (adapters/look-back.ts). Within a pull, pages follow each other strictly by (u, id): rows
 * sharing one timestamp are split across pages by id, none skipped, none repeated, and every
 * page moves on even when all its rows were read before. What is stored after a page is
 * never later than the pull's guard (the database's clock at the start of the pull less
 * `settleSeconds + overlapSeconds`): while a page's last row is at or after the guard, the
 * cursor is the guard; before it, the position after that row (a restart continues there).
 * The last page of a pull stores the earlier of the guard and its last row's u, inclusive,
 * so a row committed later with that very timestamp and a smaller id is read too. Re-read
 * rows cost a read and a fingerprint comparison each and are no-ops in the ledger.
 * Updated-at values are kept as the database's text, so comparisons are exact.
 */
/**
 * The adapter-state key of the newest u a completed pull read. The stored cursor lies up to
 * the look-back window before it (rows read again by every pull); the backlog counts only
 * what lies after it. Written once the hub asked for more after the pull's last page, that
 * is after it committed that page.
 */
const NEWEST_READ = 'newestRead'

export function keysetSource (kind: string, config: SqlConfig, dialect: SqlDialect, context: AdapterContext, who: string): SourceAdapter {
  const lookBack = new LookBack(config)
  let closed: Promise<void> | undefined
  let checked: Promise<void> | undefined
  let warnedNotTime = false

  async function checkSource (): Promise<void> {
    if (config.query !== undefined) {
      const problem = queryTextProblem(config.query, dialect.name)
      if (problem !== undefined) throw new RemoteRefusedError(`${who}: query ${problem}`)
    }
    const columns = await dialect.columns()
    const absent = [config.updatedAtColumn, config.idColumn].filter(c => !columns.includes(c))
    if (absent.length > 0) throw new RemoteRefusedError(`${who}: the ${config.query !== undefined ? 'query' : `relation ${config.relation ?? ''}`} yields no column ${absent.join(', ')} (it yields ${columns.join(', ') || 'no columns'})`)
  }

  /** What is stored after a page: `last` is its last row, `final` whether the pull ends with it. */
  function cursorAfter (last: KeysetPosition, guard: bigint, final: boolean): string {
    const against = lookBack.against(last.u, guard)
    if (against === undefined && !warnedNotTime) {
      warnedNotTime = true
      context.logger.warn({ column: config.updatedAtColumn, value: typeof last.u }, 'the updated-at values are not dates and times: the cursor cannot look back, rows committed late may be missed until reconciliation')
    }
    if (against?.atOrAfter === true) return JSON.stringify({ since: against.guardText })
    return JSON.stringify(final ? { since: last.u } : { u: last.u, id: last.id })
  }

  /** Once per adapter, before the first pull (and for check-config); a failure is checked again next time. */
  async function check (): Promise<void> {
    checked ??= checkSource().catch((err: unknown) => { checked = undefined; throw err })
    await checked
  }

  return {
    kind,
    check,
    async * pull (cursor: SourceCursor, signal: AbortSignal): AsyncIterable<SourcePage> {
      await check()
      const clock = await dialect.now()
      const guard = lookBack.guardAt(clock)
      if (guard === undefined) throw new RemoteRefusedError(`${who}: the database's clock reads ${JSON.stringify(clock)}, not a date and time`)
      const missing = await dialect.rowsWithoutUpdatedAt()
      if (missing > 0) context.logger.warn({ rows: missing, column: config.updatedAtColumn }, 'rows without an updated-at value cannot be pulled incrementally; reconciliation lists them')
      const start = parseCursor(cursor)
      let position: KeysetPosition | null = null
      for (;;) {
        if (signal.aborted) return
        const rows = position !== null || start === null || 'after' in start
          ? await dialect.rowsAfter(position ?? (start !== null && 'after' in start ? start.after : null), config.pageSize)
          : await dialect.rowsFrom(start.since, config.pageSize)
        if (rows.length === 0) {
          // The page before was exactly full, so it stored a mid-pull cursor: end the pull properly.
          if (position !== null) {
            yield { records: [], cursor: cursorAfter(position, guard, true) }
            await context.state?.set(NEWEST_READ, JSON.stringify(position.u))
          }
          return
        }
        const last = rows[rows.length - 1] as RawRecord
        position = { u: last[config.updatedAtColumn], id: last[config.idColumn] }
        const final = rows.length < config.pageSize
        yield { records: rows, cursor: cursorAfter(position, guard, final) }
        if (final) {
          await context.state?.set(NEWEST_READ, JSON.stringify(position.u))
          return
        }
      }
    },
    async backlog (cursor: SourceCursor) {
      const start = parseCursor(cursor)
      let past: Parameters<SqlDialect['changesPast']>[0] = {}
      if (start !== null && 'after' in start) past = { after: start.after }
      else if (start !== null) {
        const newest = await context.state?.get(NEWEST_READ)
        past = newest === undefined ? { since: start.since } : { since: start.since, newer: JSON.parse(newest) as unknown }
      }
      const { count, oldest } = await dialect.changesPast(past)
      const micros = count === 0 ? undefined : lookBack.instantOf(oldest)
      return { changes: count, oldestChangeAt: micros === undefined ? null : new Date(Number(micros / 1000n)).toISOString() }
    },
    async * listAll (signal: AbortSignal): AsyncIterable<readonly RawRecord[]> {
      let afterId: unknown = null
      for (;;) {
        if (signal.aborted) return
        const rows = await dialect.rowsById(afterId, config.pageSize)
        if (rows.length === 0) return
        afterId = (rows[rows.length - 1] as RawRecord)[config.idColumn]
        yield rows
        if (rows.length < config.pageSize) return
      }
    },
    async close () {
      closed ??= dialect.close()
      await closed
    },
  }
}

function parseCursor (cursor: SourceCursor): Start {
  if (cursor === null) return null
  try {
    const value = JSON.parse(cursor) as Record<string, unknown>
    if ('since' in value) return { since: value.since }
    return 'u' in value && 'id' in value ? { after: { u: value.u, id: value.id } } : null
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
