/**
 * Loading a mapping file: read, parse with positions, check the structure against
 * schemas/mapping.schema.json, compile. Any problem is a MappingFileError whose message
 * starts with `<file>:<line>:<col>:` and, where a name was wrong, lists the allowed ones.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { MappingFileError } from '../errors.js'
import { compileSpec } from './compile.js'
import { checkMappingStructure } from './schema-check.js'
import type { CompiledMapping } from './types.js'
import { parseYamlWithPositions } from './yaml-with-positions.js'

export type { CompiledMapping, MapOutcome, MappingProblem } from './types.js'

/** Read and compile the mapping file at `file` (relative paths are resolved against the working directory). */
export async function loadMapping (file: string): Promise<CompiledMapping> {
  const absolute = resolve(file)
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch (err) {
    throw new MappingFileError(`${absolute}: cannot read the mapping file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err })
  }
  return compileMapping(text, absolute)
}

/** Compile mapping file content; `file` names it in messages and in the result (made absolute). */
export function compileMapping (text: string, file: string): CompiledMapping {
  const absolute = resolve(file)
  const doc = parseYamlWithPositions(text, absolute)
  const spec = checkMappingStructure(doc)
  return compileSpec(doc, spec, absolute)
}
