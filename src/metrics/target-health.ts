import { CaseBridgeError, RateLimitedError, RemoteRefusedError } from '../errors.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'

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

/**
 * What this process has seen of each target, from real deliveries: the readiness probe
 * and the `casebridge_target_*` metrics read it. A target nobody has written to yet is
 * not judged (there is nothing to judge it on).
 */
export class TargetHealth {
  private readonly status = new Map<string, { lastOutcome?: TargetOutcome; lastOkAt?: string; lastFailureAt?: string; lastFailureCode?: string }>()
  private readonly counts = new Map<string, Map<TargetOutcome, number>>()

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
    const byOutcome = this.counts.get(target) ?? new Map<TargetOutcome, number>()
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1)
    this.counts.set(target, byOutcome)
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
