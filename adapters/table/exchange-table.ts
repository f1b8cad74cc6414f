/**
 * The 前置库 exchange table, as the `sql-table` target writes and reads it, for PostgreSQL
 * and MySQL/MariaDB. One row per (agency code, case number): the version sequence, the
 * fingerprint and the JSON text of the platform's record, and the collector's status.
 *
 * Fencing is in the statement itself: a row is replaced only when the incoming sequence is
 * newer than the one it holds, so a repeated delivery (same sequence) or a stale one (an
 * older sequence, e.g. from a paused process) is no second write — whatever the clocks say.
 */
import type pg from 'pg'
import type mysql from 'mysql2/promise'
import { myQuote, mysqlPool, pgQuote, postgresPool, qualified, type TableConnection } from './table-connection.js'

export interface ExchangeRow {
  readonly agencyCode: string
  readonly caseNumber: string
  readonly seq: number
  readonly fingerprint: string
  /** JSON text of the platform's record. */
  readonly payload: string
}

/** What the table holds for one case after a write: its sequence and the collector's word on it. */
export interface RowState {
  readonly seq: number
  readonly status: string | null
  readonly message: string | null
  readonly fingerprint: string
}

export interface ListedRow {
  readonly caseNumber: string
  readonly payload: string
  readonly status: string | null
  readonly writtenAt: string
}

/** The table's column names (from the adapter config; checked identifiers, quoted here). */
export interface ExchangeColumns {
  readonly agencyCode: string
  readonly caseNumber: string
  readonly seq: string
  readonly fingerprint: string
  readonly payload: string
  readonly writtenAt: string
  /** Absent: the table has no status column and a commit is the acknowledgement. */
  readonly status?: string
  readonly statusMessage?: string
}

export interface ExchangeTable {
  /** Write the rows in ONE transaction (fenced by sequence); then the state of each row as the table holds it. */
  write (rows: readonly ExchangeRow[]): Promise<Map<string, RowState>>
  /** The state of the given cases of one agency. */
  states (agencyCode: string, caseNumbers: readonly string[]): Promise<Map<string, RowState>>
  /** One page of an agency's rows in case-number order, after `after` (exclusive). */
  list (agencyCode: string, after: string | null, limit: number): Promise<ListedRow[]>
  /** A cheap read-only probe. */
  ping (): Promise<void>
  close (): Promise<void>
}

export type ExchangeConnection = TableConnection


export function postgresExchangeTable (conn: ExchangeConnection, schema: string | undefined, table: string, c: ExchangeColumns): ExchangeTable {
  const pool = postgresPool(conn, 'casebridge')
  const t = qualified(pgQuote, schema, table)
  const q = pgQuote
  const stateCols = `${q(c.caseNumber)} AS case_number, ${q(c.seq)}::text AS seq, ${q(c.fingerprint)} AS fingerprint, ${c.status === undefined ? 'NULL' : q(c.status)} AS status, ${c.statusMessage === undefined ? 'NULL' : q(c.statusMessage)} AS message`
  const resetStatus = c.status === undefined ? '' : `, ${q(c.status)} = 'pending'${c.statusMessage === undefined ? '' : `, ${q(c.statusMessage)} = NULL`}`
  const insertStatus = c.status === undefined ? { cols: '', vals: '' } : { cols: `, ${q(c.status)}`, vals: ", 'pending'" }
  const states = async (client: pg.Pool | pg.PoolClient, agencyCode: string, numbers: readonly string[]): Promise<Map<string, RowState>> => {
    const res = await client.query<{ case_number: string; seq: string; fingerprint: string; status: string | null; message: string | null }>(
      `SELECT ${stateCols} FROM ${t} WHERE ${q(c.agencyCode)} = $1 AND ${q(c.caseNumber)} = ANY($2::text[])`, [agencyCode, [...numbers]])
    return new Map(res.rows.map(r => [r.case_number, { seq: Number(r.seq), fingerprint: r.fingerprint, status: r.status, message: r.message }]))
  }
  return {
    async write (rows) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query(
          `INSERT INTO ${t} AS x (${q(c.agencyCode)}, ${q(c.caseNumber)}, ${q(c.seq)}, ${q(c.fingerprint)}, ${q(c.payload)}, ${q(c.writtenAt)}${insertStatus.cols})
           SELECT a, n, s, f, p, now()${insertStatus.vals} FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS u(a, n, s, f, p)
           ON CONFLICT (${q(c.agencyCode)}, ${q(c.caseNumber)}) DO UPDATE SET ${q(c.seq)} = EXCLUDED.${q(c.seq)}, ${q(c.fingerprint)} = EXCLUDED.${q(c.fingerprint)},
             ${q(c.payload)} = EXCLUDED.${q(c.payload)}, ${q(c.writtenAt)} = EXCLUDED.${q(c.writtenAt)}${resetStatus}
           WHERE x.${q(c.seq)} < EXCLUDED.${q(c.seq)}`,
          [rows.map(r => r.agencyCode), rows.map(r => r.caseNumber), rows.map(r => r.seq), rows.map(r => r.fingerprint), rows.map(r => r.payload)])
        const out = new Map<string, RowState>()
        for (const code of new Set(rows.map(r => r.agencyCode))) {
          for (const [n, s] of await states(client, code, rows.filter(r => r.agencyCode === code).map(r => r.caseNumber))) out.set(n, s)
        }
        await client.query('COMMIT')
        return out
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },
    async states (agencyCode, numbers) { return await states(pool, agencyCode, numbers) },
    async list (agencyCode, after, limit) {
      const res = await pool.query<{ case_number: string; payload: string; status: string | null; written_at: string }>(
        `SELECT ${q(c.caseNumber)} AS case_number, ${q(c.payload)} AS payload, ${c.status === undefined ? 'NULL' : q(c.status)} AS status, to_char(${q(c.writtenAt)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS written_at
         FROM ${t} WHERE ${q(c.agencyCode)} = $1 AND ($2::text IS NULL OR ${q(c.caseNumber)} COLLATE "C" > $2::text COLLATE "C") ORDER BY ${q(c.caseNumber)} COLLATE "C" LIMIT $3`, [agencyCode, after, limit])
      return res.rows.map(r => ({ caseNumber: r.case_number, payload: r.payload, status: r.status, writtenAt: r.written_at }))
    },
    async ping () { await pool.query(`SELECT 1 FROM ${t} LIMIT 1`) },
    async close () { await pool.end() },
  }
}

