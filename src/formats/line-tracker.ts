/**
 * Line numbers by byte offset in a stream of buffers, counted forward once. csv-parse's own
 * line counter counts a CRLF inside a quoted field as two lines (and every later line is
 * off from there), so CSV line numbers are computed from its byte offsets instead.
 * Offsets must be asked in increasing order; buffers before the last offset are released.
 */
export class LineTracker {
  private readonly chunks: Buffer[] = []
  private base = 0 // byte offset of chunks[0]
  private pos = 0 // bytes counted so far
  private newlines = 0 // '\n' bytes before `pos`

  push (chunk: Buffer): void {
    this.chunks.push(chunk)
  }

  /** 1-based line of the byte at `offset`. */
  lineAt (offset: number): number {
    while (this.pos < offset && this.chunks.length > 0) {
      const chunk = this.chunks[0] as Buffer
      const end = this.base + chunk.length
      const stop = Math.min(offset, end)
      const last = stop - this.base
      for (let i = chunk.indexOf(10, this.pos - this.base); i >= 0 && i < last; i = chunk.indexOf(10, i + 1)) this.newlines++
      this.pos = stop
      if (stop === end) {
        this.chunks.shift()
        this.base = end
      }
    }
    return this.newlines + 1
  }
}
