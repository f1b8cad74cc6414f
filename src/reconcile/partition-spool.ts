import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Lines sorted into partitions (by case-number hash) as a listing streams past in whatever
 * order the remote returns it, so the reconciler can later compare one partition at a
 * time. Small listings stay in memory; past `memoryLimitBytes` the buffered lines go to one
 * append-only file per partition in a private temporary folder — memory stays bounded
 * whatever the record count (the classic partitioned join). `close` removes the folder.
 */
export class PartitionSpool {
  private readonly buffers: string[][]
  private buffered = 0
  private dir: string | undefined
  private readonly onDisk = new Set<number>()
  /** Lines added in all. */
  lines = 0

  constructor (readonly partitions: number, private readonly memoryLimitBytes = 16 * 1024 * 1024, private readonly label = 'spool') {
    this.buffers = Array.from({ length: partitions }, () => [])
  }

  /** Add one line (no newline in it) to a partition; spills to disk when the buffer is full. */
  async add (partition: number, line: string): Promise<void> {
    (this.buffers[partition] as string[]).push(line)
    this.buffered += line.length * 2 + 40
    this.lines++
    if (this.buffered > this.memoryLimitBytes) await this.spill()
  }

  /** Every line of a partition, from disk first (in the order they were added). */
  async read (partition: number): Promise<string[]> {
    const fromDisk = this.onDisk.has(partition) && this.dir !== undefined
      ? (await readFile(join(this.dir, `${partition}.txt`), 'utf8')).split('\n').filter(l => l !== '')
      : []
    return fromDisk.concat(this.buffers[partition] as string[])
  }

  async close (): Promise<void> {
    for (const b of this.buffers) b.length = 0
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true })
    this.dir = undefined
  }

  private async spill (): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), `casebridge-reconcile-${this.label}-`))
    for (let p = 0; p < this.partitions; p++) {
      const lines = this.buffers[p] as string[]
      if (lines.length === 0) continue
      await appendFile(join(this.dir, `${p}.txt`), lines.join('\n') + '\n', 'utf8')
      this.onDisk.add(p)
      lines.length = 0
    }
    this.buffered = 0
  }
}
