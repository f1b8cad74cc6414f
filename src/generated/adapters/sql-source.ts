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
  host?: string
  /**
   * Default 5432 (PostgreSQL) or 3306 (MySQL/MariaDB).
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
  ssl?: boolean
  /**
   * Table or view to read, optionally schema-qualified ("export.v_cases"). Letters (including Chinese), digits, _ and $ only.
   */
  relation?: string
  /**
   * Instead of relation: a SELECT whose rows are the records (used as a subquery; it must not end with a semicolon). Written by the administrator, never built from data.
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
  pageSize?: number
  /**
   * A query running longer is cancelled (server-side timeout, and the client gives up too).
   */
  statementTimeoutMs?: number
  connectTimeoutMs?: number
}

/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
