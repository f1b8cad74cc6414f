import { request, type Dispatcher } from 'undici'
import type { BucketDigest, TargetCaseSummary, TargetDigests } from '../src/contracts/target-adapter.js'
import { isRetriable, RateLimitedError, RemoteRefusedError, TargetDigestsUnsupportedError } from '../src/errors.js'
import { fingerprint } from '../src/contracts/fingerprint.js'
import { httpStatusError, transportError } from './http-errors.js'

/**
 * The read side of the `http-batch` target, for reconciliation: the platform's paged case
 * listing (`GET <listPath>`) and, when it offers them, its bucket digests
 * (`GET <listPath>/digests`) and bucket listings (`GET <listPath>/fingerprints`).
 * Reads are retried here (a reconciliation is one long read, not a queued job): passing
 * faults with backoff, 429 after the wait the platform asked for.
 */
export interface PlatformListingOptions {
  readonly baseUrl: string
  readonly listPath: string
  readonly token: string
  readonly dispatcher: Dispatcher
  /** Names the platform in errors. */
  readonly who: string
  readonly pageSize: number
}

const ATTEMPTS = 5
const MAX_WAIT_MS = 60_000
/** Prefixes per request: keeps the request line far below the 16 KB header limit. */
const PREFIXES_PER_REQUEST = 1000
const MAX_BUCKETS_PER_REQUEST = 65_536

interface ListedCase { case?: { caseNumber?: unknown }; updatedAt?: unknown }
/** One page of the case listing and the token of the next (null: the last page). */
interface ListingPage { items: ListedCase[]; next: string | null }

async function pause (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const timer = setTimeout(done, ms)
    function done (): void { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    signal.addEventListener('abort', done, { once: true })
  })
}

