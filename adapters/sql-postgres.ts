import pg from 'pg'
import type { RawRecord } from '../src/contracts/source-adapter.js'
import { defineSourceAdapter } from './define-adapter.js'
import { keysetSource, selectedColumns, type KeysetPosition, type SqlConfig, type SqlDialect } from './sql-keyset.js'
import { sqlSourceError } from './sql-errors.js'

/** Date and time types (date, timestamp, timestamptz, time, timetz) stay text: exact, no time-zone guessing. */
const TEXT_TYPES = new Set([1082, 1114, 1184, 1083, 1266])

/**
 * A UTC offset from config ("+08:00") as a PostgreSQL TimeZone setting. Not "+08:00" itself:
 * PostgreSQL reads a bare offset the POSIX way, positive west of Greenwich, which would be
 * UTC−8. The POSIX form names the offset "+0800" and gives its distance west.
 */
export function postgresTimeZone (offset: string): string {
  const west = offset.startsWith('-') ? '+' : '-'
  return `<${offset.slice(0, 3)}${offset.slice(4, 6)}>${west}${offset.slice(1)}`
}

/**
 * The pool of a `sql-postgres` source: 2 connections, every session read-only from its start
 * (`default_transaction_read_only`, the startup form of SET SESSION CHARACTERISTICS AS
 * TRANSACTION READ ONLY) in the configured time zone, with a server-side statement timeout
 * and a client-side one. `timestamp` values are read as stored (text, no conversion: the
 * mapping's timezone gives them their offset); `timestamptz` values are written by the server
 * in the session's time zone (`timeZone`, default +08:00) with that offset, e.g.
 * `2024-03-01 09:30:00.123456+08`. Exported so a test can prove the session refuses writes.
 */
export function postgresPool (config: SqlConfig): pg.Pool {
  return new pg.Pool({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(config.ssl ? { ssl: true } : {}),
    max: 2,
    connectionTimeoutMillis: config.connectTimeoutMs,
    idleTimeoutMillis: 30000,
    statement_timeout: config.statementTimeoutMs,
    query_timeout: config.statementTimeoutMs + 1000,
    application_name: 'casebridge',
    options: `-c default_transaction_read_only=on -c TimeZone=${postgresTimeZone(config.timeZone)}`,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => TEXT_TYPES.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser },
  })
}

/**
 * One statement through the extended protocol (parse, bind, execute), also without
 * parameters: the server refuses more than one statement in it ("cannot insert multiple
 * commands into a prepared statement"), so no configured text can run a second one. (The
 * simple protocol, which pg uses for a query without values, runs every statement it is sent.)
 */
export async function extendedQuery (pool: pg.Pool, text: string, values: readonly unknown[]): Promise<pg.QueryResult<RawRecord>> {
  const statement = { text, values: [...values], queryMode: 'extended' }
  return await pool.query<RawRecord>(statement)
}

function postgresDialect (config: SqlConfig, who: string): SqlDialect {
  const pool = postgresPool(config)
  pool.on('error', () => undefined) // an idle connection dropping is seen by the next query
  const q = pg.escapeIdentifier
  const from = config.query !== undefined ? `(${config.query}) AS cb_source` : config.relation!.split('.').map(q).join('.')
  const cols = selectedColumns(config)
  const select = cols === undefined ? '*' : cols.map(q).join(', ')
  const u = q(config.updatedAtColumn)
  const id = q(config.idColumn)
  const result = async (sql: string, values: unknown[]): Promise<pg.QueryResult<RawRecord>> => {
    try {
      return await extendedQuery(pool, sql, values)
    } catch (err) {
      throw sqlSourceError(who, err)
    }
  }
  const run = async (sql: string, values: unknown[]): Promise<RawRecord[]> => (await result(sql, values)).rows
  return {
    name: 'postgres',
    async now () {
      return String((await run('SELECT now() AS now', []))[0]?.now)
    },
    async rowsFrom (since: unknown, limit: number) {
      return await run(`SELECT ${select} FROM ${from} WHERE ${u} >= $1 ORDER BY ${u}, ${id} LIMIT $2`, [since, limit])
    },
    async rowsAfter (after: KeysetPosition | null, limit: number) {
      return after === null
        ? await run(`SELECT ${select} FROM ${from} WHERE ${u} IS NOT NULL ORDER BY ${u}, ${id} LIMIT $1`, [limit])
        : await run(`SELECT ${select} FROM ${from} WHERE (${u}, ${id}) > ($1, $2) ORDER BY ${u}, ${id} LIMIT $3`, [after.u, after.id, limit])
    },
    async rowsById (afterId: unknown, limit: number) {
      return afterId === null
        ? await run(`SELECT ${select} FROM ${from} ORDER BY ${id} LIMIT $1`, [limit])
        : await run(`SELECT ${select} FROM ${from} WHERE ${id} > $1 ORDER BY ${id} LIMIT $2`, [afterId, limit])
    },
    async changesPast (past) {
      const [where, values] = past.after !== undefined
        ? [`(${u}, ${id}) > ($1, $2)`, [past.after.u, past.after.id]]
        : past.since === undefined
          ? [`${u} IS NOT NULL`, []]
          : past.newer === undefined ? [`${u} >= $1`, [past.since]] : [`${u} >= $1 AND ${u} > $2`, [past.since, past.newer]]
      const row = (await run(`SELECT count(*) AS n, min(${u}) AS oldest FROM ${from} WHERE ${where}`, values))[0]
      return { count: Number(row?.n ?? 0), oldest: row?.oldest ?? null }
    },
    async rowsWithoutUpdatedAt () {
      const rows = await run(`SELECT count(*) AS n FROM ${from} WHERE ${u} IS NULL`, [])
      return Number(rows[0]?.n ?? 0)
    },
    async columns () {
      return (await result(`SELECT ${select} FROM ${from} LIMIT 0`, [])).fields.map(f => f.name)
    },
    async close () {
      await pool.end()
    },
  }
}

/** Source adapter `sql-postgres`: a PostgreSQL table, view or query (see sql-keyset.ts). */
export const sqlPostgresSource = defineSourceAdapter<SqlConfig>({
  kind: 'sql-postgres',
  description: 'PostgreSQL table, view or query (read-only session, keyset pagination)',
  schemaFile: 'sql-source.schema.json',
  create (config, context) {
    const who = `agency ${context.name}: postgresql://${config.host}:${config.port}/${config.database}`
    return keysetSource('sql-postgres', config, postgresDialect(config, who), context, who)
  },
})
