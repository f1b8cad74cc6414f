/**
 * Reading the platform's answer to one request: the HTTP status, the per-request code and
 * the per-record codes, each looked up in the profile's code lists (exact codes, or patterns
 * where `x` is any digit: `1xxx`). A request-level outcome says what the whole request met;
 * `records` gives one PushRecordResult per case the request carried.
 */
import type { ProfileAnswer } from '../generated/profile.js'
import type { PushRecordResult } from '../contracts/target-adapter.js'
import { pointerReader } from './outbound.js'

export type CodeClass = 'accepted' | 'rejected' | 'retryable' | 'auth' | 'busy'
const CLASSES: readonly CodeClass[] = ['accepted', 'rejected', 'retryable', 'auth', 'busy']

/**
 * What one answer means for the request as a whole:
 *  - `records`: the platform took the request; `results` says per case (accepted, rejected
 *    with the platform's message — a dead letter —, retryable);
 *  - `busy`: the platform asks the hub to slow down (RateLimitedError; retry later);
 *  - `retryable`: not stored this time (RemoteUnavailableError; retry with the same key);
 *  - `auth-refused`: credentials or signature refused (RemoteRefusedError; retrying cannot help);
 *  - `rejected`: the request itself refused for good (RemoteRefusedError, or every record rejected).
 */
export type AnswerOutcome =
  | { readonly kind: 'records'; readonly results: readonly PushRecordResult[] }
  | { readonly kind: 'busy' | 'retryable' | 'auth-refused' | 'rejected'; readonly code: string | undefined; readonly message: string }

export interface ClassifyOptions {
  /** The case numbers the request carried, in any order: one not in the answer's list is retryable. */
  readonly caseNumbers?: readonly string[]
  /** `acknowledgedAt` of accepted records (ISO); default now. */
  readonly acknowledgedAt?: string
}

export type ClassifyAnswer = (status: number, bodyText: string, options?: ClassifyOptions) => AnswerOutcome

function matcher (codes: readonly string[]): (code: string) => boolean {
  const exact = new Set(codes.filter(c => !/x/i.test(c)))
  const patterns = codes.filter(c => /x/i.test(c)).map(c => new RegExp('^' + c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/x/gi, '\\d') + '$'))
  return code => exact.has(code) || patterns.some(p => p.test(code))
}

const textOf = (v: unknown): string | undefined => typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined

export function compileAnswer (spec: ProfileAnswer): ClassifyAnswer {
  const codes = spec.codes!
  const tests = CLASSES.map(c => ({ c, test: matcher(codes[c] ?? []) }))
  const unknownClass: CodeClass = spec.unknownCode === 'rejected' ? 'rejected' : 'retryable'
  const classOf = (code: string): CodeClass | undefined => tests.find(t => t.test(code))?.c
  const readCode = spec.code === undefined ? undefined : pointerReader(spec.code)
  const readMessage = spec.message === undefined ? undefined : pointerReader(spec.message)
  const readRecords = spec.records === undefined ? undefined : pointerReader(spec.records)
  const rec = spec.record ?? {}
  const recCase = rec.caseNumber === undefined ? undefined : pointerReader(rec.caseNumber)
  const recCode = rec.code === undefined ? undefined : pointerReader(rec.code)
  const recMessage = rec.message === undefined ? undefined : pointerReader(rec.message)

  const requestOutcome = (cls: CodeClass, code: string | undefined, message: string): AnswerOutcome | undefined => {
    switch (cls) {
      case 'accepted': return undefined
      case 'busy': return { kind: 'busy', code, message }
      case 'retryable': return { kind: 'retryable', code, message }
      case 'auth': return { kind: 'auth-refused', code, message }
      case 'rejected': return { kind: 'rejected', code, message }
    }
  }

  return (status, bodyText, options = {}) => {
    let body: unknown
    try { body = bodyText === '' ? undefined : JSON.parse(bodyText) } catch { body = undefined }
    const code = readCode === undefined || body === undefined ? undefined : textOf(readCode(body))
    const message = (readMessage === undefined || body === undefined ? undefined : textOf(readMessage(body))) ?? `HTTP ${status}`
    const known = code === undefined ? undefined : classOf(code)
    // A code the profile knows says more than the HTTP status it came with.
    if (known !== undefined && known !== 'accepted') return requestOutcome(known, code, message)!
    if (status === 401 || status === 403) return { kind: 'auth-refused', code, message }
    if (status === 429) return { kind: 'busy', code, message }
    if (status >= 500 || status === 408) return { kind: 'retryable', code, message }
    if (status < 200 || status >= 300) return { kind: 'rejected', code, message }
    if (readCode !== undefined) {
      // A 2xx answer the hub cannot read may or may not have been stored: send again (the key makes it a no-op).
      if (code === undefined) return { kind: 'retryable', code, message: `the answer has no code at ${spec.code!} (HTTP ${status})` }
      if (known === undefined) return requestOutcome(unknownClass, code, `unknown code ${code}: ${message}`)!
    }
    const acknowledgedAt = options.acknowledgedAt ?? new Date().toISOString()
    const expected = options.caseNumbers ?? []
    if (readRecords === undefined) return { kind: 'records', results: expected.map(caseNumber => ({ caseNumber, status: 'accepted', acknowledgedAt })) }
    const list = readRecords(body)
    const results = new Map<string, PushRecordResult>()
    for (const item of Array.isArray(list) ? list : []) {
      const caseNumber = recCase === undefined ? undefined : textOf(recCase(item))
      if (caseNumber === undefined) continue
      const itemCode = recCode === undefined ? undefined : textOf(recCode(item))
      const itemMessage = (recMessage === undefined ? undefined : textOf(recMessage(item))) ?? ''
      const cls = itemCode === undefined ? 'accepted' : classOf(itemCode) ?? unknownClass
      const reason = itemCode === undefined ? itemMessage : `${itemCode} ${itemMessage}`.trim()
      if (cls === 'accepted') results.set(caseNumber, { caseNumber, status: 'accepted', acknowledgedAt })
      else if (cls === 'rejected') results.set(caseNumber, { caseNumber, status: 'rejected', reason })
      else results.set(caseNumber, { caseNumber, status: 'retryable', reason })
    }
    for (const caseNumber of expected) {
      if (!results.has(caseNumber)) results.set(caseNumber, { caseNumber, status: 'retryable', reason: 'the platform\'s answer does not mention this case' })
    }
    return { kind: 'records', results: [...results.values()] }
  }
}
