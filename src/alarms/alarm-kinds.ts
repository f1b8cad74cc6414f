import { FINDING_KINDS } from '../reconcile/findings.js'
import { RISK_FINDING_KINDS } from '../risk/findings.js'

/**
 * Every kind of alarm: the reconciliation findings, the agency watchdogs, and the kinds
 * other modules may raise through the same service (a rejected mapping edit, dead letters
 * piling up). One alarm per (agency, kind).
 */
export const ALARM_KINDS = [...FINDING_KINDS, 'agency_unreachable', 'agency_silent', 'source_problem', 'mapping_invalid', 'dead_letters', 'incomplete_records', ...RISK_FINDING_KINDS, 'rules_invalid',
  // Feedback (信息反馈): platform decisions not yet written to the agency (src/feedback/feedback-reconcile.ts).
  'feedback_pending'] as const
export type AlarmKind = (typeof ALARM_KINDS)[number]

export const ALARM_STATES = ['open', 'acknowledged', 'resolved'] as const
export type AlarmState = (typeof ALARM_STATES)[number]

/** The states of an alarm that is not resolved: `open` pages, `acknowledged` (an operator has seen it) does not. */
export const UNRESOLVED_ALARM_STATES = ['open', 'acknowledged'] as const satisfies readonly AlarmState[]
export type UnresolvedAlarmState = (typeof UNRESOLVED_ALARM_STATES)[number]

/** One alarm that is not resolved, counted for the metrics and the agency status. */
export interface OpenAlarmCount { readonly agency: string; readonly kind: string; readonly state: UnresolvedAlarmState; readonly count: number }

export const SEVERITIES = ['info', 'warning', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

/** What changed an alarm: each is delivered once to every webhook. */
export type AlarmEventType = 'opened' | 'escalated' | 'acknowledged' | 'resolved'

export interface Alarm {
  readonly agencyId: string
  readonly kind: AlarmKind
  readonly state: AlarmState
  readonly severity: Severity
  /** Cases affected when last seen (1 for the agency watchdogs). */
  readonly count: number
  /** Up to 20 case numbers. */
  readonly samples: readonly string[]
  /** When this episode was first and last seen (ISO). */
  readonly firstSeenAt: string
  readonly lastSeenAt: string
  readonly acknowledgedAt?: string
  readonly acknowledgedBy?: string
  readonly note?: string
  readonly resolvedAt?: string
  /** Kind-specific facts, e.g. { since } of an unreachable agency. */
  readonly detail?: Readonly<Record<string, unknown>>
  /** Bumped by every state change; with agency and kind it names the change. */
  readonly version: number
}

export interface SeverityThresholds { readonly warning: number; readonly critical: number }

const FALLBACK: SeverityThresholds = { warning: 1, critical: 100 }

export function severityOf (count: number, thresholds: SeverityThresholds | undefined): Severity {
  const t = thresholds ?? FALLBACK
  if (count >= t.critical) return 'critical'
  if (count >= t.warning) return 'warning'
  return 'info'
}

export function isAlarmKind (value: unknown): value is AlarmKind {
  return typeof value === 'string' && (ALARM_KINDS as readonly string[]).includes(value)
}
