/**
 * Hot reload of one agency's mapping (and the shared code tables it uses), through the
 * polling watcher every declarative file shares (src/mapping/watched-file.ts): an edit takes
 * effect at the next pull page without a restart; an edit that does not compile is refused —
 * the version in use stays active, nothing else changes — and reported to the `refused`
 * listeners with its `file:line:col` message.
 */
import { resolve } from 'node:path'
import type { Logger } from 'pino'
import { MappingFileError } from '../errors.js'
import { textOf } from '../i18n/texts.js'
import { loadMapping } from './load-mapping.js'
import type { CompiledMapping } from './types.js'
import { DEFAULT_POLL_MS, digestOf, WatchedFile } from './watched-file.js'

export { DEFAULT_POLL_MS }

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

export class MappingWatcher {
  private constructor (private readonly agencyId: string, private readonly watched: WatchedFile<CompiledMapping>) {}

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
    const watched = new WatchedFile<CompiledMapping>({
      file,
      what: 'mapping',
      logger: opts.logger,
      ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
      load: async (f, touched) => await loadMapping(f, { files: touched, agency: opts.agencyId }),
      filesOf: m => m.files,
      wrap: (f, err) => new MappingFileError(f, textOf('mapping.file.loadFailed', { detail: String(err) }), { cause: err }),
    }, mapping, digest)
    return new MappingWatcher(opts.agencyId, watched)
  }

  /** The mapping in use: the last version that compiled. */
  current (): CompiledMapping {
    return this.watched.current()
  }

  /** Files being watched: the mapping file and the shared tables of the version in use and of the last edit. */
  files (): readonly string[] {
    return this.watched.files()
  }

  onLoaded (listener: Listener<MappingLoadedEvent>): void {
    this.watched.onLoaded(async e => { await listener({ agencyId: this.agencyId, mapping: e.value, previous: e.previous }) })
  }

  onRefused (listener: Listener<MappingRefusedEvent>): void {
    this.watched.onRefused(async e => { await listener({ agencyId: this.agencyId, ...e }) })
  }

  /** Poll every `pollMs` until {@link MappingWatcher.stop}. The timer never keeps the process alive. */
  start (): void {
    this.watched.start()
  }

  /** Stop polling; waits for a check (and its listeners) under way. */
  async stop (): Promise<void> {
    await this.watched.stop()
  }

  /**
   * Check the files now: reload if they changed and have stayed the same since the previous
   * check ('unchanged' while a change is still settling). Listeners run before this resolves.
   */
  async check (): Promise<'unchanged' | 'loaded' | 'refused'> {
    return await this.watched.check()
  }
}
