/**
 * What every adapter that writes a table of the agency or the platform shares: the
 * connection settings, pools opened the same way for PostgreSQL and MySQL/MariaDB (two
 * connections, the configured connect and statement timeouts, UTC, utf8mb4), and quoting of
 * the configured names (checked by the config schemas' patterns; quoted all the same).
 */
import pg from 'pg'
import mysql from 'mysql2/promise'

export interface TableConnection {
  readonly host: string
  readonly port?: number | undefined
  readonly database: string
  readonly user: string
  readonly password?: string | undefined
  readonly ssl: boolean
  readonly connectTimeoutMs: number
  readonly statementTimeoutMs: number
}

export const pgQuote = (name: string): string => `"${name.replace(/"/g, '""')}"`
export const myQuote = (name: string): string => `\`${name.replace(/`/g, '``')}\``

/** `"schema"."table"` (PostgreSQL) or `` `db`.`table` `` (MySQL). */
export function qualified (quote: (name: string) => string, schema: string | undefined, table: string): string {
  return schema === undefined ? quote(table) : `${quote(schema)}.${quote(table)}`
}

/** A PostgreSQL pool; `applicationName` names the hub's part in pg_stat_activity. */
export function postgresPool (conn: TableConnection, applicationName: string): pg.Pool {
  return new pg.Pool({
    host: conn.host, port: conn.port ?? 5432, database: conn.database, user: conn.user,
    ...(conn.password === undefined ? {} : { password: conn.password }),
    ...(conn.ssl ? { ssl: true } : {}),
    max: 2, connectionTimeoutMillis: conn.connectTimeoutMs, idleTimeoutMillis: 30000,
    statement_timeout: conn.statementTimeoutMs, query_timeout: conn.statementTimeoutMs + 1000, application_name: applicationName,
  })
}

/** A MySQL/MariaDB pool in UTC and utf8mb4; `dateStrings` keeps DATETIME columns as text. */
export function mysqlPool (conn: TableConnection, opts: { dateStrings?: boolean } = {}): mysql.Pool {
  return mysql.createPool({
    host: conn.host, port: conn.port ?? 3306, database: conn.database, user: conn.user,
    ...(conn.password === undefined ? {} : { password: conn.password }),
    ...(conn.ssl ? { ssl: {} } : {}),
    connectionLimit: 2, connectTimeout: conn.connectTimeoutMs, charset: 'utf8mb4', timezone: 'Z',
    ...(opts.dateStrings === true ? { dateStrings: true } : {}),
  })
}
