import { createHash, randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { join, posix } from 'node:path'
import type { FeedbackDecision, FeedbackWriter } from '../src/contracts/feedback.js'
import type { FeedbackFileWriterConfig } from '../src/generated/defaulted/adapters/feedback-file.js'
import type { Resolved } from '../src/config/env-refs.js'
import { RemoteRefusedError, RemoteUnavailableError } from '../src/errors.js'
import { defineWriterAdapter } from './define-adapter.js'
import { SftpConnection, sftpEndpoint } from './sftp/sftp-connection.js'
import { renameReplacing } from './sftp/rename.js'

type Config = Resolved<FeedbackFileWriterConfig>

/**
 * The file a decision is dropped as: `<id>.json`, the id kept where it is a safe file name,
 * else made one (other characters as `_`) with a hash of the id so two ids never share a file.
 */
export function feedbackFileName (id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)
  if (safe === id && !id.startsWith('.')) return `${id}.json`
  return `${safe.replace(/^\.+/, '_')}-${createHash('sha1').update(id).digest('hex').slice(0, 10)}.json`
}

/** The file's content: the decision as JSON, one line. The same decision is always the same bytes. */
export function feedbackFileContent (decision: FeedbackDecision): Buffer {
  return Buffer.from(`${JSON.stringify(decision)}\n`, 'utf8')
}

/** Local directory: write a hidden temporary file, fsync it, rename it into place (atomic on one file system). */
async function dropLocal (directory: string, name: string, content: Buffer, who: string): Promise<void> {
  const temp = join(directory, `.${name}.${randomBytes(4).toString('hex')}.part`)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, join(directory, name))
  } catch (err) {
    await unlink(temp).catch(() => undefined)
    const code = (err as NodeJS.ErrnoException).code
    const message = `${who}: writing ${name} failed: ${(err as Error).message}`
    // A missing directory or one the hub may not write needs configuration; a full disk or I/O error may pass.
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR' || code === 'EROFS') throw new RemoteRefusedError(message, { cause: err })
    throw new RemoteUnavailableError(message, { cause: err })
  }
}

/**
 * Feedback writer `file`: one JSON file per decision, `<decision id>.json`, in a local
 * directory or on SFTP, written under a hidden temporary name and renamed into place, so a
 * reader never sees a partial file; a repeated write replaces the file with the same bytes.
 */
export const feedbackFileWriter = defineWriterAdapter<Config>({
  kind: 'file',
  description: 'one JSON file per decision, written atomically (temporary name, rename) in a directory or on SFTP',
  schemaFile: 'feedback-file.schema.json',
  create (config, context): FeedbackWriter {
    const sftp = config.sftp
    if (sftp === undefined) {
      const who = `feedback drop of ${context.name} (${config.directory})`
      return {
        kind: 'file',
        write: async (decision: FeedbackDecision) => { await dropLocal(config.directory, feedbackFileName(decision.id), feedbackFileContent(decision), who) },
        close: async () => {},
      }
    }
    const who = `feedback drop of ${context.name} (sftp://${sftp.host}:${sftp.port}${config.directory})`
    const connection = new SftpConnection(sftpEndpoint(sftp), who, context.logger)
    return {
      kind: 'file',
      async write (decision: FeedbackDecision): Promise<void> {
        const name = feedbackFileName(decision.id)
        await connection.run(`writing ${name}`, async s => {
          const temp = posix.join(config.directory, `.${name}.${randomBytes(4).toString('hex')}.part`)
          await s.put(feedbackFileContent(decision), temp)
          await renameReplacing(s, temp, posix.join(config.directory, name), context.logger)
        })
      },
      close: async () => { await connection.close() },
    }
  },
})
