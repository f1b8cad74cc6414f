import { Agent, request } from 'undici'
import type { SourceAdapter } from '../src/index.js'
import type { RawRecord, SourceBacklog, SourceCursor, SourcePage, UnreadableItem } from '../src/contracts/source-adapter.js'
import type { HttpPullSourceConfig } from '../src/generated/defaulted/adapters/http-pull.js'
import type { Resolved } from '../src/config/env-refs.js'
import { RemoteRefusedError } from '../src/errors.js'
import { defineSourceAdapter } from './define-adapter.js'
import { httpStatusError, transportError } from './http-errors.js'
import { LookBack } from './look-back.js'

/** The config as `create` checked it: the schema's defaults filled in, down to the names of parameters and answer fields. */
type Config = Resolved<HttpPullSourceConfig>

/**
 * The stored cursor: the `updatedSince` of the query under way and the token of its next
 * page; `hold`, while a query is under way, is the guard of the pull that began it (an
 * instant, adapters/look-back.ts), so a pull resumed from the token still ends no later.
 */
interface PullPosition { since: string | null; token: string | null; hold?: string }

/**
 * One page of the agency API, and the agency system's clock when it answered (its Date
 * header), if it said. `notRecords`: the items that are no object, by index in the list.
 */
interface Page { items: RawRecord[]; notRecords: { index: number; message: string }[]; next: string | null; clockMs: number | undefined }

/**
 * The adapter-state key of the newest update time a completed pull read: the cursor lies up
 * to the look-back window before it, and the backlog counts only what lies after it.
 */
const NEWEST_READ = 'newestRead'

/** The request of a page in words: the same when the same page is asked for again. */
function requestText (position: PullPosition): string {
  return `updatedSince ${position.since ?? '(none)'}, ${position.token === null ? 'first page' : `page token ${position.token}`}`
}

/** What a non-object item is, in words (never its value: it may be personal data). */
function kindOf (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'string' ? 'text' : `a ${typeof value}`
}

/**
 * Source adapter `http-pull`: pages through a JSON API by `updatedSince` (inclusive) and
 * an opaque page token. The cursor after each page is (since, next token); after the last
 * page the next `updatedSince` is the earlier of the newest update time read and the
 * pull's guard — the agency system's clock (the Date header of the pull's first answer)
 * less `settleSeconds + overlapSeconds` — written like the API writes its times. So the
 * next pull asks again for everything updated within that window: updates made visible
 * late, stamped by a writer whose clock is behind, or sharing the newest timestamp; and a
 * writer stamping ahead of the clock cannot carry the cursor past them. Without a Date
 * header the window is `overlapSeconds` behind the newest update time. The ledger turns
 * what is read again into no-ops.
 */
