
/** The steps of a reconciliation, in order, as a progress display names them. */
export const RECONCILE_PHASES = ['source', 'target', 'compare', 'repair'] as const
export type ReconcilePhase = (typeof RECONCILE_PHASES)[number]

/**
 * Where a running reconciliation is: its phase and how many records that phase has got
 * through — source records listed, target cases listed, cases compared, cases re-sent.
 * Counts only, never case numbers: operators of any role may watch it.
 */
export interface ReconcileProgress {
  readonly runId: string
  readonly phase: ReconcilePhase
  readonly done: number
  /** When the run and the phase started (ISO): with `done`, a display derives the rate. */
  readonly startedAt: string
  readonly phaseStartedAt: string
  /** When this snapshot was taken (ISO). */
  readonly at: string
}

/** How often a run writes its progress to Redis for other processes (the admin API) to read. */
const PUBLISH_EVERY_MS = 500

/**
 * Counts a run's progress, tells `listener` (a CLI in the same process) on every count and
 * publishes a snapshot through `sink` (the ledger's reconciliation state) at most every
 * {@link PUBLISH_EVERY_MS}, where the admin API finds it while the run holds the reconcile
 * lock. `finish` removes it. A failed write is left for the next one: a
 * progress display must never fail the run it watches.
 */
export class ProgressTracker {
  private phase: ReconcilePhase = 'source'
  private done = 0
  private phaseStartedAt: string
  private lastWrite = 0
  private writing: Promise<unknown> | undefined
  /** A phase change came while a write was going on: write again when it is done. */
  private stale = false

  constructor (
    private readonly sink: ProgressSink,
    private readonly runId: string,
    private readonly startedAt: string,
    private readonly listener: ((p: ReconcileProgress) => void) | undefined,
  ) {
    this.phaseStartedAt = startedAt
  }

  /** A new phase starts from zero. */
  enter (phase: ReconcilePhase): void {
    this.phase = phase
    this.done = 0
    this.phaseStartedAt = new Date().toISOString()
    this.report(true)
  }

  /** `n` more records through the current phase. */
  count (n: number): void {
    if (n <= 0) return
    this.done += n
    this.report(false)
  }

  snapshot (): ReconcileProgress {
    return { runId: this.runId, phase: this.phase, done: this.done, startedAt: this.startedAt, phaseStartedAt: this.phaseStartedAt, at: new Date().toISOString() }
  }

  async finish (): Promise<void> {
    this.stale = false
    while (this.writing !== undefined) await this.writing
    await this.sink.clearProgress().catch(() => undefined)
  }

  private report (force: boolean): void {
    const p = this.snapshot()
    this.listener?.(p)
    const now = Date.now()
    if (this.writing !== undefined) {
      this.stale ||= force
      return
    }
    if (!force && now - this.lastWrite < PUBLISH_EVERY_MS) return
    this.lastWrite = now
    this.writing = this.sink.publishProgress(p).catch(() => undefined).finally(() => {
      this.writing = undefined
      if (this.stale) {
        this.stale = false
        this.report(true)
      }
    })
  }
}

/** Where a run's progress goes for other processes to read (the ledger's reconciliation state). */
export interface ProgressSink {
  publishProgress (snapshot: ReconcileProgress): Promise<void>
  clearProgress (): Promise<void>
}
