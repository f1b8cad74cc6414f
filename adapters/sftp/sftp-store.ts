import { posix } from 'node:path'
import type { Readable } from 'node:stream'
import type { DropFile, FileStore } from '../file-ingest/file-store.js'
import { checkedRelative } from '../file-ingest/drop-names.js'
import { openForReading, type SftpConnection } from './sftp-connection.js'
import { renameReplacing } from './rename.js'
import { RemoteRefusedError, RemoteUnavailableError } from '../../src/errors.js'

/** Read size per SFTP request stream buffer; larger buffers mean fewer round trips. */
const READ_HIGH_WATER_MARK = 256 * 1024

/** The drop directory on an SFTP server, as the file-ingest logic sees it. */
export function sftpStore (connection: SftpConnection, directory: string, where: string): FileStore {
  const at = (relative: string): string => posix.join(directory, ...checkedRelative(relative))
  return {
    where,
    async list (): Promise<DropFile[]> {
      const entries = await connection.run(`listing ${directory}`, async s => await s.list(directory))
      return entries.filter(e => e.type === '-').map(e => ({ name: e.name, size: e.size, mtimeMs: e.modifyTime }))
    },
    async read (relative): Promise<Readable> {
      const path = at(relative)
      const stream = await connection.run(`opening ${path}`, async s => {
        const handle = await openForReading(s, path, connection.who)
        const opened = s.createReadStream(path, { handle, highWaterMark: READ_HIGH_WATER_MARK, autoClose: true })
        // A stream paused by its consumer has no read request out when the connection drops,
        // and ssh2 never answers the next one: without this the read would wait forever.
        const lost = (): void => { opened.destroy(new RemoteUnavailableError(`${connection.who}: the connection was lost while reading ${path}`)) }
        s.on('close', lost)
        opened.once('close', () => { s.removeListener('close', lost) })
        return opened
      })
      // Errors of the stream itself (connection lost mid-file) also drop the session. Kept for
      // the stream's whole life: ssh2 can report a failed CLOSE after the data has ended, when
      // the consumer's listeners are gone, and an unheard 'error' would end the process.
      stream.on('error', (err: Error) => { connection.typed(`reading ${path}`, err) })
      return stream
    },
    async move (from, to) {
      await connection.run(`moving ${at(from)} to ${at(to)}`, async s => await s.rename(at(from), at(to)))
    },
    async exists (relative) {
      return await connection.run(`checking ${at(relative)}`, async s => (await s.exists(at(relative))) !== false)
    },
    async writeText (relative, text) {
      const final = at(relative)
      const temp = posix.join(posix.dirname(final), `.${posix.basename(final)}.part`)
      await connection.run(`writing ${final}`, async s => {
        await s.put(Buffer.from(text), temp)
        await renameReplacing(s, temp, final, connection.logger)
      })
    },
    async ensureDir (relative) {
      await connection.run(`checking ${directory}`, async s => {
        if ((await s.exists(directory)) !== 'd') throw new RemoteRefusedError(`${connection.who}: checking ${directory} failed: the drop directory ${directory} does not exist on the server`)
        if ((await s.exists(at(relative))) === false) await s.mkdir(at(relative), false)
      })
    },
    async close () {
      await connection.close()
    },
  }
}
