/**
 * Files a mapping names (shared code tables today, target profiles under `profiles/` next)
 * stay inside the mappings root: the folder holding the agency's mapping file. A name is
 * refused when it is absolute, climbs with `..`, or leads out through a symbolic link — so a
 * mapping, and a mapping posted to the preview route above all, cannot read, or learn the
 * existence of, any other file the hub can read. Messages name the file relative to the root.
 */
import { realpathSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep, win32 } from 'node:path'
import { MappingFileError } from '../errors.js'

/** The mappings root of a mapping file: its folder. */
export function mappingsRootOf (mappingFile: string): string {
  return dirname(resolve(mappingFile))
}

/** Why `name` may not be used, or undefined when it stays under the root (before links are followed). */
function refusal (name: string): string | undefined {
  if (name.includes('\0')) return 'it holds a NUL character'
  if (isAbsolute(name) || win32.isAbsolute(name)) return 'it is an absolute path'
  if (name.split(/[\\/]/).includes('..')) return 'it climbs out with ".."'
  return undefined
}

const inside = (root: string, file: string): boolean => {
  const rel = relative(root, file)
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel)
}

/**
 * The absolute file `name` means under `root`; throws a MappingFileError saying why (with the name as
 * written, relative to the root) when it would leave it. A file that does not exist (yet) is
 * resolved without following links: reading it then fails as missing.
 */
export function fileUnderRoot (root: string, name: string): string {
  const why = refusal(name)
  if (why !== undefined) throw new MappingFileError(`${JSON.stringify(name)} is not a file under the mappings folder: ${why}; name files relative to the folder of the mapping file, e.g. tables/yes-no.yaml`)
  const file = resolve(root, name)
  let real: string
  try {
    real = realpathSync(file)
  } catch {
    return file
  }
  let realRoot: string
  try { realRoot = realpathSync(root) } catch { realRoot = root }
  if (!inside(realRoot, real)) throw new MappingFileError(`${JSON.stringify(name)} is not a file under the mappings folder: a symbolic link leads out of it`)
  return file
}

/** `file` as a name relative to `root` (for messages); the file's own name when it is not under it. */
export function relativeToRoot (root: string, file: string): string {
  return inside(root, file) ? relative(root, file).split(sep).join('/') : file.split(/[\\/]/).pop() ?? file
}
