import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/logging/logger.js'

/** One parsed log line. */
export type LogEntry = Record<string, unknown> & { level: number; msg: string }

/** A real (masking) logger whose lines are kept in memory, for tests that check what was logged. */
export function capturingLogger (level = 'debug'): { logger: Logger; entries: () => LogEntry[]; warnings: () => LogEntry[] } {
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done() } })
  const logger = createLogger({ level }, sink)
  const entries = (): LogEntry[] => lines.join('').split('\n').filter(l => l !== '').map(l => JSON.parse(l) as LogEntry)
  return { logger, entries, warnings: () => entries().filter(e => e.level === 40) }
}
