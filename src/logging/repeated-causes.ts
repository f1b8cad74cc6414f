import type { Logger } from 'pino'
import { CaseBridgeError } from '../errors.js'

/** How many failing things (agencies, targets) one process remembers the last cause of. */
const MAX_KEYS = 1000

/** What a log line carries of an error already logged in full: enough to read, no stack. */
export interface CauseSummary { readonly type: string; readonly code?: string; readonly message: string }

/**
 * Keeps retry logs readable: a push or pull that fails the same way every attempt logged
 * the whole error, stack included, each time — pages of identical stacks for one outage.
 * `fields` gives the whole error (as `err`, with its stack) the first time a cause appears
 * for a key, or whenever the logger is at debug; the same cause again gives only its
 * class, code and message (as `cause`) and `repeated: true`. A success `clear`s the key, so
 * the next failure is news again.
 */
export class RepeatedCauses {
  private readonly last = new Map<string, string>()

  fields (key: string, err: unknown, logger: Logger): { err: unknown } | { cause: CauseSummary; repeated: true } {
    const summary = summarize(err)
    const signature = `${summary.type}|${summary.code ?? ''}|${summary.message}`
    const seen = this.last.get(key) === signature
    this.remember(key, signature)
    if (!seen || logger.isLevelEnabled('debug')) return { err }
    return { cause: summary, repeated: true }
  }

  clear (key: string): void {
    this.last.delete(key)
  }

  private remember (key: string, signature: string): void {
    // Re-inserted keys go to the end: the first key is the one that failed longest ago.
    this.last.delete(key)
    this.last.set(key, signature)
    if (this.last.size > MAX_KEYS) this.last.delete(this.last.keys().next().value as string)
  }
}

function summarize (err: unknown): CauseSummary {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err) }
  return { type: err.constructor.name, ...(err instanceof CaseBridgeError ? { code: err.code } : {}), message: err.message }
}
