import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino'
import { maskPersonal, maskText } from './mask.js'

export type { Logger } from 'pino'

/**
 * Structured English logs (pino) with personal data and secrets masked in every line:
 * the formatter runs on each log object, and the message text is masked too.
 */
export function createLogger (options: { level: string; name?: string }, destination?: DestinationStream): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level,
    base: { name: options.name ?? 'casebridge' },
    formatters: { log: object => maskPersonal(object) as Record<string, unknown> },
    hooks: {
      logMethod (args, method) {
        const masked = args.map(arg => typeof arg === 'string' ? maskText(arg) : arg) as typeof args
        method.apply(this, masked)
      },
    },
    serializers: { err: pino.stdSerializers.err },
  }
  return destination === undefined ? pino(pinoOptions) : pino(pinoOptions, destination)
}

export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}
