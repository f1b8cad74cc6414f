import type { Readable } from 'node:stream'

/** A regular file in the drop directory, as listed. */
export interface DropFile {
  readonly name: string
  readonly size: number
  readonly mtimeMs: number
}

/**
 * What the file-ingest logic needs from where the files are: an SFTP server or a local
 * (or NFS-mounted) directory. Paths are relative to the drop directory and already
 * checked by `safeName`; an implementation resolves them inside its directory and nowhere
 * else. Errors: `RemoteUnavailableError` for anything that may pass (connection lost,
 * timeout), `RemoteRefusedError` / `HostKeyMismatchError` for what configuration must fix.
 */
export interface FileStore {
  /** Names the place in messages, e.g. "sftp://10.1.2.3:22/export/cases" (no credentials). */
  readonly where: string
  /** Regular files directly in the drop directory (no subdirectories, no links followed). */
  list (): Promise<DropFile[]>
  /** The file's bytes as a stream; the caller consumes or destroys it. */
  read (path: string): Promise<Readable>
  /** Rename within the drop directory (e.g. "a.csv" → "processed/a.csv"); fails if `to` exists. */
  move (from: string, to: string): Promise<void>
  exists (path: string): Promise<boolean>
  /** Write a small text file (an error report) in one piece. */
  writeText (path: string, text: string): Promise<void>
  /** Create a subdirectory of the drop directory when missing. */
  ensureDir (path: string): Promise<void>
  close (): Promise<void>
}
