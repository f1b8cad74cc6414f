// generated from schemas/adapters/sql-source.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Source adapters `sql-postgres` and `sql-mysql` (MySQL and MariaDB): a table, view or query of the agency database, read in a read-only session with keyset pagination on (updated-at, id). Identifiers are checked here and quoted by the driver; values are always bound parameters.
 */
export type SqlSourceConfig = (
  | {
      relation: unknown
    }
  | {
      query: unknown
    }
) & {
  kind: 'sql-postgres' | 'sql-mysql'
  host: string
  /**
   * Port of the database server; defaults to 5432 for sql-postgres and 3306 for sql-mysql (MySQL/MariaDB), set by kind below.
   */
  port?: number
  database: string
  user: string
  /**
   * From the environment; leave out for trust/no-password logins.
   */
  password?: EnvRef
  /**
   * Use TLS to the database.
   */
  ssl: boolean
  /**
   * Table or view to read, optionally schema-qualified ("export.v_cases"). Letters (including Chinese), digits, _ and $ only.
   */
  relation?: string
  /**
   * Instead of relation: one SELECT whose rows are the records, used as a subquery `(<query>) AS cb_source`. It must not end with ';' or with a -- comment (write /* * / comments); check-config and the first pull refuse such text, and run the query once with LIMIT 0 in the read-only session. Written by the administrator, never built from data.
   */
  query?: string
  /**
   * Columns to read; all when left out.
   *
   * @minItems 1
   */
  columns?: string[]
  /**
   * Column holding each row's last-change time (NOT NULL; rows where it is NULL are counted and reported, and left to reconciliation).
   */
  updatedAtColumn: string
  /**
   * Column that identifies a row uniquely (the tie-breaker when many rows share one updated-at value).
   */
  idColumn: string
  /**
   * Rows per page (per query and per ledger commit).
   */
  pageSize: number
  /**
   * A query running longer is cancelled (server-side timeout, and the client gives up too).
   */
  statementTimeoutMs: number
  connectTimeoutMs: number
  /**
   * Look-back of the incremental pull: each pull reads again every row stamped up to overlapSeconds + settleSeconds before the previous pull began (by the database's clock), so a row committed late by a transaction open that long, or stamped by a writer whose clock is behind, is still pulled. Re-read rows are no-ops in the ledger; they cost a read each (see adapters/README.md for the figures and the choice of 120).
   */
  overlapSeconds: number
  /**
   * The cursor never moves past the database's clock less this (now() / CURRENT_TIMESTAMP, read in the same session at the start of each pull): rows stamped ahead of the clock by a skewed writer cannot carry it past rows still to come.
   */
  settleSeconds: number
  /**
   * UTC offset of the database session (PostgreSQL TimeZone, MySQL/MariaDB time_zone) and of date-times stored without one (timestamp, DATETIME): how timestamptz and MySQL TIMESTAMP values are written for the mapping, and how the cursor compares values with the database's clock.
   */
  timeZone: string
}

/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
