import type { Test } from 'tap'
import { MappingFileError } from '../../src/errors.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'

/** The first lines every mapping text of a test needs (version, agency, caseNumberField). */
export const MAPPING_HEAD = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'

/** The message of the MappingFileError that compiling `text` (as `file`) throws; a test failure when it compiles. */
export function mappingErrorOf (t: Test, text: string, file: string): string {
  try {
    compileMapping(text, file)
  } catch (err) {
    t.type(err, MappingFileError)
    t.equal((err as MappingFileError).code, 'CB_ERR_MAPPING_FILE')
    return (err as Error).message
  }
  t.fail('expected a MappingFileError')
  return ''
}
