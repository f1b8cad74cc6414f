import { readFileSync } from 'node:fs'
import pg from 'pg'
import type { SourceAdapter, SourceAdapterDefinition } from '../src/index.js'
import type { RawRecord } from '../src/contracts/source-adapter.js'
import { RemoteRefusedError, RemoteUnavailableError } from '../src/errors.js'
import { schemaPath } from '../src/paths.js'
import { keysetSource, selectedColumns, type KeysetPosition, type SqlConfig, type SqlDialect } from './sql-keyset.js'

/** SQLSTATE classes that configuration must fix: authentication, unknown database, syntax or unknown object, unsupported, read-only violation. */
const REFUSED_CLASSES = new Set(['28', '3D', '42', '0A', '25'])
/** Date and time types (date, timestamp, timestamptz, time, timetz) stay text: exact, no time-zone guessing. */
const TEXT_TYPES = new Set([1082, 1114, 1184, 1083, 1266])

/**
 * The pool of a `sql-postgres` source: 2 connections, every session read-only from its
 * start (`default_transaction_read_only`, the startup form of SET SESSION CHARACTERISTICS
 * AS TRANSACTION READ ONLY) with a server-side statement timeout, and a client-side one.
 * Exported so a test can prove the session refuses writes.
 */
export function postgresPool (config: SqlConfig): pg.Pool {
  const timeout = config.statementTimeoutMs ?? 30000
  return new pg.Pool({
    host: config.host ?? '127.0.0.1',
    port: config.port ?? 5432,
    database: config.database,
    user: config.user,
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(config.ssl === true ? { ssl: true } : {}),
    max: 2,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 10000,
    idleTimeoutMillis: 30000,
    statement_timeout: timeout,
    query_timeout: timeout + 1000,
    application_name: 'casebridge',
    options: '-c default_transaction_read_only=on',
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => TEXT_TYPES.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser },
  })
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
  const run = async (sql: string, values: unknown[]): Promise<RawRecord[]> => {
    try {
      return (await pool.query(sql, values)).rows as RawRecord[]
    } catch (err) {
      throw typed(who, err)
    }
  }
  return {
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
  const code = String((err as { code?: unknown }).code ?? '')
  const message = `${who}: ${(err as Error).message}${code === '' ? '' : ` (${code})`}`
  return REFUSED_CLASSES.has(code.slice(0, 2)) && code.length === 5
    ? new RemoteRefusedError(message, { cause: err })
    : new RemoteUnavailableError(message, { cause: err })
}

/** Source adapter `sql-postgres`: a PostgreSQL table, view or query (see sql-keyset.ts). */
export const sqlPostgresSource: SourceAdapterDefinition<SqlConfig> = {
  role: 'source',
  kind: 'sql-postgres',
  description: 'PostgreSQL table, view or query (read-only session, keyset pagination)',
  configSchema: JSON.parse(readFileSync(schemaPath('adapters/sql-source.schema.json'), 'utf8')) as Record<string, unknown>,
  create (config, context): SourceAdapter {
    const who = `agency ${context.name}: postgresql://${config.host ?? '127.0.0.1'}:${config.port ?? 5432}/${config.database}`
    return keysetSource('sql-postgres', config, postgresDialect(config, who), context)
  },
}