export function platformListing (opts: PlatformListingOptions): { listCases: (agencyCode: string, signal: AbortSignal) => AsyncIterable<readonly TargetCaseSummary[]>; digests: TargetDigests } {
  async function getJson<T> (path: string, params: Record<string, string>, signal: AbortSignal): Promise<T> {
    const url = new URL(path, opts.baseUrl)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    for (let attempt = 1; ; attempt++) {
      let failure: Error
      try {
        const res = await request(url, { dispatcher: opts.dispatcher, signal, headers: { accept: 'application/json', authorization: `Bearer ${opts.token}` } })
        const text = await res.body.text()
        if (res.statusCode === 404 && path !== opts.listPath) throw new TargetDigestsUnsupportedError(`${opts.who} has no ${path} (HTTP 404): it offers no bucket digests; reconciliation lists every case instead (set digests: false to skip asking)`)
        if (res.statusCode !== 200) throw httpStatusError(opts.who, res.statusCode, res.headers['retry-after'], text)
        try {
          return JSON.parse(text) as T
        } catch (err) {
          throw new RemoteRefusedError(`${opts.who} answered ${path} with text that is not JSON`, { cause: err })
        }
      } catch (err) {
        failure = err instanceof TargetDigestsUnsupportedError ? err : transportError(opts.who, err)
      }
      if (!isRetriable(failure) || attempt >= ATTEMPTS || signal.aborted) throw failure
      await pause(failure instanceof RateLimitedError ? Math.min(failure.retryAfterMs, MAX_WAIT_MS) : 250 * 2 ** attempt, signal)
    }
  }

  async function listingPage (agencyCode: string, pageToken: string | null, signal: AbortSignal): Promise<ListingPage> {
    const params: Record<string, string> = { agencyCode, pageSize: String(opts.pageSize) }
    if (pageToken !== null) params.pageToken = pageToken
    const body: { items?: unknown; nextPageToken?: unknown } = await getJson(opts.listPath, params, signal)
    if (!Array.isArray(body.items)) throw new RemoteRefusedError(`${opts.who}: the case listing has no "items" array`)
    return { items: body.items as ListedCase[], next: typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : null }
  }

  /** The listed cases as summaries. The platform returns whole cases; their fingerprint is computed here, as the ledger's is. */
  function summarise (items: readonly ListedCase[]): TargetCaseSummary[] {
    return items.flatMap(item => typeof item.case?.caseNumber !== 'string' ? [] : [{
      caseNumber: item.case.caseNumber,
      fingerprint: fingerprint(item.case),
      ...(typeof item.updatedAt === 'string' ? { storedAt: item.updatedAt } : {}),
    }])
  }

  /**
   * The platform's pages one after another, the next one requested as soon as this one's
   * token is known — before this one's cases are fingerprinted and handed on. The
   * fingerprints (a serialisation and a SHA-256 per case) are most of the hub's work per
   * page; requested only afterwards, the platform would sit idle through them and the hub
   * through the platform's answer. Keyset paging allows no more than one page ahead.
   */
  async function * listCases (agencyCode: string, signal: AbortSignal): AsyncIterable<readonly TargetCaseSummary[]> {
    let pending: Promise<ListingPage> | undefined = listingPage(agencyCode, null, signal)
    try {
      while (pending !== undefined) {
        const page: ListingPage = await pending
        pending = page.next === null ? undefined : listingPage(agencyCode, page.next, signal)
        // Handled at once: a failure while this page is worked on is thrown at the next await.
        pending?.catch(() => undefined)
        // undici writes a request to its socket from a queued task, not in request(): let it
        // go out before the fingerprinting holds the thread, or the platform starts the next
        // page only once this one is done and nothing overlaps.
        if (pending !== undefined) await new Promise(resolve => setImmediate(resolve))
        yield summarise(page.items)
      }
    } finally {
      // Stopped early: let the page in flight settle rather than leave its request dangling.
      await pending?.catch(() => undefined)
    }
  }

  const digests: TargetDigests = {
    async bucketDigests (agencyCode, prefixes, depth, signal) {
      const out: BucketDigest[] = []
      const perRequest = Math.max(1, Math.min(PREFIXES_PER_REQUEST, Math.floor(MAX_BUCKETS_PER_REQUEST / 16 ** (depth - Math.min(...prefixes.map(p => p.length))))))
      for (let i = 0; i < prefixes.length; i += perRequest) {
        const body: { buckets?: unknown } = await getJson(`${opts.listPath}/digests`, { agencyCode, depth: String(depth), prefixes: prefixes.slice(i, i + perRequest).join(',') }, signal)
        if (!Array.isArray(body.buckets)) throw new RemoteRefusedError(`${opts.who}: the digest listing has no "buckets" array`)
        for (const b of body.buckets as Partial<BucketDigest>[]) {
          if (typeof b.bucket !== 'string' || typeof b.count !== 'number' || typeof b.sum !== 'string') throw new RemoteRefusedError(`${opts.who}: a bucket digest lacks bucket, count or sum`)
          out.push({ bucket: b.bucket, count: b.count, sum: b.sum })
        }
      }
      return out
    },
    async * listBuckets (agencyCode, buckets, signal) {
      for (let i = 0; i < buckets.length; i += PREFIXES_PER_REQUEST) {
        const prefixes = buckets.slice(i, i + PREFIXES_PER_REQUEST).join(',')
        let pageToken: string | null = null
        do {
          const params: Record<string, string> = { agencyCode, prefixes, pageSize: String(opts.pageSize) }
          if (pageToken !== null) params.pageToken = pageToken
          const body: { items?: unknown; nextPageToken?: unknown } = await getJson(`${opts.listPath}/fingerprints`, params, signal)
          if (!Array.isArray(body.items)) throw new RemoteRefusedError(`${opts.who}: the bucket listing has no "items" array`)
          yield (body.items as { caseNumber?: unknown; fingerprint?: unknown; updatedAt?: unknown }[]).flatMap(item =>
            typeof item.caseNumber !== 'string' || typeof item.fingerprint !== 'string'
              ? []
              : [{ caseNumber: item.caseNumber, fingerprint: item.fingerprint, ...(typeof item.updatedAt === 'string' ? { storedAt: item.updatedAt } : {}) }])
          pageToken = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : null
        } while (pageToken !== null)
      }
    },
  }
  return { listCases, digests }
}
