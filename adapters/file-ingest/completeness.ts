import type { Logger } from 'pino'
import type { DropFile } from './file-store.js'
import { kindOf, markersFor, safeName } from './drop-names.js'
import type { IngestedContent } from './ingested-content.js'
import type { FileIngestOptions } from './ingest-options.js'

export interface ReadyFile extends DropFile {
  /** Marker files that marked it complete (moved along with it). */
  readonly markers: readonly string[]
}

/**
 * Which listed data files are complete and may be taken, oldest first. With markers, a
 * file is complete once "<name>.ok" (or "<stem>.ok", or another configured suffix) exists;
 * without, once its size and mtime are unchanged since the previous poll (remembered in
 * the adapter state, so a restart does not lose the first observation). A name that is
 * not a plain file name is skipped with a warning.
 */
export async function readyFiles (listing: readonly DropFile[], options: FileIngestOptions, content: IngestedContent, logger: Logger): Promise<ReadyFile[]> {
  const names = new Set(listing.map(f => f.name))
  const ready: ReadyFile[] = []
  const poll: Record<string, string> = {}
  const previous = options.completion === 'stable' ? await content.previousPoll() : {}
  for (const file of listing) {
    if (!safeName(file.name)) {
      logger.warn({ file: JSON.stringify(file.name) }, 'ignoring a file whose name is not a plain file name')
      continue
    }
    if (kindOf(file.name, options) !== 'data') continue
    if (options.completion === 'marker') {
      const markers = markersFor(file.name, options).filter(m => names.has(m))
      if (markers.length > 0) ready.push({ ...file, markers })
      continue
    }
    const seen = `${file.size}|${file.mtimeMs}`
    poll[file.name] = seen
    if (previous[file.name] === seen) ready.push({ ...file, markers: [] })
  }
  if (options.completion === 'stable') await content.rememberPoll(poll)
  return ready.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
