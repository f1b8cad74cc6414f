/**
 * What the cursor tests (issue 13) share: pulling like the hub does (each pull from the
 * cursor of the last page of the one before), local Beijing times as an agency application
 * writes them, and a writer that keeps writing at random 50–150 ms intervals.
 */
import type { SourceAdapter, SourceCursor } from '../../src/contracts/source-adapter.js'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import { silentLogger } from '../../src/logging/logger.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'
import { formatLocalTime } from '../../fixtures/agency-sim/local-time.js'

export const cursorContext = (name: string): AdapterContext => ({ logger: silentLogger(), name, input: () => ({ encoding: 'utf-8' }) })

/** `yyyy-MM-dd HH:mm:ss` in +08:00 at `ms` (seconds cut), as an agency application stamps a row. */
export const beijing = (ms: number): string => formatLocalTime(ms)

/** One pull to its end; the cursor is the last page's, as the hub stores it. */
export async function pullOnce (source: SourceAdapter, cursor: SourceCursor, idOf: (r: Record<string, unknown>) => string): Promise<{ ids: string[]; cursor: SourceCursor }> {
  const ids: string[] = []
  let last = cursor
  for await (const page of source.pull(cursor, new AbortController().signal)) {
    ids.push(...page.records.map(idOf))
    if (page.cursor !== null) last = page.cursor
  }
  return { ids, cursor: last }
}

/** A pause between pulls or writes: the scenario's own rhythm, not a wait for an event. */
export const pause = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/**
 * Writes with `write` every 50–150 ms (seeded) until `stop()` says so; resolves with what
 * each write returned (the ids written), in order.
 */
export async function keepWriting (seed: number, stop: () => boolean, write: (n: number) => Promise<string>): Promise<string[]> {
  const rng = new Rng(seed)
  const written: string[] = []
  while (!stop()) {
    written.push(await write(written.length))
    await pause(rng.int(50, 150))
  }
  return written
}
