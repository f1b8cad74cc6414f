import { readFileSync } from 'node:fs'
import mysql from 'mysql2/promise'
import type { SourceAdapter, SourceAdapterDefinition } from '../src/index.js'
import type { RawRecord } from '../src/contracts/source-adapter.js'
import { RemoteRefusedError, RemoteUnavailableError } from '../src/errors.js'
import { schemaPath } from '../src/paths.js'
import { keysetSource, selectedColumns, type KeysetPosition, type SqlConfig, type SqlDialect } from './sql-keyset.js'

/** Server errors that configuration must fix: access, unknown database/table/column, syntax, read-only session. */
const REFUSED_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_PARSE_ERROR', 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION'])
/** "Unknown system variable": each server knows only one of the two timeout variables set below. */
const ER_UNKNOWN_SYSTEM_VARIABLE = 1193

/**
 * The pool of a `sql-mysql` source (MySQL and MariaDB): 2 connections, each session
 * read-only (`SET SESSION TRANSACTION READ ONLY`) with a server-side statement timeout
 * (MariaDB's max_statement_time in seconds, MySQL's max_execution_time in ms) and a
 * client-side one per query. Dates stay text, big numbers stay text. Exported so a test
 * can prove the session refuses writes.
 */
export function mysqlPool (config: SqlConfig): mysql.Pool {
  const timeout = config.statementTimeoutMs ?? 30000
  const pool = mysql.createPool({
    host: config.host ?? '127.0.0.1',
    port: config.port ?? 3306,
    database: config.database,
    user: config.user,
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(config.ssl === true ? { ssl: {} } : {}),
    connectionLimit: 2,
    connectTimeout: config.connectTimeoutMs ?? 10000,
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
    connection.query('SET SESSION TRANSACTION READ ONLY', (err: unknown) => { if (err !== null) connection.destroy() })
    connection.query(`SET SESSION max_statement_time = ${timeout / 1000}`, ignoreUnknown)
    connection.query(`SET SESSION max_execution_time = ${Math.round(timeout)}`, ignoreUnknown)
  })
  return pool
}

function mysqlDialect (config: SqlConfig, who: string): SqlDialect {
  const pool = mysqlPool(config)
  const timeout = (config.statementTimeoutMs ?? 30000) + 1000
  const q = (name: string): string => mysql.escapeId(name)
  const from = config.query !== undefined ? `(${config.query}) AS cb_source` : q(config.relation!)
  const cols = selectedColumns(config)
  const select = cols === undefined ? '*' : cols.map(c => mysql.escapeId(c, true)).join(', ')
  const u = mysql.escapeId(config.updatedAtColumn, true)
  const id = mysql.escapeId(config.idColumn, true)
  const run = async (sql: string, values: unknown[]): Promise<RawRecord[]> => {
    try {
      const [rows] = await pool.execute({ sql, timeout }, values as never)
      return rows as RawRecord[]
    } catch (err) {
      throw typed(who, err)
    }
  }
  // LIMIT is written into the text: it is an integer from the checked config, never data,
  // and some servers reject a bound LIMIT in prepared statements.
  const limitOf = (n: number): string => String(Math.trunc(n))
  return {
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
    async rowsWithoutUpdatedAt () {
      const rows = await run(`SELECT count(*) AS n FROM ${from} WHERE ${u} IS NULL`, [])
      return Number(rows[0]?.n ?? 0)
    },
    async close () {
      await pool.end()
    },
  }
}

function typed (who: string, err: unknown): Error {
  const { code, sqlState } = err as { code?: string; sqlState?: string }
  const message = `${who}: ${(err as Error).message}${code === undefined ? '' : ` (${code})`}`
  return (code !== undefined && REFUSED_CODES.has(code)) || sqlState?.startsWith('42') === true
    ? new RemoteRefusedError(message, { cause: err })
    : new RemoteUnavailableError(message, { cause: err })
}

/** Source adapter `sql-mysql`: a MySQL or MariaDB table, view or query (see sql-keyset.ts). */
export const sqlMysqlSource: SourceAdapterDefinition<SqlConfig> = {
  role: 'source',
  kind: 'sql-mysql',
  description: 'MySQL or MariaDB table, view or query (read-only session, keyset pagination)',
  configSchema: JSON.parse(readFileSync(schemaPath('adapters/sql-source.schema.json'), 'utf8')) as Record<string, unknown>,
  create (config, context): SourceAdapter {
    const who = `agency ${context.name}: mysql://${config.host ?? '127.0.0.1'}:${config.port ?? 3306}/${config.database}`
    return keysetSource('sql-mysql', config, mysqlDialect(config, who), context)
  },
}
