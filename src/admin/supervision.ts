/**
 * One view for the supervisor (监督): per agency, what the hub pulled and delivered, what the
 * last reconciliation found missing on the platform, the decisions entered late (迟录), and —
 * where the hub has them — transfer-risk and time-limit findings and platform feedback not
 * yet at the agency. Everything is read from the ledger shared by every hub process, so any
 * process answers the same; `GET /api/supervision` and `casebridge supervision` show it.
 *
 * The parts another module owns (risk rules, time limits, feedback) are passed in as
 * functions; while the hub has no such module, the part is `null` — "not kept", never 0.
 */
import type { Ledger } from '../ledger/ledger.js'
import type { ReconcileResult } from '../reconcile/findings.js'
import { isLateEntry } from '../reconcile/time-rules.js'
import { BadRequestError, UnknownAgencyError } from '../errors.js'

/** The moment a `since` names, in both the forms the counts need. */
export interface Since {
  /** As the caller wrote it (for the answer). */
  readonly text: string
  readonly ms: number
  /** Its calendar day in its own offset (YYYY-MM-DD): decisions are compared by their date. */
  readonly day: string
}

/** Days are read in China Standard Time (the platform's and the agencies' time), the offset every case date carries. */
const DAY_OFFSET = '+08:00'
const DAY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/

/** `since`: a day (YYYY-MM-DD, from 00:00 UTC+08:00 that day) or a date-time with an offset; BadRequestError (naming what is expected) otherwise. */
export function parseSince (text: string): Since {
  const dated = DAY.exec(text) !== null ? `${text}T00:00:00${DAY_OFFSET}` : text
  const match = DATE_TIME.exec(dated)
  const ms = match === null ? Number.NaN : Date.parse(dated)
  // Date.parse rolls 2026-02-30 over to March; a day that does not exist is refused, not moved.
  if (match === null || Number.isNaN(ms) || !realDay(match[1] as string)) {
    throw new BadRequestError(`since: expected a day (YYYY-MM-DD) or a date-time with an offset (e.g. 2026-12-01T08:00:00+08:00), got "${text.slice(0, 40)}"`)
  }
  return { text, ms, day: match[1] as string }
}

/** Does this YYYY-MM-DD exist in the calendar? */
function realDay (day: string): boolean {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const check = new Date(Date.UTC(y, m - 1, d))
  return check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d
}

/** Counts per finding kind of a module that keeps findings (e.g. near_threshold: 2). */
export type KindCounts = Readonly<Record<string, number>>

export interface SupervisionRow {
  readonly agency: string
  readonly name: string
  /** The `since` asked for; null: everything the ledger holds. */
  readonly since: string | null
  /** Cases the hub pulled and enqueued for delivery (since: whose newest version it first saw since). */
  readonly pulled: number
  /** Cases the platform acknowledged (since: acknowledged since). */
  readonly delivered: number
  /** Versions enqueued and not acknowledged yet, now. */
  readonly pending: number
  /** What the last reconciliation that compared the platform found missing there; null: none has yet. Not limited by `since`: it is the platform as last compared. */
  readonly missingOnPlatform: { readonly count: number; readonly samples: readonly string[]; readonly reconciledAt: string } | null
  /** Decisions the platform first acknowledged after the entry deadline (迟录); since: decided since. */
  readonly lateEntries: { readonly count: number; readonly samples: readonly string[]; readonly deadlineDays: number }
  /** Transfer-risk findings to review, by kind; null: the hub keeps no transfer-risk rules. */
  readonly transferRisk: KindCounts | null
  /** Handling time-limit warnings and findings, by kind; null: the hub keeps no time limits. */
  readonly timeLimits: KindCounts | null
  /** Platform decisions (信息反馈) not yet written to the agency; null: the agency has no feedback writer. */
  readonly feedbackPending: number | null
}

/** One agency as the view needs it. */
export interface SupervisedAgency {
  readonly id: string
  readonly name: string
  /** Its 迟录 rule: reconcile.entryDeadlineDays and entryDeadlineFrom. */
  readonly entryDeadlineDays: number
  readonly entryDeadlineFrom?: string
}

export interface SupervisionSources {
  readonly ledger: Ledger
  readonly agencies: readonly SupervisedAgency[]
  readonly transferRisk?: (agencyId: string) => Promise<KindCounts>
  readonly timeLimits?: (agencyId: string) => Promise<KindCounts>
  readonly feedbackPending?: (agencyId: string) => Promise<number | null>
}

export class Supervision {
  constructor (private readonly sources: SupervisionSources) {}

  /** The agencies the view covers, in config order. */
  agencyIds (): string[] {
    return this.sources.agencies.map(a => a.id)
  }

  has (agencyId: string): boolean {
    return this.sources.agencies.some(a => a.id === agencyId)
  }

  async row (agencyId: string, since?: Since): Promise<SupervisionRow> {
    const agency = this.sources.agencies.find(a => a.id === agencyId)
    if (agency === undefined) throw new UnknownAgencyError(agencyId, this.agencyIds())
    const { ledger } = this.sources
    const days = agency.entryDeadlineDays
    const from = agency.entryDeadlineFrom
    const [tally, last, transferRisk, timeLimits, feedbackPending] = await Promise.all([
      ledger.supervisionTally(agencyId, {
        ...(since === undefined ? {} : { sinceMs: since.ms, sinceDay: since.day }),
        isLate: (decided, ackedAtMs) => isLateEntry(decided, ackedAtMs, days, from),
      }),
      ledger.reconcileState(agencyId).lastResult<ReconcileResult>(),
      this.sources.transferRisk?.(agencyId),
      this.sources.timeLimits?.(agencyId),
      this.sources.feedbackPending?.(agencyId),
    ])
    const missing = last === undefined || last.target === 'not-compared' ? null : last.findings.missing_in_target
    return {
      agency: agency.id,
      name: agency.name,
      since: since?.text ?? null,
      pulled: tally.pulled,
      delivered: tally.delivered,
      pending: tally.pending,
      missingOnPlatform: missing === null || last === undefined ? null : { count: missing.count, samples: [...missing.samples], reconciledAt: last.finishedAt },
      lateEntries: { count: tally.lateEntries, samples: [...tally.lateSamples], deadlineDays: days },
      transferRisk: transferRisk ?? null,
      timeLimits: timeLimits ?? null,
      feedbackPending: feedbackPending ?? null,
    }
  }
}
