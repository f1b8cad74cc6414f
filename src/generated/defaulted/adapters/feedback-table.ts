// generated from schemas/adapters/feedback-table.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Feedback writer `table`: upserts each platform decision into a status table of the agency's database (PostgreSQL or MySQL/MariaDB), one row per decision id. Columns: decision_id (primary key), agency_code, case_number, decision, decided_at, note, written_at, writes.
 */
export interface FeedbackTableWriterConfig {
  kind: 'table'
  /**
   * postgres, or mysql for MySQL and MariaDB.
   */
  dialect: 'postgres' | 'mysql'
  host: string
  /**
   * Absent: 5432 (postgres) or 3306 (mysql).
   */
  port?: number
  database: string
  user: string
  /**
   * From the environment.
   */
  password?: EnvRef
  ssl: boolean
  /**
   * PostgreSQL schema of the table (absent: the search path).
   */
  schema?: string
  /**
   * The status table.
   */
  table: string
  /**
   * Create the table when it is missing (CREATE TABLE IF NOT EXISTS). Off: the agency's DBA creates it (adapters/README.md has the statement).
   */
  createTable: boolean
  connectTimeoutMs: number
  statementTimeoutMs: number
}
/**
 * This interface was referenced by `FeedbackTableWriterConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