export const httpPullSource = defineSourceAdapter<Config>({
  kind: 'http-pull',
  description: 'paged JSON API of the agency system (updatedSince + page token)',
  schemaFile: 'http-pull.schema.json',
  create (config, context): SourceAdapter {
    const agent = new Agent({ connections: 2, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs })
    const who = `agency system of ${context.name} (${config.baseUrl})`
    const lookBack = new LookBack(config)
    const warned = { noClock: false, notTime: false }

    async function fetchPage (position: PullPosition, signal: AbortSignal): Promise<Page> {
      const url = new URL(config.path, config.baseUrl)
      if (position.since !== null) url.searchParams.set(config.params.updatedSince, position.since)
      url.searchParams.set(config.params.pageSize, String(config.pageSize))
      if (position.token !== null) url.searchParams.set(config.params.pageToken, position.token)
      const { text, contentType, clockMs } = await get(url, signal)
      return { ...readPage(text, contentType), clockMs }
    }

    /** One GET answered 200, with `retries` more tries for what may pass; its body, content type and the system's clock (Date header). */
    async function get (url: URL, signal: AbortSignal): Promise<{ text: string; contentType: string | string[] | undefined; clockMs: number | undefined }> {
      const headers: Record<string, string> = { accept: 'application/json' }
      if (config.apiKey !== undefined && config.apiKey !== '') headers['x-api-key'] = config.apiKey
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await request(url, { dispatcher: agent, headers, signal })
          const text = await boundedText(res.body, config.maxPageBytes)
          if (res.statusCode !== 200) throw httpStatusError(who, res.statusCode, res.headers['retry-after'], text)
          const clockMs = typeof res.headers.date === 'string' ? Date.parse(res.headers.date) : Number.NaN
          return { text, contentType: res.headers['content-type'], clockMs: Number.isNaN(clockMs) ? undefined : clockMs }
        } catch (err) {
          const typed = transportError(who, err)
          if (typed instanceof RemoteRefusedError || attempt >= config.retries || signal.aborted) throw typed
          context.logger.debug({ err: typed, attempt }, 'page request failed; retrying')
          await new Promise(resolve => setTimeout(resolve, 200 * 2 ** attempt))
        }
      }
    }

    /**
     * The body as text, refused past `limit` bytes without holding more. Bytes that are not
     * UTF-8 become U+FFFD, which validation refuses in any canonical text — so a record with
     * broken bytes is quarantined naming its field, and the records beside it go through.
     */
    async function boundedText (body: AsyncIterable<Buffer> & { destroy: () => void }, limit: number): Promise<string> {
      const chunks: Buffer[] = []
      let bytes = 0
      for await (const chunk of body) {
        bytes += chunk.length
        if (bytes > limit) {
          body.destroy()
          throw new RemoteRefusedError(`${who} answered a page larger than ${limit} bytes (maxPageBytes); lower pageSize, or raise maxPageBytes if such pages are expected`)
        }
        chunks.push(chunk)
      }
      return Buffer.concat(chunks).toString('utf8')
    }

    function parseJson (text: string, contentType: string | string[] | undefined): unknown {
      try {
        return JSON.parse(text)
      } catch (err) {
        // The content type is not checked before parsing (old systems label JSON text/plain); it is named when the body is not JSON.
        throw new RemoteRefusedError(`${who} answered with text that is not JSON (content-type ${JSON.stringify(contentType ?? 'none')}: ${(err as Error).message})`, { cause: err })
      }
    }

    function readPage (text: string, contentType: string | string[] | undefined): Omit<Page, 'clockMs'> {
      const body = parseJson(text, contentType)
      const items = dig(body, config.response.items)
      if (!Array.isArray(items)) throw new RemoteRefusedError(`${who}: expected an array at "${config.response.items}" of the answer`)
      const next = dig(body, config.response.nextPageToken)
      // An item that is no object cannot be mapped; it is reported with its index (and
      // quarantined by the hub), never dropped, and the records beside it go on.
      const records: RawRecord[] = []
      const notRecords: Page['notRecords'] = []
      items.forEach((item: unknown, index) => {
        if (isRecord(item)) records.push(item)
        else notRecords.push({ index, message: `expected a JSON object (a record) at "${config.response.items}"[${index}], found ${kindOf(item)}` })
      })
      return { items: records, notRecords, next: typeof next === 'string' && next !== '' ? next : null }
    }

    /** The newest update time of `items` and `latest`, by instant; text that is no date and time is left aside (and said once). */
    function newest (items: readonly RawRecord[], latest: string | null): string | null {
      let best = latest
      let bestAt = lookBack.instantOf(latest)
      for (const item of items) {
        const updated = item[config.response.updatedAt]
        const at = lookBack.instantOf(updated)
        if (at === undefined) {
          if (updated !== undefined && updated !== null && !warned.notTime) {
            warned.notTime = true
            context.logger.warn({ field: config.response.updatedAt }, 'an update time is not a date and time the cursor can read; that record cannot move the cursor')
          }
          continue
        }
        if (typeof updated === 'string' && (bestAt === undefined || at > bestAt)) { best = updated; bestAt = at }
      }
      return best
    }

    /** The next pull's `updatedSince`: see the adapter's description. */
    function nextSince (latest: string | null, since: string | null, hold: bigint | undefined): string | null {
      if (latest === null) return since
      if (hold === undefined) return lookBack.overlapBefore(latest) ?? latest
      const against = lookBack.against(latest, hold)
      return against === undefined || !against.atOrAfter ? latest : against.guardText
    }

    /**
     * The count endpoint asked for the changes past what the last pull read (`updatedAfter`
     * its newest update time), or, before any completed pull, past the cursor's time.
     */
    async function backlog (countPath: string, cursor: SourceCursor, signal: AbortSignal): Promise<SourceBacklog> {
      const position = parseCursor(cursor)
      const newestRead = position.since === null ? undefined : await context.state?.get(NEWEST_READ)
      const newestAt = lookBack.instantOf(newestRead)
      const sinceAt = lookBack.instantOf(position.since)
      const url = new URL(countPath, config.baseUrl)
      if (newestRead !== undefined && newestAt !== undefined && (sinceAt === undefined || newestAt >= sinceAt)) url.searchParams.set(config.params.updatedAfter, newestRead)
      else if (position.since !== null) url.searchParams.set(config.params.updatedSince, position.since)
      const { text, contentType } = await get(url, signal)
      const body = parseJson(text, contentType)
      const count = dig(body, config.response.count)
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new RemoteRefusedError(`${who}: expected a count (a whole number) at "${config.response.count}" of the answer of ${countPath}`)
      const oldestAt = count === 0 ? undefined : lookBack.instantOf(dig(body, config.response.oldestUpdatedAt))
      return { changes: count, oldestChangeAt: oldestAt === undefined ? null : new Date(Number(oldestAt / 1000n)).toISOString() }
    }
    const countPath = config.countPath

    return {
      kind: 'http-pull',
      ...(countPath === undefined ? {} : { backlog: async (cursor: SourceCursor, signal: AbortSignal) => await backlog(countPath, cursor, signal) }),
      async * pull (cursor: SourceCursor, signal: AbortSignal): AsyncIterable<SourcePage> {
        const position = parseCursor(cursor)
        let latest: string | null = null
        // A pull resumed from a page token ends no later than the pull that began the query.
        let hold = LookBack.guardFrom(position.hold)
        let first = true
        // Read one page ahead: the agency system prepares the next page while this one is
        // mapped, recorded and enqueued. A page read ahead and never awaited (the pull was
        // stopped, or the hub is stopping) must not end as an unhandled rejection; a failure
        // of one that is awaited surfaces there, as the read did before.
        const readAhead = (): ReturnType<typeof fetchPage> => {
          const page = fetchPage({ since: position.since, token: position.token }, signal)
          page.catch(() => undefined)
          return page
        }
        let ahead = readAhead()
        let pageNo = 0
        for (;;) {
          if (signal.aborted) return
          const request = requestText(position)
          const { items, notRecords, next, clockMs } = await ahead
          pageNo++
          const page = pageNo
          const unreadable = notRecords.length === 0 ? {} : { unreadableItems: notRecords.map((n): UnreadableItem => ({ page, index: n.index, request, message: n.message })) }
          if (first) {
            first = false
            if (clockMs !== undefined) {
              const guard = lookBack.guardAtMs(clockMs)
              hold = hold === undefined || guard < hold ? guard : hold
            } else if (!warned.noClock) {
              warned.noClock = true
              context.logger.warn('the agency system sends no readable Date header: the cursor cannot be held behind its clock, only overlapSeconds behind the newest update time')
            }
          }
          latest = newest(items, latest)
          if (next === null) {
            yield { records: items, ...unreadable, cursor: JSON.stringify({ since: nextSince(latest, position.since, hold), token: null }) }
            // Here the hub has committed the last page: what this pull read is recorded.
            if (latest !== null) await context.state?.set(NEWEST_READ, latest)
            return
          }
          position.token = next
          ahead = readAhead()
          yield { records: items, ...unreadable, cursor: JSON.stringify({ since: position.since, token: next, ...(hold === undefined ? {} : { hold: LookBack.guardText(hold) }) }) }
        }
      },
      // The whole table, for reconciliation: the same keyset paging from the beginning,
      // without reading or moving the cursor. A record updated while the listing runs
      // moves to its end and may be listed twice (the reconciler keeps the last), never skipped.
      async * listAll (signal: AbortSignal): AsyncIterable<readonly RawRecord[]> {
        const position: PullPosition = { since: null, token: null }
        for (;;) {
          if (signal.aborted) return
          const { items, next } = await fetchPage(position, signal)
          yield items
          if (next === null) return
          position.token = next
        }
      },
      async close () {
        // Idempotent (the contract): undici rejects a second close.
        if (!agent.closed && !agent.destroyed) await agent.close()
      },
    }
  },
})

function parseCursor (cursor: SourceCursor): PullPosition {
  if (cursor === null) return { since: null, token: null }
  try {
    const value = JSON.parse(cursor) as Partial<PullPosition>
    return { since: typeof value.since === 'string' ? value.since : null, token: typeof value.token === 'string' ? value.token : null, ...(typeof value.hold === 'string' ? { hold: value.hold } : {}) }
  } catch {
    // A cursor we cannot read means starting over: repeats are harmless, skips are not.
    return { since: null, token: null }
  }
}

function dig (value: unknown, path: string): unknown {
  let here = value
  for (const key of path.split('.')) {
    if (typeof here !== 'object' || here === null || !Object.hasOwn(here, key)) return undefined
    here = (here as Record<string, unknown>)[key]
  }
  return here
}

function isRecord (value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
