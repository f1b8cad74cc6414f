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
import { textOf, type Text } from '../i18n/texts.js'

/** The mappings root of a mapping file: its folder. */
export function mappingsRootOf (mappingFile: string): string {
  return dirname(resolve(mappingFile))
}

/** Why `name` may not be used, or undefined when it stays under the root (before links are followed). */
function refusal (name: string): Text | undefined {
  if (name.includes('\0')) return textOf('mapping.file.nul')
  if (isAbsolute(name) || win32.isAbsolute(name)) return textOf('mapping.file.absolute')
  if (name.split(/[\\/]/).includes('..')) return textOf('mapping.file.climbs')
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
  if (why !== undefined) throw new MappingFileError('', textOf('mapping.file.outsideRoot', { name: JSON.stringify(name), reason: why }))
  const file = resolve(root, name)
  let real: string
  try {
    real = realpathSync(file)
  } catch {
    return file
  }
  let realRoot: string
  try { realRoot = realpathSync(root) } catch { realRoot = root }
  if (!inside(realRoot, real)) throw new MappingFileError('', textOf('mapping.file.linkOutside', { name: JSON.stringify(name) }))
  return file
}

/** `file` as a name relative to `root` (for messages); the file's own name when it is not under it. */
export function relativeToRoot (root: string, file: string): string {
  return inside(root, file) ? relative(root, file).split(sep).join('/') : file.split(/[\\/]/).pop() ?? file
}
