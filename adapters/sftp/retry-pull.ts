import type { Logger } from 'pino'
import type { SourcePage } from '../../src/contracts/source-adapter.js'
import { RemoteUnavailableError } from '../../src/errors.js'

/**
 * Reconnect and resume within one pull: when the connection drops (RemoteUnavailableError),
 * wait (250 ms, doubling) and run the pull again — the connection reconnects on its next
 * operation and the interrupted file, still in place, is read again from its start (pages
 * already committed repeat as ledger no-ops). After `retries` attempts the error ends the
 * pull; the next scheduled pull starts over the same way.
 */
export function retryingPull (retries: number) {
  return (pullOnce: (signal: AbortSignal) => AsyncIterable<SourcePage>, logger: Logger) =>
    async function * (signal: AbortSignal): AsyncGenerator<SourcePage> {
      for (let attempt = 0; ; attempt++) {
        try {
          yield * pullOnce(signal)
          return
        } catch (err) {
          if (!(err instanceof RemoteUnavailableError) || attempt >= retries || signal.aborted) throw err
          const delay = 250 * 2 ** attempt
          logger.warn({ err: err.message, attempt: attempt + 1, retries, delayMs: delay }, 'sftp connection failed; reconnecting')
          await new Promise(resolve => setTimeout(resolve, delay))
        }
      }
    }
}
