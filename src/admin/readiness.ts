import type { Redis } from 'ioredis'
import type { TargetHealth } from '../metrics/target-health.js'

export interface ReadinessCheck { readonly name: string; readonly ok: boolean; readonly detail: string }
export interface Readiness { readonly ready: boolean; readonly checks: readonly ReadinessCheck[] }

/**
 * The readiness checks behind /readyz and `casebridge_hub_ready`: Redis answers a write
 * within a second, the config is loaded, and no target's last request went unanswered or
 * was refused. Never throws: a failing check is a `false` with the reason.
 */
export async function checkReadiness (deps: { redis: Redis; keyPrefix: string; targets: TargetHealth; configLoaded: () => boolean }): Promise<Readiness> {
  const checks: ReadinessCheck[] = []
  try {
    const probe = deps.redis.set(`${deps.keyPrefix}:ready-probe`, String(Date.now()), 'PX', 5000)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000) })
    await Promise.race([probe, timeout]).finally(() => clearTimeout(timer))
    checks.push({ name: 'redis', ok: true, detail: 'writable' })
  } catch (err) {
    checks.push({ name: 'redis', ok: false, detail: `not writable: ${err instanceof Error ? err.message : String(err)}` })
  }
  checks.push(deps.configLoaded() ? { name: 'config', ok: true, detail: 'loaded' } : { name: 'config', ok: false, detail: 'not loaded' })
  for (const t of deps.targets.list()) {
    const ok = deps.targets.reachable(t.target)
    const detail = t.lastOutcome === undefined
      ? 'no request yet'
      : ok ? `answered (last success ${t.lastOkAt ?? 'never'})` : `last request failed at ${t.lastFailureAt ?? '?'} (${t.lastFailureCode ?? t.lastOutcome})`
    checks.push({ name: `target:${t.target}`, ok, detail })
  }
  return { ready: checks.every(c => c.ok), checks }
}
