import { Agent, fetch, type Response } from 'undici'
import { AdminRequestError } from '../errors.js'

/** The demo's admin API and token (config/demo.yaml; the demo runner sets the token). */
export const DEMO_ADMIN_URL = 'http://127.0.0.1:4000'
export const DEMO_ADMIN_TOKEN = 'demo-admin-token'

/**
 * A small client of the hub's admin API for the CLI: JSON in, JSON out, every refusal a
 * typed {@link AdminRequestError} (never a message to parse).
 */
export class AdminClient {
  /** `language`: sent as Accept-Language, so texts the hub words come in the operator's language. */
  private readonly dispatcher: Agent

  constructor (readonly url: string, private readonly token: string, private readonly language?: string, private readonly timeoutMs = 30_000) {
    // A reconciliation answers only when it is done: the wait is bounded by timeoutMs, not by undici's defaults.
    this.dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 2 })
  }

  async get<T> (path: string): Promise<T> {
    return await this.request<T>('GET', path)
  }

  async post<T> (path: string, body: unknown = {}): Promise<T> {
    return await this.request<T>('POST', path, body)
  }

  private async request<T> (method: string, path: string, body?: unknown): Promise<T> {
    const target = new URL(path, this.url.endsWith('/') ? this.url : `${this.url}/`).toString()
    let res: Response
    try {
      res = await fetch(target, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(this.language === undefined ? {} : { 'accept-language': this.language }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
        dispatcher: this.dispatcher,
      })
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err
      const reason = (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause))
      throw new AdminRequestError(`cannot reach the hub at ${this.url}: ${reason}`, 'unreachable', 0, reason, 0, { cause: err })
    }
    const text = await res.text()
    let parsed: unknown
    try { parsed = JSON.parse(text) } catch { parsed = undefined }
    if (res.ok) return parsed as T
    const detail = typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string' ? (parsed as { message: string }).message : text.slice(0, 200)
    const reason = res.status === 401 ? 'unauthorized' : res.status === 403 ? 'forbidden' : res.status === 404 ? 'notFound' : res.status === 429 ? 'rateLimited' : 'http'
    throw new AdminRequestError(`${method} ${path}: the hub answered ${res.status}: ${detail}`, reason, res.status, detail, Number(res.headers.get('retry-after') ?? 0), { request: `${method} ${path.split('?')[0] ?? path}` })
  }
}
