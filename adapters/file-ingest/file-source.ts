import type { Logger } from 'pino'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import type { SourceAdapter, SourceCursor, SourcePage } from '../../src/contracts/source-adapter.js'
import { ConfigError } from '../../src/errors.js'
import type { FileStore } from './file-store.js'
import type { FileIngestOptions } from './ingest-options.js'
import { IngestedContent } from './ingested-content.js'
import { ingestFiles } from './ingest-files.js'

/** The file-ingest keys of a validated, defaulted adapter config. */
export function ingestOptions (config: { [K in keyof FileIngestOptions]?: FileIngestOptions[K] }): FileIngestOptions {
  return {
    completion: config.completion ?? 'stable',
    markerSuffixes: config.markerSuffixes ?? ['.ok', '.done'],
    include: config.include ?? ['.csv', '.json', '.ndjson', '.jsonl', '.xml'],
    processedDir: config.processedDir ?? 'processed',
    rejectedDir: config.rejectedDir ?? 'rejected',
    pageSize: config.pageSize ?? 500,
    maxFilesPerPull: config.maxFilesPerPull ?? 100,
    contentRetentionDays: config.contentRetentionDays ?? 400,
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
    async close () {
      closed ??= store.close()
      await closed
    },
  }
}
