import type { Logger } from 'pino'
import type { Ledger } from '../ledger/ledger.js'

/**
 * Back-pressure per agency: a pull may put a page into the push queue only while fewer than
 * `limit` of the agency's cases are on their way. The queue is one FIFO per target, so
 * without this an agency back-filling 50,000 cases would fill it and every other agency's
 * fresh cases would wait behind the whole back-fill; with it, they wait behind at most
 * `limit` cases of each other agency. The source itself is the backlog: a waiting pull has
 * not committed its page, so its cursor has not moved (the cursor rule holds as it is).
 */
export class DeliveryWindow {
  private readonly waiters = new Map<string, Set<() => void>>()

  /**
   * @param limit  cases of one agency allowed on their way at once
   * @param pollMs how often a waiting pull looks again when no acknowledgement in this
   *               process wakes it (another hub process may be the one pushing)
   */
  constructor (private readonly ledger: Ledger, private readonly limit: number, private readonly logger: Logger, private readonly pollMs = 250) {}

  /** Some of the agency's cases were acknowledged or dead-lettered here: wake its waiting pull. */
  release (agencyId: string): void {
    for (const wake of this.waiters.get(agencyId) ?? []) wake()
  }

  /**
   * Resolve once the agency has room for more, or with false when `signal` aborts first
   * (the hub is stopping: the pull ends without committing its page).
   */
  async room (agencyId: string, signal: AbortSignal): Promise<boolean> {
    let waitingSince: number | undefined
    let lastWarned = 0
    for (;;) {
      if (signal.aborted) return false
      const inFlight = await this.ledger.inFlight(agencyId)
      if (inFlight < this.limit) return true
      const now = Date.now()
      waitingSince ??= now
      if (now - lastWarned >= 60_000) {
        lastWarned = now
        if (now > waitingSince) this.logger.warn({ agency: agencyId, inFlight, limit: this.limit, waitingMs: now - waitingSince }, 'pull waits: this agency has many cases on their way to the target')
      }
      await this.nextChance(agencyId, signal)
    }
  }

  private async nextChance (agencyId: string, signal: AbortSignal): Promise<void> {
    let waiters = this.waiters.get(agencyId)
    if (waiters === undefined) this.waiters.set(agencyId, waiters = new Set())
    const set = waiters
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        set.delete(done)
        resolve()
      }
      const timer = setTimeout(done, this.pollMs)
      signal.addEventListener('abort', done, { once: true })
      set.add(done)
    })
  }
}
