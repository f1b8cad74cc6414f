/**
 * A one-line progress display for long actions (back-fill, reconciliation): a bar when the
 * total is known, always the count and the rate. Drawn only on a terminal — when output
 * goes to a file or a pipe nothing is drawn, so scripts see only the final result.
 */
export class ProgressBar {
  private readonly startedAt: number
  private lastDraw = 0
  private drawn = false

  constructor (
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private readonly rateText: (rate: string) => string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now()
  }

  get enabled (): boolean {
    return this.stream.isTTY === true
  }

  /** The line for `done` of `total` (undefined: unknown) after `elapsedMs`. */
  line (done: number, total: number | undefined, elapsedMs: number): string {
    const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0
    const rateText = this.rateText(rate >= 10 ? rate.toFixed(0) : rate.toFixed(1))
    if (total === undefined || total <= 0) return `${this.label} ${done} · ${rateText}`
    const width = 30
    const filled = Math.min(width, Math.round(width * done / total))
    return `${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${Math.min(100, Math.floor(100 * done / total))}% · ${rateText}`
  }

  update (done: number, total?: number): void {
    if (!this.enabled) return
    const t = this.now()
    if (this.drawn && t - this.lastDraw < 100) return
    this.lastDraw = t
    this.drawn = true
    this.stream.write(`\r\x1b[2K${this.line(done, total, t - this.startedAt)}`)
  }

  /** A line without a count (a wait of unknown length): `text` after the label; `clear` wipes it. */
  tick (text: string, clear = false): void {
    if (!this.enabled) return
    this.stream.write(clear ? '\r\x1b[2K' : `\r\x1b[2K${this.label} ${text}`)
  }

  /** Leave the last line on screen and move to the next. */
  finish (done: number, total?: number): void {
    if (!this.enabled) return
    this.stream.write(`\r\x1b[2K${this.line(done, total, this.now() - this.startedAt)}\n`)
  }
}
