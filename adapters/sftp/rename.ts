import type { SftpSession } from './sftp-connection.js'

/**
 * Rename `from` to `to`, replacing `to` atomically where the server supports OpenSSH's
 * posix-rename extension (readers see the old file or the new one, never neither). A
 * server without it gets the plain SFTP rename, which refuses to replace: then `to` is
 * removed first — a moment without the file, acceptable only because callers use this
 * for content that is identical when it already exists (a retried batch, a report).
 */
export async function renameReplacing (session: SftpSession, from: string, to: string): Promise<void> {
  try {
    await session.posixRename(from, to)
    return
  } catch {
    // Not supported, or failed: fall through to the plain rename, whose error is the one reported.
  }
  if ((await session.exists(to)) !== false) await session.delete(to, true)
  await session.rename(from, to)
}
