import { errors as undiciErrors } from 'undici'
import { RateLimitedError, RemoteRefusedError, RemoteUnavailableError } from '../src/errors.js'

/**
 * Turn an HTTP answer or a transport failure into the hub's error families, so the queue
 * knows whether to back off, wait as asked, or give up. `who` names the remote in messages.
 */
export function httpStatusError (who: string, status: number, retryAfter: string | string[] | undefined, detail: string): Error {
  const what = `${who} answered HTTP ${status}${detail === '' ? '' : `: ${detail.slice(0, 300)}`}`
  if (status === 429) return new RateLimitedError(what, retryAfterMs(retryAfter))
  if (status === 503 && retryAfter !== undefined) return new RemoteUnavailableError(what, { retryAfterMs: retryAfterMs(retryAfter) })
  if (status >= 500 || status === 408) return new RemoteUnavailableError(what)
  return new RemoteRefusedError(what)
}

export function transportError (who: string, err: unknown): Error {
  if (err instanceof RateLimitedError || err instanceof RemoteRefusedError || err instanceof RemoteUnavailableError) return err
  if (err instanceof Error && err.name === 'AbortError') return new RemoteUnavailableError(`${who}: request aborted`, { cause: err })
  if (err instanceof undiciErrors.UndiciError) return new RemoteUnavailableError(`${who}: ${err.message} (${(err as { code?: string }).code ?? 'network'})`, { cause: err })
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return new RemoteUnavailableError(`${who}: ${err instanceof Error ? err.message : String(err)}${code === undefined ? '' : ` (${code})`}`, { cause: err })
}

/** Retry-After as seconds or an HTTP date; at least 100 ms, 1 s when absent or unreadable. */
export function retryAfterMs (header: string | string[] | undefined, now = Date.now()): number {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return 1000
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(100, Math.round(seconds * 1000))
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(100, date - now) : 1000
}
