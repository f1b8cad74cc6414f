import type { SourceAdapter, SourceCursor } from '../contracts/source-adapter.js'
import { failureNoteOf, type FailureNote } from '../logging/failure-note.js'
import { RemoteUnavailableError } from '../errors.js'

/**
 * The changes waiting at an agency's source that no pull has read — which the lag cannot
 * show (it counts only changes the hub has seen): a paused agency with 10,000 new cases has
 * lag 0. `unknown` when the source cannot tell cheaply (no `backlog` capability) or could
 * not answer now — never 0.
 */
export type UnpulledBacklog =
  | { readonly state: 'known'; readonly changes: number; readonly oldestChangeAt: string | null; readonly ageSeconds: number | null }
  | { readonly state: 'unknown'; readonly why: 'not_supported' | 'failed'; readonly error?: FailureNote }

export interface BacklogOptions {
  /** How long an answer is reused (`admin.readiness.cacheMs`): status calls and scrapes cost the source one query per this. */
  readonly cacheMs: number
  /** A source that has not answered within this is `unknown` (`admin.readiness.probeTimeoutMs`). */
  readonly timeoutMs: number
}

interface Measured { readonly source: Pick<SourceAdapter, 'backlog'>; readonly cursor: () => Promise<SourceCursor> }

/** Asks each agency's source for its backlog past the agency's cursor, time-limited and cached. */
export class BacklogReader {
  private readonly cache = new Map<string, { at: number; answer: Promise<UnpulledBacklog> }>()

  constructor (private readonly agencies: ReadonlyMap<string, Measured>, private readonly opts: BacklogOptions, private readonly now: () => number = Date.now) {}

  async read (agencyId: string): Promise<UnpulledBacklog> {
    const cached = this.cache.get(agencyId)
    if (cached !== undefined && this.now() - cached.at < this.opts.cacheMs) return await cached.answer
    const answer = this.measure(agencyId)
    this.cache.set(agencyId, { at: this.now(), answer })
    return await answer
  }

  private async measure (agencyId: string): Promise<UnpulledBacklog> {
    const agency = this.agencies.get(agencyId)
    const backlog = agency?.source.backlog?.bind(agency.source)
    if (agency === undefined || backlog === undefined) return { state: 'unknown', why: 'not_supported' }
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs)
    try {
      const expired = new Promise<never>((_resolve, reject) => controller.signal.addEventListener('abort', () => reject(new RemoteUnavailableError(`the source gave no count of its backlog within ${this.opts.timeoutMs} ms`))))
      const found = await Promise.race([backlog(await agency.cursor(), controller.signal), expired])
      const oldestMs = found.oldestChangeAt === null ? undefined : Date.parse(found.oldestChangeAt)
      return { state: 'known', changes: found.changes, oldestChangeAt: found.oldestChangeAt, ageSeconds: oldestMs === undefined ? null : Math.max(0, Math.round((this.now() - oldestMs) / 1000)) }
    } catch (err) {
      return { state: 'unknown', why: 'failed', error: failureNoteOf(err) }
    } finally {
      clearTimeout(timer)
    }
  }
}
