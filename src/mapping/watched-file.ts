/**
 * Hot reload of one declarative file (an agency mapping, a target profile) and the files it
 * includes: polled, and an edit takes effect without a restart. An edit that does not
 * compile is refused — the version in use stays active, nothing else changes — and reported
 * to the `refused` listeners with its `file:line:col` message.
 *
 * Polling, not fs.watch: editors replace files by renaming, network file systems send no
 * events, and a missed event would leave a stale version silently. Every poll reads and
 * hashes the watched files (small YAML files: cheap), so a change is seen whatever the
 * editor, file system or clock does to modification times. A change is loaded once two
 * polls in a row see the same content, so a file caught half-written, or missing for a
 * moment while an editor swaps it, is not refused (and alarmed) for nothing: with the
 * default poll an edit is live within about two seconds.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { Logger } from 'pino'

/** How often the files are checked. @defaultValue 1000 */
export const DEFAULT_POLL_MS = 1000

type Listener<E> = (event: E) => Promise<void> | void

/** What a watched file compiles to: its version, and every file it was read from. */
export interface Versioned { readonly version: string }

export interface WatchedFileOptions<T extends Versioned> {
  /** The file, absolute. */
  readonly file: string
  /** What it is, for messages: "mapping", "target profile". */
  readonly what: string
  readonly logger: Logger
  readonly pollMs?: number
  /** Compile the file; record every file read in `touched`. Throws a typed error with a `file:line:col` message. */
  load (file: string, touched: Set<string>): Promise<T>
  /** The files a compiled version was read from (the file itself and what it includes). */
  filesOf (value: T): readonly string[]
  /** An error that is not one of the loader's own, as one the listeners can show. */
  wrap (file: string, err: unknown): Error
}

export interface LoadedEvent<T> { readonly value: T; readonly previous: T }
export interface RefusedEvent<T> { readonly file: string; readonly message: string; readonly error: Error; readonly at: Date; readonly active: T }

function digestUpdate (hash: ReturnType<typeof createHash>, file: string, read: () => Buffer): void {
  hash.update(file).update('\0')
  try {
    hash.update(read()).update('\0')
  } catch (err) {
    hash.update(`<${(err as NodeJS.ErrnoException).code ?? 'unreadable'}>\0`)
  }
}

/** One digest over the contents of `files` (a missing or unreadable file counts as such). */
export async function digestOf (files: Iterable<string>): Promise<string> {
  const hash = createHash('sha256')
  for (const file of [...new Set(files)].sort()) {
    let content: Buffer | Error
    try { content = await readFile(file) } catch (err) { content = err as Error }
    digestUpdate(hash, file, () => { if (content instanceof Error) throw content; return content })
  }
  return hash.digest('hex')
}

/** {@link digestOf}, read synchronously: for a file compiled where nothing may wait (an adapter's `create`). */
export function digestOfSync (files: Iterable<string>): string {
  const hash = createHash('sha256')
  for (const file of [...new Set(files)].sort()) digestUpdate(hash, file, () => readFileSync(file))
  return hash.digest('hex')
}

export class WatchedFile<T extends Versioned> {
  private active: T
  private watched: Set<string>
  private digest: string
  /** A changed digest seen by the last poll, loaded when the next poll sees it again. */
  private pending: string | undefined
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<unknown> | undefined
  private readonly loadedListeners: Array<Listener<LoadedEvent<T>>> = []
  private readonly refusedListeners: Array<Listener<RefusedEvent<T>>> = []

  /** `digest`: of the files as they were BEFORE `value` was compiled from them, so an edit made meanwhile shows up as a change. */
  constructor (private readonly opts: WatchedFileOptions<T>, value: T, digest: string) {
    this.active = value
    this.watched = new Set([opts.file, ...opts.filesOf(value)])
    this.digest = digest
  }

  /** The version in use: the last one that compiled. */
  current (): T {
    return this.active
  }

  /** Files being watched: the file and what the version in use and the last edit include. */
  files (): readonly string[] {
    return [...this.watched]
  }

  onLoaded (listener: Listener<LoadedEvent<T>>): void {
    this.loadedListeners.push(listener)
  }

  onRefused (listener: Listener<RefusedEvent<T>>): void {
    this.refusedListeners.push(listener)
  }

  /** Poll every `pollMs` until {@link WatchedFile.stop}. The timer never keeps the process alive. */
  start (): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => { if (this.inFlight === undefined) void this.check() }, this.opts.pollMs ?? DEFAULT_POLL_MS)
    this.timer.unref()
  }

  /** Stop polling; waits for a check (and its listeners) under way. */
  async stop (): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    await this.inFlight
  }

  /**
   * Check the files now: reload if they changed and have stayed the same since the previous
   * check ('unchanged' while a change is still settling). Listeners run before this resolves.
   */
  async check (): Promise<'unchanged' | 'loaded' | 'refused'> {
    while (this.inFlight !== undefined) await this.inFlight
    const run = this.reloadIfChanged()
    this.inFlight = run
    try {
      return await run
    } finally {
      this.inFlight = undefined
    }
  }

  private async reloadIfChanged (): Promise<'unchanged' | 'loaded' | 'refused'> {
    const { file, logger, what } = this.opts
    const before = await digestOf(this.watched)
    if (before === this.digest || before !== this.pending) {
      this.pending = before === this.digest ? undefined : before
      return 'unchanged'
    }
    this.pending = undefined
    const touched = new Set<string>()
    let outcome: { value: T } | { error: Error }
    try {
      outcome = { value: await this.opts.load(file, touched) }
    } catch (err) {
      outcome = { error: err instanceof Error ? err : this.opts.wrap(file, err) }
    }
    const previous = this.active
    const next = 'value' in outcome ? outcome.value : previous
    const watched = new Set([file, ...this.opts.filesOf(next), ...touched])
    // Changed again while it was being loaded: take the new digest as unknown, so the next poll reloads.
    const settled = await digestOf(this.watched) === before
    this.watched = watched
    this.digest = settled ? await digestOf(watched) : ''

    if ('error' in outcome) {
      const event: RefusedEvent<T> = { file, message: outcome.error.message, error: outcome.error, at: new Date(), active: previous }
      logger.error({ file, version: previous.version, err: outcome.error, code: (outcome.error as { code?: unknown }).code }, `${what} edit refused; version ${previous.version} stays active: ${outcome.error.message}`)
      await this.notify(this.refusedListeners, event)
      return 'refused'
    }
    this.active = next
    if (next.version === previous.version) logger.warn({ file, version: next.version }, `${what} changed but its version did not; the ledger records the version with every case, so change version: with every edit`)
    logger.info({ file, version: next.version, previous: previous.version }, `${what} reloaded`)
    await this.notify(this.loadedListeners, { value: next, previous })
    return 'loaded'
  }

  private async notify<E> (listeners: ReadonlyArray<Listener<E>>, event: E): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(event)
      } catch (err) {
        this.opts.logger.error({ err }, `a ${this.opts.what} reload listener failed`)
      }
    }
  }
}
