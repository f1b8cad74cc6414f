import { request, type Dispatcher } from 'undici'
import { FEEDBACK_DECISION_KINDS, type FeedbackDecision, type FeedbackPage, type TargetFeedback } from '../src/contracts/feedback.js'
import { RemoteRefusedError } from '../src/errors.js'
import { httpStatusError, transportError } from './http-errors.js'

/**
 * The feedback side of the `http-batch` target: the platform's decisions after a seq cursor,
 * `GET <feedbackPath>?after=<seq>&limit=N` (incremental) and `GET <feedbackPath>/all?…`
 * (complete, for reconciliation), each answering `{ items: [{ id, seq, agencyCode,
 * caseNumber, decision, decidedAt, note? }], next }`. Not retried here: the feedback puller
 * runs again at its next tick from the same cursor.
 */
export function httpFeedbackListing (opts: { baseUrl: string; path: string; token: string; dispatcher: Dispatcher; who: string }): TargetFeedback {
  async function page (path: string, after: string | null, limit: number, signal: AbortSignal): Promise<FeedbackPage> {
    const url = new URL(path, opts.baseUrl)
    if (after !== null) url.searchParams.set('after', after)
    url.searchParams.set('limit', String(limit))
    let status: number
    let text: string
    let retryAfter: string | string[] | undefined
    try {
      const res = await request(url, { dispatcher: opts.dispatcher, signal, headers: { accept: 'application/json', authorization: `Bearer ${opts.token}` } })
      status = res.statusCode
      retryAfter = res.headers['retry-after']
      text = await res.body.text()
    } catch (err) {
      throw transportError(opts.who, err)
    }
    if (status !== 200) throw httpStatusError(opts.who, status, retryAfter, text)
    return readFeedbackPage(`${opts.who}'s feedback listing`, text, after)
  }
  return {
    list: async (after, limit, signal) => await page(opts.path, after, limit, signal),
    listAll: async (after, limit, signal) => await page(`${opts.path.replace(/\/$/, '')}/all`, after, limit, signal),
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v !== ''

/** The answer checked item by item: a malformed one refuses the page (retrying the same cursor would not help the hub read it). */
export function readFeedbackPage (what: string, text: string, after: string | null): FeedbackPage {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    throw new RemoteRefusedError(`${what} is not JSON`, { cause: err })
  }
  const { items, next } = (typeof body === 'object' && body !== null ? body : {}) as { items?: unknown; next?: unknown }
  if (!Array.isArray(items) || !(next === null || isText(next) || typeof next === 'number')) throw new RemoteRefusedError(`${what} must be { items: [...], next }`)
  const decisions: FeedbackDecision[] = items.map((raw: unknown, i) => {
    const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
    if (!isText(d.id) || !isText(d.agencyCode) || !isText(d.caseNumber) || !isText(d.decidedAt) || !(FEEDBACK_DECISION_KINDS as readonly unknown[]).includes(d.decision)) {
      throw new RemoteRefusedError(`${what}: items[${i}] needs id, agencyCode, caseNumber, decidedAt and a decision of ${FEEDBACK_DECISION_KINDS.join(', ')}`)
    }
    return { id: d.id, agencyCode: d.agencyCode, caseNumber: d.caseNumber, decision: d.decision as FeedbackDecision['decision'], decidedAt: d.decidedAt, ...(isText(d.note) ? { note: d.note } : {}) }
  })
  return { items: decisions, next: next === null ? (decisions.length === 0 ? null : after) : String(next) }
}
