import type { AdapterState } from '../../src/contracts/adapter-registry.js'

const DAY_MS = 86_400_000

/** One remembered file: its content hash and size, in the bucket of the day it was ingested. */
type DayEntry = [sha256: string, size: number]

/**
 * A file ingested (its records committed) that could not be moved to processed/: it is
 * not read again while it stays as it was (same size and modification time), and the
 * agency's other files go on.
 */
export interface StuckFile { readonly size: number; readonly mtimeMs: number; readonly sha256: string; readonly folder: string; readonly error: string; readonly since: string }

/**
 * What a file source remembers about ingested files, in its adapter state: the SHA-256 of
 * each ingested file's content (so the same content under another name is not ingested
 * twice) and how many remembered files have each size (so only a file whose size matches
 * an earlier one needs hashing BEFORE it is read — every other file is hashed while it is
 * parsed, in one read).
 *
 * Bounded: hashes are kept `retentionDays` (see `contentRetentionDays` in the adapter
 * schemas for why that must be long), listed in one bucket per day of ingestion
 * (`day:<yyyy-mm-dd>`); `prune` drops the buckets older than that with their hashes and
 * size counts. The previous poll holds only the names of the latest listing, so a file
 * that disappeared from the directory leaves nothing behind there.
 */
export class IngestedContent {
  constructor (private readonly state: AdapterState, private readonly retentionDays = 400, private readonly now: () => number = Date.now) {}

  async sizeSeen (size: number): Promise<boolean> {
    return await this.state.has(`size:${size}`)
  }

  /** The file an identical content was ingested from, or undefined. */
  async ingestedAs (sha256: string): Promise<{ file: string; at: string } | undefined> {
    const text = await this.state.get(`content:${sha256}`)
    return text === undefined ? undefined : JSON.parse(text) as { file: string; at: string }
  }

  /** Call only after the file's last page has been committed (see the cursor rule). */
  async remember (sha256: string, size: number, file: string): Promise<void> {
    const at = new Date(this.now()).toISOString()
    const day = at.slice(0, 10)
    await this.state.set(`content:${sha256}`, JSON.stringify({ file, at }))
    await this.state.set(`size:${size}`, String(await this.sizeCount(size) + 1))
    const bucket = await this.bucket(day)
    bucket.push([sha256, size])
    await this.state.set(`day:${day}`, JSON.stringify(bucket))
    if (await this.state.get('oldest-day') === undefined) await this.state.set('oldest-day', day)
  }

  /**
   * Forget the files ingested more than `retentionDays` ago. Cheap when there is nothing to
   * do (one read); walks the day buckets from the oldest kept, so a hub that was stopped
   * for months catches up in one call. Only one pull of an agency runs at a time (the pull
   * lock), so the read-modify-write of counts and buckets has no concurrent writer.
   */
  async prune (): Promise<number> {
    const cutoff = new Date(this.now() - this.retentionDays * DAY_MS).toISOString().slice(0, 10)
    const oldest = await this.state.get('oldest-day')
    if (oldest === undefined || oldest >= cutoff) return 0
    let forgotten = 0
    for (let day = oldest; day < cutoff; day = nextDay(day)) {
      for (const [sha256, size] of await this.bucket(day)) {
        // The same content ingested again later (after it had expired once) lives in a later bucket.
        if ((await this.ingestedAs(sha256))?.at.slice(0, 10) === day) await this.state.delete(`content:${sha256}`)
        const left = await this.sizeCount(size) - 1
        if (left > 0) await this.state.set(`size:${size}`, String(left))
        else await this.state.delete(`size:${size}`)
        forgotten++
      }
      await this.state.delete(`day:${day}`)
    }
    await this.state.set('oldest-day', cutoff)
    return forgotten
  }

  /** Ingested files that could not be moved out of the inbox, by name. */
  async stuck (): Promise<Record<string, StuckFile>> {
    const text = await this.state.get('stuck')
    return text === undefined ? {} : JSON.parse(text) as Record<string, StuckFile>
  }

  /** `name` was ingested and could not be moved (`file` undefined: it was moved, or is gone, after all). */
  async markStuck (name: string, file: Omit<StuckFile, 'since'> | undefined): Promise<void> {
    const all = await this.stuck()
    if (file === undefined) {
      if (all[name] === undefined) return
      delete all[name]
    } else {
      all[name] = { ...file, since: all[name]?.since ?? new Date(this.now()).toISOString() }
    }
    if (Object.keys(all).length === 0) await this.state.delete('stuck')
    else await this.state.set('stuck', JSON.stringify(all))
  }

  /** The previous poll's "size|mtime" per name, for the unchanged-across-two-polls check. */
  async previousPoll (): Promise<Record<string, string>> {
    const text = await this.state.get('previous-poll')
    return text === undefined ? {} : JSON.parse(text) as Record<string, string>
  }

  /** Replaces the previous poll: names no longer listed are forgotten. */
  async rememberPoll (poll: Record<string, string>): Promise<void> {
    await this.state.set('previous-poll', JSON.stringify(poll))
  }

  private async sizeCount (size: number): Promise<number> {
    const n = Number(await this.state.get(`size:${size}`) ?? 0)
    return Number.isInteger(n) && n > 0 ? n : 0
  }

  private async bucket (day: string): Promise<DayEntry[]> {
    const text = await this.state.get(`day:${day}`)
    return text === undefined ? [] : JSON.parse(text) as DayEntry[]
  }
}

function nextDay (day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
}
