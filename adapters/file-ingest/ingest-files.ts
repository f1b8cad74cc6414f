import { createHash } from 'node:crypto'
import { Transform, pipeline } from 'node:stream'
import type { Logger } from 'pino'
import type { SourcePage } from '../../src/contracts/source-adapter.js'
import type { InputOptions } from '../../src/formats/input-options.js'
import { readRecords } from '../../src/formats/read-records.js'
import { CaseBridgeError, FileAccessDeniedError, FileVanishedError, RemoteUnavailableError, UnreadableFileError } from '../../src/errors.js'
import type { FileStore } from './file-store.js'
import type { FileIngestOptions } from './ingest-options.js'
import { readyFiles, type ReadyFile } from './completeness.js'
import type { IngestedContent } from './ingested-content.js'
import { rejectFile, settleFile } from './settle-file.js'

export interface IngestContext {
  /** Agency id, for messages. */
  readonly agency: string
  readonly logger: Logger
  readonly input: () => InputOptions
  readonly content: IngestedContent
}

/** The cursor of a file source: which file, how far. Informational — see `ingestFiles`. */
export interface FileCursor { file: string; size: number; mtimeMs: number; items: number; done: boolean }

/**
 * One pull of a drop directory: every complete file, oldest first, read page by page.
 *
 * Order of effects per file, which the cursor rule makes safe: the file's pages are
 * yielded (the core commits each — ledger and cursor — before asking for the next); only
 * after the LAST page has been committed, i.e. when the generator is resumed after its
 * final `yield`, is the content hash remembered and then the file moved to `processed/`.
 * A crash or lost connection before that leaves the file where it was, and the next pull
 * reads it again from the start: the ledger turns the repeated records into no-ops. (The
 * cursor says where a file stood for operators; resuming mid-file would still need the
 * bytes before that point re-read and re-parsed, so replay costs no more and trusts nothing.)
 */
export async function * ingestFiles (store: FileStore, options: FileIngestOptions, ctx: IngestContext, signal: AbortSignal): AsyncGenerator<SourcePage> {
  await store.ensureDir(options.processedDir)
  await store.ensureDir(options.rejectedDir)
  const forgotten = await ctx.content.prune()
  if (forgotten > 0) ctx.logger.info({ files: forgotten, retentionDays: options.contentRetentionDays }, 'forgot the content hashes of files ingested before the retention period')
  const ready = await readyFiles(await store.list(), options, ctx.content, ctx.logger)
  const stuck = await ctx.content.stuck()
  let taken = 0
  for (const file of ready) {
    if (signal.aborted) return
    const known = stuck[file.name]
    if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs) {
      // Ingested already, only the move failed: try the move again, read nothing, count nothing.
      await settleIngested(store, file, options, known.sha256, ctx)
      continue
    }
    if (taken++ >= options.maxFilesPerPull) return
    yield * ingestFile(store, file, options, ctx, signal)
  }
}

/**
 * Move an ingested file to processed/. A move that fails while the file is still there
 * (the folder is not writable, the disk is full) must not stop the agency: the file is
 * remembered as ingested-but-stuck (not read again while unchanged), the agency goes on
 * with its next file, and the source reports the problem — status and the
 * `source_problem` alarm name the folder and the error — until a move succeeds.
 */
async function settleIngested (store: FileStore, file: ReadyFile, options: FileIngestOptions, sha256: string, ctx: IngestContext): Promise<void> {
  const folder = `${store.where}/${options.processedDir}`
  try {
    await settleFile(store, file, options.processedDir, sha256)
  } catch (err) {
    // Read and committed, then deleted by the agency before the move: nothing left to do.
    if (!await store.exists(file.name)) {
      ctx.logger.info({ file: file.name, sha256 }, 'file ingested; it was removed before it could be moved to processed')
      await ctx.content.markStuck(file.name, undefined)
      return
    }
    const error = err instanceof Error ? err.message : String(err)
    ctx.logger.error({ file: file.name, folder, err: error }, 'file ingested but it cannot be moved to processed: it is not read again while unchanged, and the other files go on')
    await ctx.content.markStuck(file.name, { size: file.size, mtimeMs: file.mtimeMs, sha256, folder, error })
    return
  }
  await ctx.content.markStuck(file.name, undefined)
  ctx.logger.info({ file: file.name, sha256 }, 'file ingested and moved to processed')
}

/**
 * One file, with the two things that can happen to a listed file before it is read, which
 * concern that file only: it is gone (the agency deleted or renamed it since the listing:
 * skipped, the next poll lists afresh), or it is not readable for the hub's login (moved
 * to rejected/ with the reason). Neither stops the agency's other files.
 */
