import type { AdapterState } from '../../src/contracts/adapter-registry.js'

/**
 * What a file source remembers about ingested files, in its adapter state: the SHA-256 of
 * each ingested file's content (so the same content under another name is not ingested
 * twice) and the sizes seen (so only a file whose size matches an earlier one needs hashing
 * BEFORE it is read — every other file is hashed while it is parsed, in one read).
 */
export class IngestedContent {
  constructor (private readonly state: AdapterState) {}

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
    await this.state.set(`content:${sha256}`, JSON.stringify({ file, at: new Date().toISOString() }))
    await this.state.set(`size:${size}`, '1')
  }

  /** The previous poll's "size|mtime" per name, for the unchanged-across-two-polls check. */
  async previousPoll (): Promise<Record<string, string>> {
    const text = await this.state.get('previous-poll')
    return text === undefined ? {} : JSON.parse(text) as Record<string, string>
  }

  async rememberPoll (poll: Record<string, string>): Promise<void> {
    await this.state.set('previous-poll', JSON.stringify(poll))
  }
}
