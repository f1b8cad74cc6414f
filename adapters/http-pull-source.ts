import { Agent, request } from 'undici'
import { readFileSync } from 'node:fs'
import type { SourceAdapter, SourceAdapterDefinition } from '../src/index.js'
import type { RawRecord, SourceCursor, SourcePage } from '../src/contracts/source-adapter.js'
import type { HttpPullSourceConfig } from '../src/generated/adapters/http-pull.js'
import type { Resolved } from '../src/config/env-refs.js'
import { RemoteRefusedError } from '../src/errors.js'
import { schemaPath } from '../src/paths.js'
import { httpStatusError, transportError } from './http-errors.js'

type Config = Resolved<Required<HttpPullSourceConfig>> & { apiKey?: string }

/** The stored cursor: where the last completed page left off. */
interface PullPosition { since: string | null; token: string | null }

/**
 * Source adapter `http-pull`: pages through a JSON API by `updatedSince` (inclusive) and
 * an opaque page token. The cursor after each page is (since, next token); after the last
 * page it becomes (latest update time seen, no token), so the next pull asks only for what
 * changed since — inclusively, because several records may share that timestamp and some
 * of them may arrive later; the ledger turns the overlap into a no-op.
 */
export const httpPullSource: SourceAdapterDefinition<Config> = {
  role: 'source',
  kind: 'http-pull',
  description: 'paged JSON API of the agency system (updatedSince + page token)',
  configSchema: JSON.parse(readFileSync(schemaPath('adapters/http-pull.schema.json'), 'utf8')) as Record<string, unknown>,
  create (config, context): SourceAdapter {
    const agent = new Agent({ connections: 2, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs })
    const who = `agency system of ${context.name} (${config.baseUrl})`

    async function fetchPage (position: PullPosition, signal: AbortSignal): Promise<{ items: RawRecord[]; next: string | null }> {
      const url = new URL(config.path, config.baseUrl)
      if (position.since !== null) url.searchParams.set(config.params.updatedSince ?? 'updatedSince', position.since)
      url.searchParams.set(config.params.pageSize ?? 'pageSize', String(config.pageSize))
      if (position.token !== null) url.searchParams.set(config.params.pageToken ?? 'pageToken', position.token)
      const headers: Record<string, string> = { accept: 'application/json' }
      if (config.apiKey !== undefined && config.apiKey !== '') headers['x-api-key'] = config.apiKey
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await request(url, { dispatcher: agent, headers, signal })
          const text = await boundedText(res.body, config.maxPageBytes ?? 67108864)
          if (res.statusCode !== 200) throw httpStatusError(who, res.statusCode, res.headers['retry-after'], text)
          return readPage(text, res.headers['content-type'])
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

    function readPage (text: string, contentType: string | string[] | undefined): { items: RawRecord[]; next: string | null } {
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch (err) {
        // The content type is not checked before parsing (old systems label JSON text/plain); it is named when the body is not JSON.
        throw new RemoteRefusedError(`${who} answered with text that is not JSON (content-type ${JSON.stringify(contentType ?? 'none')}: ${(err as Error).message})`, { cause: err })
      }
      const items = dig(body, config.response.items ?? 'data.list')
      if (!Array.isArray(items)) throw new RemoteRefusedError(`${who}: expected an array at "${config.response.items ?? 'data.list'}" of the answer`)
      const next = dig(body, config.response.nextPageToken ?? 'data.nextPageToken')
      return { items: items.filter(isRecord), next: typeof next === 'string' && next !== '' ? next : null }
    }

    return {
      kind: 'http-pull',
      async * pull (cursor: SourceCursor, signal: AbortSignal): AsyncIterable<SourcePage> {
        const position = parseCursor(cursor)
        let latest = position.since
        const updatedField = config.response.updatedAt ?? 'GXSJ'
        // Read one page ahead: the agency system prepares the next page while this one is
        // mapped, recorded and enqueued. A page read ahead and never awaited (the pull was
        // stopped, or the hub is stopping) must not end as an unhandled rejection; a failure
        // of one that is awaited surfaces there, as the read did before.
        const readAhead = (): ReturnType<typeof fetchPage> => {
          const page = fetchPage({ ...position }, signal)
          page.catch(() => undefined)
          return page
        }
        let ahead = readAhead()
        for (;;) {
          if (signal.aborted) return
          const { items, next } = await ahead
          for (const item of items) {
            const updated = item[updatedField]
            if (typeof updated === 'string' && (latest === null || updated > latest)) latest = updated
          }
          if (next === null) {
            yield { records: items, cursor: JSON.stringify({ since: latest, token: null }) }
            return
          }
          position.token = next
          ahead = readAhead()
          yield { records: items, cursor: JSON.stringify(position) }
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
}

function parseCursor (cursor: SourceCursor): PullPosition {
  if (cursor === null) return { since: null, token: null }
  try {
    const value = JSON.parse(cursor) as Partial<PullPosition>
    return { since: typeof value.since === 'string' ? value.since : null, token: typeof value.token === 'string' ? value.token : null }
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
