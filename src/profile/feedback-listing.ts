/**
 * The `feedback:` section of a target profile compiled: where the platform lists its
 * decisions (信息反馈), the query parameter names, and how one platform decision record
 * becomes the hub's {@link FeedbackDecision} — its fields, its date format, its code table.
 *
 * A decision the hub cannot read (a code not in the table, a field missing, a time not in
 * the format) is never skipped: the page ends just before it, so the cursor stops there and
 * every decision before it goes on; read first on a page, it refuses the page naming the
 * decision and the field (RemoteRefusedError: logged at every pull, the cursor stays) until
 * the profile is fixed — a profile edit is picked up without a restart.
 */
import { FEEDBACK_DECISION_KINDS, type FeedbackDecision, type FeedbackDecisionKind, type FeedbackPage } from '../contracts/feedback.js'
import type { ProfileFeedback } from '../generated/profile.js'
import { RemoteRefusedError } from '../errors.js'
import { refuse, type PositionedYaml } from '../mapping/compile-context.js'
import { dateConverterFor } from '../mapping/transforms/dates.js'
import { OUTPUT_DATE_FORMATS } from './formats.js'
import { pointerReader } from './outbound.js'

export interface ProfileFeedbackListing {
  readonly path: string
  /** The complete listing, when the platform has one. */
  readonly allPath: string | undefined
  /** The query parameters of one page: the cursor (when there is one) and the page size, at most the platform's. */
  query (after: string | null, limit: number): Record<string, string>
  /** One parsed answer as a page of the hub's decisions; `what` names the listing in errors. */
  page (answer: unknown, after: string | null, what: string): FeedbackPage
}

const text = (v: unknown): string | undefined => typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined

export function compileFeedbackListing (doc: PositionedYaml, spec: ProfileFeedback, offset: string): ProfileFeedbackListing {
  const at = ['feedback']
  const dateFormat = spec.decidedAtDate!
  if (!OUTPUT_DATE_FORMATS.includes(dateFormat)) refuse(doc, [...at, 'decidedAtDate'], 'profile.unknownReadBackDate', { format: dateFormat, allowed: OUTPUT_DATE_FORMATS })
  const parseDate = dateConverterFor(dateFormat === 'iso' ? 'timestamp' : dateFormat, offset)
  if (parseDate === undefined) refuse(doc, [...at, 'decidedAtDate'], 'profile.unknownReadBackDate', { format: dateFormat, allowed: OUTPUT_DATE_FORMATS })
  // Codes as written: an unquoted 01 is the number 1 to YAML, but the platform's "01" to the operator who wrote it.
  const codes = new Map<string, FeedbackDecisionKind>()
  for (const { written, key } of doc.keysAsWritten([...at, 'codes'])) {
    const kind = spec.codes[key]
    if (kind !== undefined) codes.set(written.trim(), kind)
  }
  const f = spec.fields
  const read = {
    id: pointerReader(f.id), cursor: pointerReader(f.cursor), caseNumber: pointerReader(f.caseNumber), agencyCode: pointerReader(f.agencyCode),
    decision: pointerReader(f.decision), decidedAt: pointerReader(f.decidedAt), note: f.note === undefined ? undefined : pointerReader(f.note),
  }
  const readList = spec.list === undefined ? (answer: unknown) => answer : pointerReader(spec.list)
  const q = spec.query!
  const maxPageSize = spec.maxPageSize!

  /** One platform decision as the hub's, or why it cannot be read (naming the field). */
  const decisionOf = (raw: unknown): { decision: FeedbackDecision; cursor: string } | { problem: string } => {
    const r = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}
    const missing = (['id', 'cursor', 'caseNumber', 'agencyCode', 'decidedAt'] as const).find(k => text(read[k](r)) === undefined)
    if (missing !== undefined) return { problem: `field ${f[missing]} (${missing}) is missing or empty` }
    const code = text(read.decision(r))
    const kind = code === undefined ? undefined : codes.get(code)
    if (kind === undefined) return { problem: `field ${f.decision}: decision code ${JSON.stringify(code ?? null)} is not in the profile's feedback code table (${[...codes.keys()].join(', ')}); map it to one of ${FEEDBACK_DECISION_KINDS.join(', ')}` }
    const when = parseDate!(text(read.decidedAt(r))!)
    if (typeof when !== 'string') return { problem: `field ${f.decidedAt}: ${JSON.stringify(text(read.decidedAt(r)))} is not a time written ${dateFormat}` }
    const note = read.note === undefined ? undefined : text(read.note(r))
    return {
      cursor: text(read.cursor(r))!,
      decision: { id: text(read.id(r))!, agencyCode: text(read.agencyCode(r))!, caseNumber: text(read.caseNumber(r))!, decision: kind, decidedAt: when, ...(note === undefined ? {} : { note }) },
    }
  }

  return Object.freeze({
    path: spec.listPath,
    allPath: spec.listAllPath,
    query: (after: string | null, limit: number): Record<string, string> => ({ ...(after === null ? {} : { [q.after!]: after }), [q.limit!]: String(Math.min(limit, maxPageSize)) }),
    page: (answer: unknown, after: string | null, what: string): FeedbackPage => {
      const list = readList(answer)
      if (!Array.isArray(list)) throw new RemoteRefusedError(`${what}: the answer has no list of decisions${spec.list === undefined ? '' : ` at ${spec.list}`}`)
      const items: FeedbackDecision[] = []
      let next = after
      for (const [i, raw] of list.entries()) {
        const read = decisionOf(raw)
        if ('problem' in read) {
          const id = text(typeof raw === 'object' && raw !== null ? pointerReader(f.id)(raw) : undefined)
          // Not skipped: the decisions before it go on, the cursor stops before it.
          if (items.length > 0) break
          throw new RemoteRefusedError(`${what}: decision ${id === undefined ? `#${i + 1} of the page` : JSON.stringify(id)} cannot be read — ${read.problem}; the feedback cursor stays before it until the profile reads it`)
        }
        items.push(read.decision)
        next = read.cursor
      }
      return { items, next: items.length === 0 ? null : next }
    },
  })
}
