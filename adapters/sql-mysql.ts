import mysql from 'mysql2/promise'
import type { RawRecord } from '../src/contracts/source-adapter.js'
import { defineSourceAdapter } from './define-adapter.js'
import { keysetSource, selectedColumns, type KeysetPosition, type SqlConfig, type SqlDialect } from './sql-keyset.js'
import { sqlSourceError } from './sql-errors.js'

/** "Unknown system variable": each server knows only one of the two timeout variables set below. */
const ER_UNKNOWN_SYSTEM_VARIABLE = 1193

/**
 * The pool of a `sql-mysql` source (MySQL and MariaDB): 2 connections, each session
 * read-only (`SET SESSION TRANSACTION READ ONLY`) in the configured time zone
 * (`SET time_zone`, default +08:00: a `TIMESTAMP` column is read as the writers' +08:00
 * sessions wrote it, not in the server's default zone; `DATETIME` is read as stored) with a
 * server-side statement timeout (MariaDB's max_statement_time in seconds, MySQL's
 * max_execution_time in ms) and a client-side one per query. Dates stay text, big numbers
 * stay text. Exported so a test can prove the session refuses writes.
 */
export function mysqlPool (config: SqlConfig): mysql.Pool {
  const timeout = config.statementTimeoutMs
  const pool = mysql.createPool({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(config.ssl ? { ssl: {} } : {}),
    connectionLimit: 2,
    connectTimeout: config.connectTimeoutMs,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    charset: 'utf8mb4',
    multipleStatements: false,
  })
  // Runs on each new connection before the pool hands it out (commands queue in order).
  pool.pool.on('connection', connection => {
    const ignoreUnknown = (err: { errno?: number } | null): void => { if (err !== null && err.errno !== ER_UNKNOWN_SYSTEM_VARIABLE) connection.destroy() }
    const required = (err: unknown): void => { if (err !== null) connection.destroy() }
    connection.query('SET SESSION TRANSACTION READ ONLY', required)
    connection.query('SET time_zone = ?', [config.timeZone], required)
    connection.query(`SET SESSION max_statement_time = ${timeout / 1000}`, ignoreUnknown)
    connection.query(`SET SESSION max_execution_time = ${Math.round(timeout)}`, ignoreUnknown)
  })
  return pool
}

/** A keyset or cursor value as a prepared-statement parameter (they come from rows and stored JSON: text or numbers). */
function bindable (value: unknown): string | number | bigint | boolean | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value
  return JSON.stringify(value)
}

function mysqlDialect (config: SqlConfig, who: string): SqlDialect {
  const pool = mysqlPool(config)
  const timeout = config.statementTimeoutMs + 1000
  const q = (name: string): string => mysql.escapeId(name)
  const from = config.query !== undefined ? `(${config.query}) AS cb_source` : q(config.relation!)
  const cols = selectedColumns(config)
  const select = cols === undefined ? '*' : cols.map(c => mysql.escapeId(c, true)).join(', ')
  const u = mysql.escapeId(config.updatedAtColumn, true)
  const id = mysql.escapeId(config.idColumn, true)
  // Prepared statements (execute) only: the server takes one statement in each.
  const result = async (sql: string, values: unknown[]): Promise<[RawRecord[], mysql.FieldPacket[]]> => {
    try {
      const [rows, fields] = await pool.execute<mysql.RowDataPacket[]>({ sql, timeout }, values.map(bindable))
      return [rows, fields]
    } catch (err) {
      throw sqlSourceError(who, err)
    }
  }
  const run = async (sql: string, values: unknown[]): Promise<RawRecord[]> => (await result(sql, values))[0]
  // LIMIT is written into the text: it is an integer from the checked config, never data,
  // and some servers reject a bound LIMIT in prepared statements.
  const limitOf = (n: number): string => String(Math.trunc(n))
  return {
    name: 'mysql',
    async now () {
      return String((await run('SELECT CURRENT_TIMESTAMP(6) AS now', []))[0]?.now)
    },
    async rowsFrom (since: unknown, limit: number) {
      return await run(`SELECT ${select} FROM ${from} WHERE ${u} >= ? ORDER BY ${u}, ${id} LIMIT ${limitOf(limit)}`, [since])
    },
    async rowsAfter (after: KeysetPosition | null, limit: number) {
      // Expanded form of (u, id) > (?, ?): MySQL's optimizer uses the index for it, not for row comparisons.
      return after === null
        ? await run(`SELECT ${select} FROM ${from} WHERE ${u} IS NOT NULL ORDER BY ${u}, ${id} LIMIT ${limitOf(limit)}`, [])
        : await run(`SELECT ${select} FROM ${from} WHERE ${u} > ? OR (${u} = ? AND ${id} > ?) ORDER BY ${u}, ${id} LIMIT ${limitOf(limit)}`, [after.u, after.u, after.id])
    },
    async rowsById (afterId: unknown, limit: number) {
      return afterId === null
        ? await run(`SELECT ${select} FROM ${from} ORDER BY ${id} LIMIT ${limitOf(limit)}`, [])
        : await run(`SELECT ${select} FROM ${from} WHERE ${id} > ? ORDER BY ${id} LIMIT ${limitOf(limit)}`, [afterId])
    },
    async changesPast (past) {
      const [where, values] = past.after !== undefined
        ? [`${u} > ? OR (${u} = ? AND ${id} > ?)`, [past.after.u, past.after.u, past.after.id]]
        : past.since === undefined
          ? [`${u} IS NOT NULL`, []]
          : past.newer === undefined ? [`${u} >= ?`, [past.since]] : [`${u} >= ? AND ${u} > ?`, [past.since, past.newer]]
      const row = (await run(`SELECT count(*) AS n, min(${u}) AS oldest FROM ${from} WHERE ${where}`, values))[0]
      return { count: Number(row?.n ?? 0), oldest: row?.oldest ?? null }
    },
    async rowsWithoutUpdatedAt () {
      const rows = await run(`SELECT count(*) AS n FROM ${from} WHERE ${u} IS NULL`, [])
      return Number(rows[0]?.n ?? 0)
    },
    async columns () {
      return (await result(`SELECT ${select} FROM ${from} LIMIT 0`, []))[1].map(f => f.name)
    },
    async close () {
      await pool.end()
    },
  }
}

/** Source adapter `sql-mysql`: a MySQL or MariaDB table, view or query (see sql-keyset.ts). */
export const sqlMysqlSource = defineSourceAdapter<SqlConfig>({
  kind: 'sql-mysql',
  description: 'MySQL or MariaDB table, view or query (read-only session, keyset pagination)',
  schemaFile: 'sql-source.schema.json',
  create (config, context) {
    const who = `agency ${context.name}: mysql://${config.host}:${config.port}/${config.database}`
    return keysetSource('sql-mysql', config, mysqlDialect(config, who), context, who)
  },
})
