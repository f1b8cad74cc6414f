import { Agent, fetch } from 'undici'
import type { LoadedConfig } from '../config/load-config.js'
import { ConfigError } from '../errors.js'

/**
 * Where a hub configured so answers its liveness probe. A hub listening on every address
 * (0.0.0.0, ::) is asked on the loopback address: the probe runs beside it, in the same
 * container or on the same machine. Port 0 (any free port) cannot be probed from outside.
 */
export function healthUrlOf (admin: Pick<LoadedConfig['admin'], 'host' | 'port' | 'tls'>): string {
  if (admin.port === 0) throw new ConfigError('admin.port is 0 (any free port): the health probe needs a fixed port', ['admin.port: 0'])
  const host = admin.host === '0.0.0.0' || admin.host === '' ? '127.0.0.1' : admin.host === '::' ? '::1' : admin.host
  const scheme = admin.tls === undefined ? 'http' : 'https'
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${admin.port}/healthz`
}

/** One probe's outcome: the status it got, or why there was none (a socket error code). */
export type HealthAnswer = { ok: boolean; status: number } | { ok: false; cause: string }

/**
 * GET /healthz once; ok when it answers 2xx within `timeoutMs`. Over TLS the certificate
 * is not checked: the probe asks its own hub on the loopback address, where the name on the
 * certificate would not match, and learns nothing secret.
 */
export async function probeHealth (url: string, timeoutMs: number): Promise<HealthAnswer> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
  try {
    const res = await fetch(url, { dispatcher, signal: AbortSignal.timeout(timeoutMs) })
    await res.body?.cancel()
    return { ok: res.ok, status: res.status }
  } catch (err) {
    return { ok: false, cause: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name }
  } finally {
    await dispatcher.close()
  }
}
