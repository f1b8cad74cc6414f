import { link, mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { FileAccessDeniedError, FileVanishedError, RemoteRefusedError, RemoteUnavailableError } from '../../src/errors.js'
import type { DropFile, FileStore } from './file-store.js'
import { checkedRelative } from './drop-names.js'

/** Errors that configuration or permissions must fix; anything else (EIO, a stale NFS handle) may pass. */
const REFUSED = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM'])

/**
 * A drop directory on the local file system or an NFS mount. Moves never overwrite:
 * link-then-unlink fails when the destination exists, where rename would replace it.
 */
export function localDirStore (directory: string): FileStore {
  const root = resolve(directory)
  const at = (relative: string): string => join(root, ...checkedRelative(relative))
  const typed = (what: string, err: unknown): Error => {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    const message = `${root}: ${what} failed (${code || (err as Error).message})`
    return REFUSED.has(code) ? new RemoteRefusedError(message, { cause: err }) : new RemoteUnavailableError(message, { cause: err })
  }
  return {
    where: root,
    async list (): Promise<DropFile[]> {
      try {
        const entries = await readdir(root, { withFileTypes: true })
        const files: DropFile[] = []
        for (const entry of entries) {
          if (!entry.isFile()) continue // no directories, no symbolic links
          const info = await stat(join(root, entry.name)).catch(() => undefined) // gone meanwhile: skip
          if (info !== undefined) files.push({ name: entry.name, size: info.size, mtimeMs: Math.floor(info.mtimeMs) })
        }
        return files
      } catch (err) {
        throw typed('listing the drop directory', err)
      }
    },
    async read (relative): Promise<Readable> {
      try {
        const handle = await open(at(relative), 'r')
        return handle.createReadStream({ highWaterMark: 256 * 1024 }) // closes the handle when done or destroyed
      } catch (err) {
        // On one listed file these codes mean "gone since the listing" and "not readable for us", not a wrong directory.
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') throw new FileVanishedError(`${root}: ${relative} was listed but is gone now (deleted or renamed); skipped, the next poll lists the directory again`, { cause: err })
        if (code === 'EACCES' || code === 'EPERM') throw new FileAccessDeniedError(`${root}: ${relative} may be listed but not read by the hub (permission denied); the agency must make it readable and drop it again`, { cause: err })
        throw typed(`opening ${relative}`, err)
      }
    },
    async move (from, to) {
      try {
        await link(at(from), at(to))
        await unlink(at(from))
      } catch (err) {
        throw typed(`moving ${from} to ${to}`, err)
      }
    },
    async exists (relative) {
      return await stat(at(relative)).then(() => true, () => false)
    },
    async writeText (relative, text) {
      const final = at(relative)
      const temp = `${final}.${process.pid}.tmp`
      try {
        await writeFile(temp, text)
        await rename(temp, final)
      } catch (err) {
        throw typed(`writing ${relative}`, err)
      }
    },
    async ensureDir (relative) {
      try {
        await stat(root)
        await mkdir(at(relative), { recursive: true })
      } catch (err) {
        throw typed(`preparing ${relative}/`, err)
      }
    },
    async close () {},
  }
}