async function * ingestFile (store: FileStore, file: ReadyFile, options: FileIngestOptions, ctx: IngestContext, signal: AbortSignal): AsyncGenerator<SourcePage> {
  try {
    yield * readFile(store, file, options, ctx, signal)
  } catch (err) {
    if (err instanceof FileVanishedError) {
      ctx.logger.info({ file: file.name, err: err.message }, 'listed file is gone; skipped until it is listed again')
      return
    }
    if (!(err instanceof FileAccessDeniedError)) throw err
    ctx.logger.warn({ file: file.name, err: err.message }, 'file rejected: the hub may not read it')
    await rejectFile(store, file, options.rejectedDir, ctx.agency, err).catch((moveErr: unknown) => {
      // The move may be refused too: then the file stays, and the next poll says so again.
      ctx.logger.error({ file: file.name, err: (moveErr as Error).message }, 'an unreadable file could not be moved to rejected/ either; it stays in place')
    })
  }
}

async function * readFile (store: FileStore, file: ReadyFile, options: FileIngestOptions, ctx: IngestContext, signal: AbortSignal): AsyncGenerator<SourcePage> {
  const where = `agency ${ctx.agency}: ${store.where}/${file.name}`
  if (await ctx.content.sizeSeen(file.size)) {
    // Same size as an earlier file: hash first, so identical content is never read as records again.
    const sha256 = await hashOf(store, file.name, where)
    const earlier = await ctx.content.ingestedAs(sha256)
    if (earlier !== undefined) {
      ctx.logger.info({ file: file.name, sameAs: earlier.file, ingestedAt: earlier.at }, 'file content was already ingested; moving it to processed without reading it again')
      await settleIngested(store, file, options, sha256, ctx)
      return
    }
  }

  const hasher = createHash('sha256')
  let read = 0
  const bytes = await store.read(file.name)
  const tap = new Transform({ transform (chunk: Buffer, _encoding, done) { hasher.update(chunk); read += chunk.length; done(null, chunk) } })
  pipeline(bytes, tap, () => undefined) // errors reach `tap`, and so the reader
  const cursor = (items: number, done: boolean): string => JSON.stringify({ file: file.name, size: file.size, mtimeMs: file.mtimeMs, items, done } satisfies FileCursor)
  let page = emptyPage()
  let items = 0
  try {
    for await (const item of readRecords(tap, { ...ctx.input(), fileName: file.name })) {
      items++
      if ('record' in item) {
        page.records.push(item.record)
        page.origins.push({ file: file.name, line: item.line })
      } else {
        page.unreadable.push({ file: file.name, ...item.error })
      }
      if (page.records.length + page.unreadable.length >= options.pageSize) {
        yield { ...page, cursor: cursor(items, false) }
        page = emptyPage()
        if (signal.aborted) { bytes.destroy(); return }
      }
    }
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) {
      bytes.destroy()
      throw err instanceof CaseBridgeError ? err : new RemoteUnavailableError(`${where}: reading the file failed (${(err as Error).message}); it stays in place and is read again on the next pull`, { cause: err })
    }
    // Records read before the file broke are delivered; the file goes to rejected/ with the reason.
    if (page.records.length + page.unreadable.length > 0) yield { ...page, cursor: cursor(items, false) }
    await rejectFile(store, file, options.rejectedDir, ctx.agency, err)
    ctx.logger.warn({ file: file.name, line: err.line, err: err.message }, 'file rejected: it cannot be read as records')
    return
  }
  // A stream that ended early (a connection dropped without an error) or a file that changed
  // after it was listed must not count as ingested: it stays in place and is read again.
  if (read !== file.size) throw new RemoteUnavailableError(`${where}: read ${read} of ${file.size} bytes (connection lost, or the file changed while read); it stays in place and is read again on the next pull`)
  // Always yield the last page, even empty: the code after this yield runs only once it is committed.
  yield { ...page, cursor: cursor(items, true) }
  const sha256 = hasher.digest('hex')
  await ctx.content.remember(sha256, file.size, file.name)
  await settleIngested(store, file, options, sha256, ctx)
}

function emptyPage (): { records: Record<string, unknown>[]; origins: { file: string; line: number }[]; unreadable: { file: string; line: number; message: string }[] } {
  return { records: [], origins: [], unreadable: [] }
}

async function hashOf (store: FileStore, name: string, where: string): Promise<string> {
  const hash = createHash('sha256')
  try {
    for await (const chunk of await store.read(name)) hash.update(chunk as Buffer)
  } catch (err) {
    throw err instanceof CaseBridgeError ? err : new RemoteUnavailableError(`${where}: reading the file failed (${(err as Error).message})`, { cause: err })
  }
  return hash.digest('hex')
}
