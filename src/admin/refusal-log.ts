import type { RedisClient } from '../redis/redis-client.js'
import type { Logger } from 'pino'
import { appendRefusal } from '../audit/audit-stream.js'

/** One request refused before authentication: no token, a wrong one, or rate-limited. */
export interface Refusal {
  readonly client: string
  /** The audited action the caller tried, else `<METHOD> <route>`. */
  readonly what: string
  readonly target?: string
  readonly status: number
}

export interface RefusalLogOptions {
  /** Length of one aggregation window. @defaultValue 60000 */
  readonly intervalMs?: number
  /** Clients tracked per window; refusals of further clients are counted under "other-clients". @defaultValue 1000 */
  readonly maxClients?: number
}

interface Window { count: number; readonly from: string; to: string; readonly byStatus: Record<string, number>; readonly routes: Set<string> }

const OTHER_CLIENTS = 'other-clients'
const MAX_ROUTES = 20

/**
 * Refused anonymous requests, written to the refusals stream (src/audit/audit-stream.ts)
 * aggregated per client address and interval: a client's first refusal in a window is
 * written at once, with what it tried; the rest of that window becomes one summary entry
 * (`refused.summary`: how many, when, by status, which routes) when the window ends or
 * the log closes. A flood of bad tokens thus costs a few entries a minute per address,
 * and memory stays bounded by `maxClients`. Writes never fail a request: a refusal that
 * cannot be recorded is logged.
 */
export class RefusalLog {
  private windows = new Map<string, Window>()
  private readonly timer: NodeJS.Timeout
  private readonly maxClients: number

  constructor (private readonly redis: RedisClient, private readonly prefix: string, private readonly logger: Logger, opts: RefusalLogOptions = {}) {
    this.maxClients = opts.maxClients ?? 1000
    this.timer = setInterval(() => { void this.flush() }, opts.intervalMs ?? 60_000)
    this.timer.unref()
  }

  async record (refusal: Refusal): Promise<void> {
    const known = this.windows.has(refusal.client) || this.windows.size < this.maxClients
    const client = known ? refusal.client : OTHER_CLIENTS
    const now = new Date().toISOString()
    const window = this.windows.get(client)
    if (window !== undefined) {
      window.count++
      window.to = now
      window.byStatus[refusal.status] = (window.byStatus[refusal.status] ?? 0) + 1
      if (window.routes.size < MAX_ROUTES) window.routes.add(refusal.what)
      return
    }
    this.windows.set(client, { count: 0, from: now, to: now, byStatus: {}, routes: new Set() })
    await this.write({
      who: 'anonymous', client, what: refusal.what, result: 'refused', status: refusal.status, when: now,
      ...(refusal.target === undefined ? {} : { target: refusal.target }),
    })
  }

  /** Write the summaries of the window so far and start a new one. */
  async flush (): Promise<void> {
    const windows = this.windows
    this.windows = new Map()
    for (const [client, w] of windows) {
      if (w.count === 0) continue
      await this.write({ who: 'anonymous', client, what: 'refused.summary', result: 'refused', when: w.to, detail: { more: w.count, from: w.from, to: w.to, byStatus: w.byStatus, routes: [...w.routes] } })
    }
  }

  async close (): Promise<void> {
    clearInterval(this.timer)
    await this.flush()
  }

  private async write (entry: Parameters<typeof appendRefusal>[2]): Promise<void> {
    try {
      await appendRefusal(this.redis, this.prefix, entry)
    } catch (err) {
      this.logger.error({ err, client: entry.client, what: entry.what }, 'could not write the refusals stream')
    }
  }
}
