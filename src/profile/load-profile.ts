/**
 * Loading a target profile file: read, parse with positions (src/yaml), check the structure
 * against schemas/profile.schema.json (defaults filled in), compile. Any problem is a
 * ProfileFileError whose message starts with `<file>:<line>:<col>:` and, where a name was
 * wrong, lists the allowed ones.
 */
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import { MappingFileError, ProfileFileError, YamlSyntaxError } from '../errors.js'
import type { TargetProfile } from '../generated/profile.js'
import { schemaPath } from '../paths.js'
import { checkStructure } from '../mapping/schema-check.js'
import { parseYamlWithPositions } from '../yaml/positions.js'
import { compileProfile } from './compile-profile.js'
import type { CompiledProfile } from './types.js'

export type { CompiledProfile } from './types.js'

export interface ProfileLoadOptions {
  /** Where the secrets' environment variables are read; default process.env. */
  readonly env?: NodeJS.ProcessEnv
}

let validator: ValidateFunction<TargetProfile> | undefined

function validateProfile (): ValidateFunction<TargetProfile> {
  if (validator === undefined) {
    const schema = JSON.parse(readFileSync(schemaPath('profile.schema.json'), 'utf8')) as object
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, useDefaults: true, keywords: ['x-allowed-keys', 'tsType'] })
    validator = ajv.compile<TargetProfile>(schema)
  }
  return validator
}

/** Compile profile file content; `file` names it in messages. */
export function compileProfileText (text: string, file: string, options: ProfileLoadOptions = {}): CompiledProfile {
  const absolute = resolve(file)
  try {
    const doc = parseYamlWithPositions(text, absolute)
    // A structure problem is a MappingFileError carrying its text: the catch below names it as the profile's, keeping it as the cause.
    const spec = checkStructure(doc, validateProfile())
    return compileProfile(doc, spec, absolute, options.env ?? process.env)
  } catch (err) {
    // The mapping machinery it reuses (conditions, pointers, positions) raises its own errors: the same message, named as a profile's.
    if (err instanceof YamlSyntaxError || err instanceof MappingFileError) throw new ProfileFileError(err.message, { cause: err })
    throw err
  }
}

/** Read and compile the profile at `file`. */
export async function loadProfile (file: string, options: ProfileLoadOptions = {}): Promise<CompiledProfile> {
  const absolute = resolve(file)
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch (err) {
    throw new ProfileFileError(`${absolute}: cannot read the profile file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err })
  }
  return compileProfileText(text, absolute, options)
}
