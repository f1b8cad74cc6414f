// generated from schemas/adapters/sql-table.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * This interface was referenced by `SqlTableTargetConfig`'s JSON-Schema
 * via the `definition` "identifier".
 */
export type SqlIdentifier = string

/**
 * Target adapter `sql-table`: the 前置库 (front-end exchange database) of a platform, PostgreSQL or MySQL/MariaDB. Each batch is written in one transaction as upserts keyed by (agency code, case number), fenced by the version sequence; the acknowledgement is the collector's status column read back, or the commit itself when the table has none.
 */
export interface SqlTableTargetConfig {
  kind: 'sql-table'
  /**
   * `mysql` also for MariaDB.
   */
  dialect: 'postgres' | 'mysql'
  host: string
  /**
   * Default 5432 (postgres) or 3306 (mysql).
   */
  port?: number
  database: string
  user: string
  /**
   * From the environment; leave out for trust/no-password logins.
   */
  password?: EnvRef
  ssl: boolean
  /**
   * PostgreSQL schema of the table (default: the search path). Not used for MySQL, whose `database` is the schema.
   */
  schema?: SqlIdentifier
  table: SqlIdentifier
  /**
   * The exchange table's column names, when the platform's specification names them differently.
   */
  columns: {
    agencyCode: SqlIdentifier
    caseNumber: SqlIdentifier
    /**
     * BIGINT: the version sequence; a row is replaced only by a newer one.
     */
    seq: SqlIdentifier
    fingerprint: SqlIdentifier
    /**
     * TEXT: the JSON of the platform's record.
     */
    payload: SqlIdentifier
    writtenAt: SqlIdentifier
    /**
     * Written 'pending' by the hub; the collector sets the collected or rejected value.
     */
    status: SqlIdentifier
    statusMessage: SqlIdentifier
  }
  /**
   * `status`: a case is acknowledged when the collector marks its row collected (rejected: a dead letter with the collector's message). `commit`: the table has no status column and the commit is the acknowledgement.
   */
  ack: 'status' | 'commit'
  statusValues: {
    collected: string
    rejected: string
  }
  /**
   * How long one push waits for the collector's status; rows still pending then are tried again later (rewriting them is a no-op).
   */
  ackWaitMs: number
  ackPollMs: number
  connectTimeoutMs: number
  statementTimeoutMs: number
  /**
   * Rows per page when reconciliation lists the table.
   */
  listPageSize: number
  /**
   * The target profile (mappings/profiles/…yaml) that turns a canonical case into the platform's record; leave out to store the canonical case itself.
   */
  profile?: string
  /**
   * How often the profile file is checked for edits (hot reload; a broken edit keeps the last good version).
   */
  profilePollMs: number
}
/**
 * This interface was referenced by `SqlTableTargetConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
