import { hostname } from 'node:os'
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
    // pid and hostname tell two hub instances (or two processes on one host) apart in one log stream.
    base: { name: options.name ?? 'casebridge', pid: process.pid, hostname: hostname() },
    formatters: {
      log: object => maskPersonal(object) as Record<string, unknown>,
      // The base bindings: `name` there is the hub's own, public name; pid and hostname are the process's.
      bindings: bindings => maskPersonal(bindings, 'hub') as Record<string, unknown>,
    },
    hooks: {
      logMethod (args, method) {
        const masked = args.map(arg => typeof arg === 'string' ? maskText(arg) : arg) as typeof args
        method.apply(this, masked)
      },
    },
    // The log formatter above has already serialized (and masked) errors, wherever they sit.
    serializers: { err: (value: unknown) => value instanceof Error ? maskPersonal(value) : value },
  }
  const logger = destination === undefined ? pino(pinoOptions) : pino(pinoOptions, destination)
  // pino passes a child's bindings through no formatter: mask them on the way in. Children
  // inherit this method from the root instance, so grandchildren are masked too.
  const childOf = Object.getPrototypeOf(logger).child as Logger['child']
  logger.child = function (this: Logger, bindings, childOptions) {
    return childOf.call(this, maskPersonal(bindings) as typeof bindings, childOptions)
  } as Logger['child']
  return logger
}

export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}
