/**
 * The agency-side status table the `table` feedback writer upserts into, for PostgreSQL and
 * MySQL/MariaDB: one row per decision id. A repeated write of a decision (a retry, a replay
 * after a crash) updates its row in place — still one row — and counts itself in `writes`,
 * so an agency (and a test) can see a duplicate write was idempotent.
 */
import { myQuote, mysqlPool, pgQuote, postgresPool, qualified, type TableConnection } from '../table/table-connection.js'
import type { FeedbackDecision } from '../../src/contracts/feedback.js'

export type StatusTableConnection = TableConnection

export interface StatusTable {
  upsert (d: FeedbackDecision): Promise<void>
  close (): Promise<void>
}

const COLUMNS = 'decision_id, agency_code, case_number, decision, decided_at, note, written_at, writes'

/** The statement that creates the table (also in adapters/README.md for a DBA). */
export function createStatement (dialect: 'postgres' | 'mysql', qualified: string): string {
  const text = dialect === 'postgres' ? 'text' : 'VARCHAR(200)'
  const long = dialect === 'postgres' ? 'text' : 'TEXT'
  const at = dialect === 'postgres' ? 'timestamptz' : 'DATETIME(3)'
  return `CREATE TABLE IF NOT EXISTS ${qualified} (decision_id ${text} PRIMARY KEY, agency_code ${text} NOT NULL, case_number ${text} NOT NULL, decision ${text} NOT NULL, decided_at ${text} NOT NULL, note ${long}, written_at ${at} NOT NULL, writes integer NOT NULL)`
}


export function postgresStatusTable (conn: StatusTableConnection, schema: string | undefined, table: string, create: boolean): StatusTable {
  const pool = postgresPool(conn, 'casebridge-feedback')
  const t = qualified(pgQuote, schema, table)
  let created = !create
  return {
    async upsert (d) {
      if (!created) { await pool.query(createStatement('postgres', t)); created = true }
      await pool.query(
        `INSERT INTO ${t} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, now(), 1)
         ON CONFLICT (decision_id) DO UPDATE SET decision = EXCLUDED.decision, decided_at = EXCLUDED.decided_at, note = EXCLUDED.note, written_at = EXCLUDED.written_at, writes = ${t}.writes + 1`,
        [d.id, d.agencyCode, d.caseNumber, d.decision, d.decidedAt, d.note ?? null])
    },
    async close () { await pool.end().catch(() => undefined) },
  }
}

export function mysqlStatusTable (conn: StatusTableConnection, table: string, create: boolean): StatusTable {
  const pool = mysqlPool(conn)
  const t = myQuote(table)
  let created = !create
  return {
    async upsert (d) {
      if (!created) { await pool.query(createStatement('mysql', t)); created = true }
      await pool.query({
        sql: `INSERT INTO ${t} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3), 1)
              ON DUPLICATE KEY UPDATE decision = VALUES(decision), decided_at = VALUES(decided_at), note = VALUES(note), written_at = VALUES(written_at), writes = writes + 1`,
        timeout: conn.statementTimeoutMs,
      }, [d.id, d.agencyCode, d.caseNumber, d.decision, d.decidedAt, d.note ?? null])
    },
    async close () { await pool.end().catch(() => undefined) },
  }
}
