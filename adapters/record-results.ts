import type { PushRecordResult } from '../src/contracts/target-adapter.js'
import { RemoteUnavailableError } from '../src/errors.js'
import { maskText } from '../src/logging/mask.js'

interface RawResult { caseNumber?: unknown; status?: unknown; reason?: unknown; acknowledgedAt?: unknown }

/**
 * The per-record results of a delivery, as the canonical platform writes them — the body of
 * an HTTP 200 and the SFTP target's "<batch>.ack.json" alike: `{ "results": [{ caseNumber,
 * status: accepted | rejected | retryable | stale, reason?, acknowledgedAt? }] }` (`stale`:
 * the platform holds a newer version and kept it). Anything else — an HTML maintenance page
 * behind a load balancer, a truncated body — is not an answer about the records: the
 * attempt is retried (its first bytes, masked, go in the message), and the cases are
 * dead-lettered only once the attempts are used up. `what` names the answer in messages.
 */
export function readRecordResults (what: string, text: string): PushRecordResult[] {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    throw new RemoteUnavailableError(`${what} is not the platform's JSON (first bytes: ${preview(text)}); retrying`, { cause: err })
  }
  const results = typeof body === 'object' && body !== null ? (body as { results?: unknown }).results : undefined
  if (!Array.isArray(results)) throw new RemoteUnavailableError(`${what} has no "results" array (first bytes: ${preview(text)}); retrying`)
  return (results as RawResult[]).flatMap((r): PushRecordResult[] => {
    if (typeof r !== 'object' || r === null || typeof r.caseNumber !== 'string') return []
    const reason = typeof r.reason === 'string' ? r.reason : 'no reason given'
    switch (r.status) {
      case 'accepted': return [{ caseNumber: r.caseNumber, status: 'accepted', acknowledgedAt: typeof r.acknowledgedAt === 'string' ? r.acknowledgedAt : new Date().toISOString() }]
      case 'rejected': return [{ caseNumber: r.caseNumber, status: 'rejected', reason }]
      case 'stale': return [{ caseNumber: r.caseNumber, status: 'superseded', reason }]
      default: return [{ caseNumber: r.caseNumber, status: 'retryable', reason }]
    }
  })
}

/** The first bytes of an answer for a log line: one line, masked (a stray page may carry anything). */
function preview (text: string): string {
  const line = text.slice(0, 120).replace(/\s+/g, ' ').trim()
  return JSON.stringify(maskText(line) + (text.length > 120 ? '…' : ''))
}
