import { CaseBridgeError, RateLimitedError, RemoteRefusedError } from '../errors.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'
import { failureNoteOf, type FailureNote } from '../logging/failure-note.js'

/** How the last request to a target went: it answered, it refused us, or it could not be reached. */
export type TargetOutcome = 'ok' | 'rate_limited' | 'refused' | 'unavailable'

export interface TargetStatus {
  readonly target: string
  /** undefined until the hub has talked to the target once. */
  readonly lastOutcome: TargetOutcome | undefined
  readonly lastOkAt: string | undefined
  readonly lastFailureAt: string | undefined
  /** The error code of the last failure (CB_ERR_…), never its message (it may quote a record). */
  readonly lastFailureCode: string | undefined
}

/** What the status says of a target (`reachable` until the hub has seen otherwise; `unknown`: nothing to judge it on yet). */
export type TargetState = 'reachable' | 'unreachable' | 'refused' | 'rate_limited' | 'unknown'

/** A target's state as the status shows it: why, and since when. */
export interface TargetCause {
  readonly state: TargetState
  /** First failure of the failures going on now (pushes or probes); null while none is. */
  readonly failingSince: string | null
  /** The last push that got an answer. */
  readonly lastOkAt: string | null
  /** The latest failure going on now; null while none is. */
  readonly lastError: FailureNote | null
}

/** One kind of contact with a target (pushes, probes): the current run of failures. */
interface Streak { since?: string; last?: FailureNote }

/**
 * What this process has seen of each target, from real deliveries and from the readiness
 * probes: the readiness probe, the `casebridge_target_*` metrics and the agency status read
 * it. A target nobody has written to or probed yet is not judged (there is nothing to judge
 * it on). Only pushes count as requests in the metrics; a probe only changes the status.
 */
export class TargetHealth {
  private readonly status = new Map<string, { lastOutcome?: TargetOutcome; lastOkAt?: string; lastFailureAt?: string; lastFailureCode?: string }>()
  private readonly counts = new Map<string, Map<TargetOutcome, number>>()
  private readonly pushStreaks = new Map<string, Streak>()
  private readonly probeStreaks = new Map<string, Streak & { probed?: boolean }>()

  constructor (targets: Iterable<string> = []) {
    for (const t of targets) this.status.set(t, {})
  }

  record (target: string, outcome: TargetOutcome, err?: unknown): void {
    const s = this.status.get(target) ?? {}
    const now = new Date().toISOString()
    s.lastOutcome = outcome
    if (outcome === 'ok' || outcome === 'rate_limited') s.lastOkAt = now
    else {
      s.lastFailureAt = now
      s.lastFailureCode = err instanceof CaseBridgeError ? err.code : 'CB_ERR_UNEXPECTED'
    }
    this.status.set(target, s)
    // A rate limit is an answer: the target is there and asked us to wait.
    if (outcome === 'ok' || outcome === 'rate_limited') this.pushStreaks.set(target, {})
    else this.pushStreaks.set(target, { since: this.pushStreaks.get(target)?.since ?? now, last: failureNoteOf(err) })
    const byOutcome = this.counts.get(target) ?? new Map<TargetOutcome, number>()
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1)
    this.counts.set(target, byOutcome)
  }

  /** How a readiness probe of `target` went: `err` when it failed. */
  recordProbe (target: string, err?: unknown): void {
    if (err === undefined) this.probeStreaks.set(target, { probed: true })
    else this.probeStreaks.set(target, { probed: true, since: this.probeStreaks.get(target)?.since ?? new Date().toISOString(), last: failureNoteOf(err) })
  }

  /**
   * Why the target is in the state it is: a failing push decides (refused credentials,
   * no answer), else a failing probe (unreachable), else what the last push said.
   */
  cause (target: string): TargetCause {
    const s = this.status.get(target) ?? {}
    const push = this.pushStreaks.get(target) ?? {}
    const probe = this.probeStreaks.get(target) ?? {}
    const failing = [push, probe].filter(f => f.since !== undefined)
    const state: TargetState = s.lastOutcome === 'refused' ? 'refused'
      : s.lastOutcome === 'unavailable' || probe.since !== undefined ? 'unreachable'
        : s.lastOutcome === 'rate_limited' ? 'rate_limited'
          : s.lastOutcome === 'ok' || probe.probed === true ? 'reachable' : 'unknown'
    const latest = failing.map(f => f.last).filter(n => n !== undefined).sort((a, b) => b.at.localeCompare(a.at))[0]
    return {
      state,
      failingSince: failing.map(f => f.since!).sort()[0] ?? null,
      lastOkAt: s.lastOkAt ?? null,
      lastError: latest ?? null,
    }
  }

  list (): TargetStatus[] {
    return [...this.status].map(([target, s]) => ({ target, lastOutcome: s.lastOutcome, lastOkAt: s.lastOkAt, lastFailureAt: s.lastFailureAt, lastFailureCode: s.lastFailureCode }))
  }

  /** Requests per target and outcome since this process started. */
  requestCounts (): { target: string; outcome: TargetOutcome; count: number }[] {
    return [...this.counts].flatMap(([target, m]) => [...m].map(([outcome, count]) => ({ target, outcome, count })))
  }

  /** Reachable unless the last request failed to get an answer, or was refused (bad credentials). */
  reachable (target: string): boolean {
    const last = this.status.get(target)?.lastOutcome
    return last !== 'unavailable' && last !== 'refused'
  }
}

export function classifyOutcome (err: unknown): TargetOutcome {
  if (err instanceof RateLimitedError) return 'rate_limited'
  if (err instanceof RemoteRefusedError) return 'refused'
  return 'unavailable'
}

/**
 * A target adapter that tells `health` how each push went; every other member (today's
 * and any optional method the contract gains later) passes through untouched. A wrapper,
 * not a subclass: it works for every target kind.
 */
export function observeTarget (name: string, target: TargetAdapter, health: TargetHealth): TargetAdapter {
  const push: TargetAdapter['push'] = async (batch, signal) => {
    try {
      const results = await target.push(batch, signal)
      health.record(name, 'ok')
      return results
    } catch (err) {
      // A push the hub aborted itself for shutdown says nothing about the target; a job timeout does.
      const cause: unknown = signal.aborted ? signal.reason : err
      if (!signal.aborted || cause instanceof CaseBridgeError) health.record(name, classifyOutcome(cause), cause)
      throw err
    }
  }
  return new Proxy(target, {
    get (obj, prop) {
      if (prop === 'push') return push
      const value: unknown = Reflect.get(obj, prop, obj)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(obj) : value
    },
  })
}
