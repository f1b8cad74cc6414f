import type { FileStore } from './file-store.js'
import type { ReadyFile } from './completeness.js'
import { uniqueName } from './drop-names.js'
import type { FileAccessDeniedError, UnreadableFileError } from '../../src/errors.js'

/**
 * Move a finished file (and its markers) into `dir`. A name already used there (a corrected
 * file dropped again under the same name) gets the content hash's first 12 characters added
 * before its extension, so nothing earlier is overwritten. Returns the name used.
 */
export async function settleFile (store: FileStore, file: ReadyFile, dir: string, tag: string): Promise<string> {
  const name = await uniqueName(file.name, tag.slice(0, 12), async n => await store.exists(`${dir}/${n}`))
  await store.move(file.name, `${dir}/${name}`)
  for (const marker of file.markers) {
    if (!await store.exists(marker)) continue // one marker can serve two names ("a.ok" for a.csv and a.xml)
    await store.move(marker, `${dir}/${await uniqueName(marker, tag.slice(0, 12), async n => await store.exists(`${dir}/${n}`))}`)
  }
  return name
}

/**
 * Move a file that cannot be read into `dir`, with "<name>.error.txt" beside it naming the
 * agency, the file, the line and what was expected — for the agency's IT staff, who see
 * the drop directory but not the hub's logs.
 */
export async function rejectFile (store: FileStore, file: ReadyFile, dir: string, agency: string, err: UnreadableFileError | FileAccessDeniedError): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const name = await settleFile(store, file, dir, stamp)
  const report = [
    `CaseBridge could not ${err.code === 'CB_ERR_FILE_ACCESS_DENIED' ? 'open' : 'read'} this file as records; it was moved here and nothing more will be read from it.`,
    '',
    `agency:   ${agency}`,
    `file:     ${file.name}${name === file.name ? '' : ` (kept here as ${name})`}`,
    `size:     ${file.size} bytes, modified ${new Date(file.mtimeMs).toISOString()}`,
    `line:     ${'line' in err && err.line !== undefined ? err.line : 'not known'}`,
    `problem:  ${err.message}`,
    `error:    ${err.code}`,
    `rejected: ${new Date().toISOString()}`,
    '',
    'Records read before the problem (if any) were delivered. Fix the file and drop it again:',
    'records already delivered are recognised and not sent twice.',
    '',
  ].join('\n')
  await store.writeText(`${dir}/${name}.error.txt`, report)
  return name
}
