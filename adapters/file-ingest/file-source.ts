import type { Logger } from 'pino'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import type { SourceAdapter, SourceCursor, SourcePage, SourceProblem } from '../../src/contracts/source-adapter.js'
import { ConfigError } from '../../src/errors.js'
import type { FileStore } from './file-store.js'
import type { FileIngestOptions } from './ingest-options.js'
import { IngestedContent } from './ingested-content.js'
import { ingestFiles } from './ingest-files.js'

/** The file-ingest keys of a validated adapter config (the schema filled in their defaults). */
export function ingestOptions (config: FileIngestOptions): FileIngestOptions {
  return {
    completion: config.completion,
    markerSuffixes: config.markerSuffixes,
    include: config.include,
    processedDir: config.processedDir,
    rejectedDir: config.rejectedDir,
    pageSize: config.pageSize,
    maxFilesPerPull: config.maxFilesPerPull,
    contentRetentionDays: config.contentRetentionDays,
  }
}

/**
 * A source adapter over any `FileStore`: what `sftp` and `dir-drop` share. `pullOnce` may
 * be wrapped (the SFTP source reconnects and retries around it). The cursor is not read
 * back: a file left in place is read again from the start (see `ingestFiles`).
 */
export function fileSource (kind: string, store: FileStore, options: FileIngestOptions, context: AdapterContext, wrap?: (pullOnce: (signal: AbortSignal) => AsyncIterable<SourcePage>, logger: Logger) => (signal: AbortSignal) => AsyncIterable<SourcePage>): SourceAdapter {
  if (context.state === undefined) throw new ConfigError(`source ${kind} of ${context.name} needs the hub's adapter state (to remember ingested files), and none was given`)
  const ctx = { agency: context.name, logger: context.logger, input: context.input, content: new IngestedContent(context.state, options.contentRetentionDays) }
  const once = (signal: AbortSignal): AsyncIterable<SourcePage> => ingestFiles(store, options, ctx, signal)
  const pull = wrap === undefined ? once : wrap(once, context.logger)
  let closed: Promise<void> | undefined
  return {
    kind,
    pull (_cursor: SourceCursor, signal: AbortSignal): AsyncIterable<SourcePage> {
      return pull(signal)
    },
    async problems (): Promise<SourceProblem[]> {
      const stuck = Object.entries(await ctx.content.stuck())
      const first = stuck[0]
      if (first === undefined) return []
      const [name, file] = first
      return [{
        code: 'CB_ERR_FILES_NOT_MOVED',
        message: `${stuck.length} ingested file(s) cannot be moved to ${file.folder} (e.g. ${name}: ${file.error}); they are not read again, fix the folder's permissions or space`,
        since: stuck.map(([, f]) => f.since).sort()[0] ?? file.since,
      }]
    },
    async close () {
      closed ??= store.close()
      await closed
    },
  }
}
