import type { AttemptOutcome } from './ledger.js'
import type { DeadLetterEntry } from './entries.js'
import type { TraceEventInput } from '../trace/trace-event.js'
import { maskText } from '../logging/mask.js'
import type { ConditionalEvent } from '../trace/trace-append.js'

/** Longest platform message or reason kept in a trace event (masked: ID numbers, phones, tokens). */
const MAX_TEXT_CHARS = 200

/** A platform's message or a refusal reason as the trace keeps it: masked and bounded. */
export function traceText (text: string): string {
  const chars = [...maskText(text)]
  return chars.length > MAX_TEXT_CHARS ? `${chars.slice(0, MAX_TEXT_CHARS).join('')}…` : chars.join('')
}

/** An attempt's events per case: the attempt (outcome, the platform's code or message) and, if accepted, the acknowledgement. Direct acknowledgements (seeding) have no attempt. */
export function attemptEvents (attempt: string, outcomes: readonly AttemptOutcome[]): TraceEventInput[] {
  const events: TraceEventInput[] = []
  for (const o of outcomes) {
    if (attempt !== 'direct#ack') {
      events.push({
        caseNumber: o.caseNumber,
        kind: 'attempt',
        details: { attempt, outcome: o.outcome, sequence: o.sequence, answer: o.answer?.status, code: o.answer?.code, message: o.answer?.message === undefined ? undefined : traceText(o.answer.message) },
      })
    }
    if (o.outcome === 'accepted') events.push({ caseNumber: o.caseNumber, kind: 'acknowledged', details: { sequence: o.sequence, platformAt: o.answer?.acknowledgedAt, hubAtMs: o.ackedAtMs } })
  }
  return events
}

export function deadLetterEvents (entries: readonly DeadLetterEntry[]): TraceEventInput[] {
  return entries.map(d => ({ caseNumber: d.caseNumber, kind: 'dead_lettered', details: { sequence: d.sequence, fingerprint: d.fingerprint, code: d.code, attempts: d.attempts, reason: traceText(d.reason) } }))
}

/** An operator's action on cases (the audit stream has who and when): one event per case, written only if the case was in the set acted on. */
export function operatorEvents (keys: readonly string[], action: string): ConditionalEvent[] {
  return keys.map(key => ({ ifIn: key, event: { caseNumber: key, kind: 'operator', details: { action } } }))
}
