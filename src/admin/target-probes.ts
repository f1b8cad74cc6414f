import { CaseBridgeError, RemoteUnavailableError } from '../errors.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'
import type { TargetHealth } from '../metrics/target-health.js'
import type { ReadinessCheck } from './readiness.js'

/** `admin.readiness` of the hub config (its defaults are in schemas/config.schema.json). */
export interface TargetProbeOptions {
  /** A target that has not answered within this time is not reachable. */
  readonly probeTimeoutMs: number
  /** How long an answer is reused. */
  readonly cacheMs: number
}

interface Cached { readonly at: number; readonly check: ReadinessCheck }

/**
 * "Is each target reachable?" asked of the targets themselves: each adapter's `check`
 * (one cheap read-only request), limited in time and cached, so /readyz and every scrape
 * of `casebridge_hub_ready` cost a target at most one request per `cacheMs` however often
 * they are called (callers arriving while a probe runs share it). How the last push went
 * counts too: a failed one makes the target unreachable until a push gets through. A target
 * kind without `check` is judged by its pushes alone: one nobody has written to yet then
 * counts as reachable, and the detail says so.
 */
export class TargetProbes {
  private readonly cache = new Map<string, Cached>()
  private readonly running = new Map<string, Promise<ReadinessCheck>>()
  private readonly timeoutMs: number
  private readonly cacheMs: number

  constructor (private readonly targets: ReadonlyMap<string, TargetAdapter>, private readonly health: TargetHealth, opts: TargetProbeOptions, private readonly now: () => number = Date.now) {
    this.timeoutMs = opts.probeTimeoutMs
    this.cacheMs = opts.cacheMs
  }

  /**
   * One check per target, `target:<id>`, in config order. Never throws. A target that
   * answers the probe but failed the hub's last push (an endpoint returning 5xx, refused
   * credentials) is not reachable either, until a push gets through again.
   */
  async checkAll (): Promise<ReadinessCheck[]> {
    return await Promise.all([...this.targets.keys()].map(async id => {
      const probed = await this.checkOne(id)
      if (!probed.ok || this.health.reachable(id)) return probed
      return { name: probed.name, ok: false, detail: `${probed.detail}, but ${this.lastFailure(id)}` }
    }))
  }

  private async checkOne (id: string): Promise<ReadinessCheck> {
    const cached = this.cache.get(id)
    if (cached !== undefined && this.now() - cached.at < this.cacheMs) return cached.check
    const running = this.running.get(id)
    if (running !== undefined) return await running
    const probe = this.probe(id).then(check => {
      this.cache.set(id, { at: this.now(), check })
      return check
    }).finally(() => this.running.delete(id))
    this.running.set(id, probe)
    return await probe
  }

  private async probe (id: string): Promise<ReadinessCheck> {
    const name = `target:${id}`
    const target = this.targets.get(id)
    if (target?.check === undefined) return this.fromLastPush(id)
    const started = this.now()
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    // The race also covers an adapter that does not honour the signal (an SFTP operation queued behind a delivery).
    const expired = new RemoteUnavailableError(`no answer within ${this.timeoutMs} ms`)
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort(expired)
        reject(expired)
      }, this.timeoutMs)
    })
    try {
      await Promise.race([target.check(controller.signal), timeout])
      this.health.recordProbe(id)
      return { name, ok: true, detail: `answered the probe in ${this.now() - started} ms` }
    } catch (err) {
      // The adapter's own failure shows its code; the probe's own time limit says it in words.
      const code = err instanceof CaseBridgeError && err !== expired ? `${err.code}: ` : ''
      this.health.recordProbe(id, err)
      return { name, ok: false, detail: `probe failed: ${code}${err instanceof Error ? err.message : String(err)}` }
    } finally {
      clearTimeout(timer)
    }
  }

  private fromLastPush (id: string): ReadinessCheck {
    const t = this.health.list().find(s => s.target === id)
    const detail = t?.lastOutcome === undefined
      ? 'this target kind has no probe; no push yet'
      : this.health.reachable(id) ? `no probe; the last push got through (last success ${t.lastOkAt ?? 'never'})` : `no probe; ${this.lastFailure(id)}`
    // The push history is applied by checkAll.
    return { name: `target:${id}`, ok: true, detail }
  }

  private lastFailure (id: string): string {
    const t = this.health.list().find(s => s.target === id)
    return `the last push failed at ${t?.lastFailureAt ?? '?'} (${t?.lastFailureCode ?? t?.lastOutcome ?? '?'})`
  }
}
