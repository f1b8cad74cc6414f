/**
 * Hot reload of one agency's mapping: the file (and the shared code tables it uses) is
 * polled, and an edit takes effect at the next pull page without a restart. An edit that
 * does not compile is refused — the version in use stays active, nothing else changes —
 * and reported to the `refused` listeners with its `file:line:col` message.
 *
 * Polling, not fs.watch: editors replace files by renaming, network file systems send no
 * events, and a missed event would leave a stale mapping silently. Every poll reads and
 * hashes the watched files (small YAML files: cheap), so a change is seen whatever the
 * editor, file system or clock does to modification times. A change is loaded once two
 * polls in a row see the same content, so a file caught half-written, or missing for a
 * moment while an editor swaps it, is not refused (and alarmed) for nothing: with the
 * default poll an edit is live within about two seconds.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Logger } from 'pino'
import { MappingFileError } from '../errors.js'
import { loadMapping } from './load-mapping.js'
import type { CompiledMapping } from './types.js'

/** How often the files are checked. @defaultValue 1000 */
export const DEFAULT_POLL_MS = 1000

export interface MappingLoadedEvent {
  readonly agencyId: string
  readonly mapping: CompiledMapping
  readonly previous: CompiledMapping
}

export interface MappingRefusedEvent {
  readonly agencyId: string
  /** The mapping file that was edited (absolute). */
  readonly file: string
  /** `file:line:col: what is wrong (allowed: …)`. */
  readonly message: string
  readonly error: Error
  readonly at: Date
  /** The version that stays in use. */
  readonly active: CompiledMapping
}

type Listener<E> = (event: E) => Promise<void> | void

export interface MappingWatcherOptions {
  readonly agencyId: string
  /** The mapping file as configured. */
  readonly file: string
  /** Bound to the agency (`logger.child({ agency })`): messages do not repeat it. */
  readonly logger: Logger
  readonly pollMs?: number
}

/** One digest over the contents of `files` (a missing or unreadable file counts as such). */
async function digestOf (files: Iterable<string>): Promise<string> {
  const hash = createHash('sha256')
  for (const file of [...new Set(files)].sort()) {
    hash.update(file).update('\0')
    try {
      hash.update(await readFile(file)).update('\0')
    } catch (err) {
      hash.update(`<${(err as NodeJS.ErrnoException).code ?? 'unreadable'}>\0`)
    }
  }
  return hash.digest('hex')
}

export class MappingWatcher {
  private active: CompiledMapping
  private watched: Set<string>
  private digest: string
  /** A changed digest seen by the last poll, loaded when the next poll sees it again. */
  private pending: string | undefined
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<unknown> | undefined
  private readonly loadedListeners: Array<Listener<MappingLoadedEvent>> = []
  private readonly refusedListeners: Array<Listener<MappingRefusedEvent>> = []

  private constructor (private readonly opts: MappingWatcherOptions, mapping: CompiledMapping, digest: string) {
    this.active = mapping
    this.watched = new Set(mapping.files)
    this.digest = digest
  }

  /**
   * Load the agency's mapping and watch it. Throws MappingFileError when the file does not
   * compile now: a hub does not start without a good mapping for every agency.
   */
  static async open (opts: MappingWatcherOptions): Promise<MappingWatcher> {
    const file = resolve(opts.file)
    // The digest is taken before loading: an edit made while loading shows up as a change.
    const before = await digestOf([file])
    const mapping = await loadMapping(file, { agency: opts.agencyId })
    const digest = mapping.files.length === 1 ? before : await digestOf(mapping.files)
    return new MappingWatcher({ ...opts, file }, mapping, digest)
  }

  /** The mapping in use: the last version that compiled. */
  current (): CompiledMapping {
    return this.active
  }

  /** Files being watched: the mapping file and the shared tables of the version in use and of the last edit. */
  files (): readonly string[] {
    return [...this.watched]
  }

  onLoaded (listener: Listener<MappingLoadedEvent>): void {
    this.loadedListeners.push(listener)
  }

  onRefused (listener: Listener<MappingRefusedEvent>): void {
    this.refusedListeners.push(listener)
  }

  /** Poll every `pollMs` until {@link MappingWatcher.stop}. The timer never keeps the process alive. */
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
    const { file, agencyId, logger } = this.opts
    const before = await digestOf(this.watched)
    if (before === this.digest || before !== this.pending) {
      this.pending = before === this.digest ? undefined : before
      return 'unchanged'
    }
    this.pending = undefined
    const touched = new Set<string>()
    let outcome: { mapping: CompiledMapping } | { error: Error }
    try {
      outcome = { mapping: await loadMapping(file, { files: touched, agency: agencyId }) }
    } catch (err) {
      outcome = { error: err instanceof Error ? err : new Error(String(err)) }
    }
    const previous = this.active
    const next = 'mapping' in outcome ? outcome.mapping : previous
    const watched = new Set([file, ...next.files, ...touched])
    // Changed again while it was being loaded: take the new digest as unknown, so the next poll reloads.
    const settled = await digestOf(this.watched) === before
    this.watched = watched
    this.digest = settled ? await digestOf(watched) : ''

    if ('error' in outcome) {
      const event: MappingRefusedEvent = { agencyId, file, message: outcome.error.message, error: outcome.error, at: new Date(), active: previous }
      logger.error({ file, version: previous.version, err: outcome.error, code: outcome.error instanceof MappingFileError ? outcome.error.code : undefined }, `mapping edit refused; version ${previous.version} stays active: ${outcome.error.message}`)
      await this.notify(this.refusedListeners, event)
      return 'refused'
    }
    this.active = next
    if (next.version === previous.version) logger.warn({ file, version: next.version }, 'mapping changed but its version did not; the ledger records the version with every case, so change version: with every edit')
    logger.info({ file, version: next.version, previous: previous.version }, 'mapping reloaded')
    await this.notify(this.loadedListeners, { agencyId, mapping: next, previous })
    return 'loaded'
  }

  private async notify<E> (listeners: ReadonlyArray<Listener<E>>, event: E): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(event)
      } catch (err) {
        this.opts.logger.error({ err }, 'a mapping reload listener failed')
      }
    }
  }
}