export function mysqlExchangeTable (conn: ExchangeConnection, schema: string | undefined, table: string, c: ExchangeColumns): ExchangeTable {
  const pool = mysqlPool(conn, { dateStrings: true })
  const t = qualified(myQuote, schema, table)
  const q = myQuote
  const stateCols = `${q(c.caseNumber)} AS case_number, CAST(${q(c.seq)} AS CHAR) AS seq, ${q(c.fingerprint)} AS fingerprint, ${c.status === undefined ? 'NULL' : q(c.status)} AS status, ${c.statusMessage === undefined ? 'NULL' : q(c.statusMessage)} AS message`
  // MySQL applies ON DUPLICATE KEY assignments left to right, each seeing the ones before:
  // every column is decided on the OLD sequence, and the sequence itself is assigned last.
  const newer = `VALUES(${q(c.seq)}) > ${q(c.seq)}`
  const take = (col: string): string => `${q(col)} = IF(${newer}, VALUES(${q(col)}), ${q(col)})`
  const statusSets = c.status === undefined ? [] : [`${q(c.status)} = IF(${newer}, 'pending', ${q(c.status)})`, ...(c.statusMessage === undefined ? [] : [`${q(c.statusMessage)} = IF(${newer}, NULL, ${q(c.statusMessage)})`])]
  const sets = [take(c.fingerprint), take(c.payload), take(c.writtenAt), ...statusSets, take(c.seq)].join(', ')
  const insertCols = [c.agencyCode, c.caseNumber, c.seq, c.fingerprint, c.payload, c.writtenAt, ...(c.status === undefined ? [] : [c.status])].map(q).join(', ')
  type StateRow = mysql.RowDataPacket & { case_number: string; seq: string; fingerprint: string; status: string | null; message: string | null }
  const states = async (db: mysql.Pool | mysql.PoolConnection, agencyCode: string, numbers: readonly string[]): Promise<Map<string, RowState>> => {
    if (numbers.length === 0) return new Map()
    const [rows] = await db.query<StateRow[]>({ sql: `SELECT ${stateCols} FROM ${t} WHERE ${q(c.agencyCode)} = ? AND ${q(c.caseNumber)} IN (?)`, timeout: conn.statementTimeoutMs }, [agencyCode, [...numbers]])
    return new Map(rows.map(r => [r.case_number, { seq: Number(r.seq), fingerprint: r.fingerprint, status: r.status, message: r.message }]))
  }
  return {
    async write (rows) {
      const db = await pool.getConnection()
      try {
        await db.beginTransaction()
        const values = rows.map(r => [r.agencyCode, r.caseNumber, r.seq, r.fingerprint, r.payload, new Date(), ...(c.status === undefined ? [] : ['pending'])])
        await db.query({ sql: `INSERT INTO ${t} (${insertCols}) VALUES ? ON DUPLICATE KEY UPDATE ${sets}`, timeout: conn.statementTimeoutMs }, [values])
        const out = new Map<string, RowState>()
        for (const code of new Set(rows.map(r => r.agencyCode))) {
          for (const [n, s] of await states(db, code, rows.filter(r => r.agencyCode === code).map(r => r.caseNumber))) out.set(n, s)
        }
        await db.commit()
        return out
      } catch (err) {
        await db.rollback().catch(() => {})
        throw err
      } finally {
        db.release()
      }
    },
    async states (agencyCode, numbers) { return await states(pool, agencyCode, numbers) },
    async list (agencyCode, after, limit) {
      type Listed = mysql.RowDataPacket & { case_number: string; payload: string; status: string | null; written_at: string }
      const [rows] = await pool.query<Listed[]>({
        sql: `SELECT ${q(c.caseNumber)} AS case_number, ${q(c.payload)} AS payload, ${c.status === undefined ? 'NULL' : q(c.status)} AS status, DATE_FORMAT(${q(c.writtenAt)}, '%Y-%m-%dT%H:%i:%s.%fZ') AS written_at
              FROM ${t} WHERE ${q(c.agencyCode)} = ? AND (? IS NULL OR CAST(${q(c.caseNumber)} AS BINARY) > CAST(? AS BINARY)) ORDER BY CAST(${q(c.caseNumber)} AS BINARY) LIMIT ?`,
        timeout: conn.statementTimeoutMs,
      }, [agencyCode, after, after, limit])
      return rows.map(r => ({ caseNumber: r.case_number, payload: r.payload, status: r.status, writtenAt: r.written_at }))
    },
    async ping () { await pool.query(`SELECT 1 FROM ${t} LIMIT 1`) },
    async close () { await pool.end() },
  }
}
