import { RemoteRefusedError, RemoteUnavailableError } from '../src/errors.js'

/**
 * SQLSTATE classes that only a change of configuration or grants can fix, for PostgreSQL and
 * MySQL/MariaDB alike (both drivers report the SQLSTATE): 28 authentication, 42 syntax or
 * access rule (permission denied, unknown table or column), 3D unknown database, 3F unknown
 * schema, 0A unsupported feature, 25 invalid transaction state (a write in the read-only
 * session), 22 data exception (a value the query cannot take, e.g. a cursor from another
 * column type). Everything else — timeouts (57014, 70100), lost or refused connections
 * (08…, ECONNREFUSED), lock waits, shutdowns — may pass.
 */
const REFUSED_CLASSES = new Set(['28', '42', '3D', '3F', '0A', '25', '22'])

/** The five-character SQLSTATE of a driver error: PostgreSQL's `code`, MySQL's `sqlState`. */
function sqlStateOf (err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { code, sqlState } = err as { code?: unknown; sqlState?: unknown }
  if (typeof sqlState === 'string' && sqlState.length === 5) return sqlState
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/**
 * A driver error of a SQL source as the hub's typed error: `RemoteRefusedError` ("refused":
 * permission denied, authentication, a query the server rejects) or `RemoteUnavailableError`
 * ("not answering": timeout, connection refused or lost). `who` names the agency and database.
 */
export function sqlSourceError (who: string, err: unknown): RemoteRefusedError | RemoteUnavailableError {
  const state = sqlStateOf(err)
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  const named = typeof code === 'string' && code !== '' ? code : state
  const message = `${who}: ${err instanceof Error ? err.message : String(err)}${named === undefined ? '' : ` (${named})`}`
  return state !== undefined && REFUSED_CLASSES.has(state.slice(0, 2))
    ? new RemoteRefusedError(message, { cause: err })
    : new RemoteUnavailableError(message, { cause: err })
}
