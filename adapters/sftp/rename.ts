import type { Logger } from 'pino'
import type { SftpSession } from './sftp-connection.js'

/** Sessions whose refusal of posix-rename was already logged (once per connection is enough to act on). */
const fallbackLogged = new WeakSet<SftpSession>()

/**
 * Rename `from` to `to`, replacing `to` atomically where the server supports OpenSSH's
 * posix-rename extension (readers see the old file or the new one, never neither). A
 * server without it gets the plain SFTP rename, which refuses to replace: then `to` is
 * removed first — a moment without the file, acceptable only because callers use this
 * for content that is identical when it already exists (a retried batch, a report).
 * The fallback is logged as a warning (once per connection, then at debug level), with
 * the server's reason, because it gives up the atomic replacement. Returns the way used.
 */
export async function renameReplacing (session: SftpSession, from: string, to: string, logger: Logger): Promise<'posix-rename' | 'rename'> {
  try {
    await session.posixRename(from, to)
    return 'posix-rename'
  } catch (err) {
    const detail = { from, to, reason: (err as Error).message }
    if (fallbackLogged.has(session)) logger.debug(detail, 'posix-rename refused; plain rename used')
    else {
      fallbackLogged.add(session)
      logger.warn(detail, 'the SFTP server refused posix-rename; falling back to remove-then-rename, so a reader may briefly miss a file being replaced')
    }
  }
  if ((await session.exists(to)) !== false) await session.delete(to, true)
  await session.rename(from, to)
  return 'rename'
}
