/**
 * Loading a mapping file: read, parse with positions, check the structure against
 * schemas/mapping.schema.json, compile (reading the shared code tables it names). Any
 * problem is a MappingFileError whose message starts with `<file>:<line>:<col>:` and, where a
 * name was wrong, lists the allowed ones.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { MappingFileError } from '../errors.js'
import { textOf } from '../i18n/texts.js'
import { compileSpec } from './compile.js'
import { checkMappingStructure } from './schema-check.js'
import { parseMappingYaml } from './table-entries.js'
import type { CompiledMapping } from './types.js'

export type { CompiledMapping, MapOutcome, MappingProblem } from './types.js'

export interface LoadOptions {
  /** Receives every shared table file read — even when compiling fails, so a watcher knows which files an edit involved. */
  readonly files?: Set<string>
  /** The agency the file is loaded for: its `agency:` must say the same. */
  readonly agency?: string
  /** False only to measure what the expression guard costs (test/bench/mapping.ts); never in the hub. */
  readonly guardExpressions?: boolean
  /** True only for the reference the generated mapper is compared with (test/mapping/codegen-equivalence.test.ts, the mapping bench); never in the hub. */
  readonly interpreted?: boolean
}

/** Read and compile the mapping file at `file` (relative paths are resolved against the working directory). */
export async function loadMapping (file: string, options: LoadOptions = {}): Promise<CompiledMapping> {
  const absolute = resolve(file)
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch (err) {
    throw new MappingFileError(absolute, textOf('mapping.file.unreadable', { reason: (err as NodeJS.ErrnoException).code ?? String(err) }), { cause: err })
  }
  return await prepareMapping(text, absolute, options)
}

/**
 * {@link compileMapping}, then each expression evaluated once on an empty record: a mapping
 * whose expression a limit stops even then is refused (MappingFileError at the expression).
 * What the hub, hot reload, the preview and `casebridge mapping test` load mappings with.
 */
export async function prepareMapping (text: string, file: string, options: LoadOptions = {}): Promise<CompiledMapping> {
  const mapping = compileMapping(text, file, options)
  await mapping.checkExpressions()
  return mapping
}

/**
 * Compile mapping file content; `file` names it in messages and in the result (made
 * absolute), and shared tables are found relative to it.
 */
export function compileMapping (text: string, file: string, options: LoadOptions = {}): CompiledMapping {
  const absolute = resolve(file)
  const doc = parseMappingYaml(text, absolute)
  const spec = checkMappingStructure(doc)
  if (options.agency !== undefined && spec.agency !== options.agency) {
    throw new MappingFileError(doc.where(['agency']), textOf('mapping.file.otherAgency', { agency: spec.agency, configured: options.agency }))
  }
  return compileSpec(doc, spec, absolute, options.files ?? new Set(), options.guardExpressions !== false, options.interpreted === true)
}
