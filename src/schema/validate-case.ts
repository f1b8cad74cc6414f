/**
 * Validation of a record against the canonical case schema (schemas/case.schema.json).
 * The schema is read and compiled once, on first use, and shared by every caller.
 */
import { readFileSync } from 'node:fs'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import type { CanonicalCase } from '../generated/case.js'
import { createAjv } from './ajv.js'
import { toFieldProblems } from './field-problems.js'
import { textProblems } from './text-problems.js'
import type { FieldProblem } from './field-problems.js'
import { schemaPath } from '../paths.js'

export type { FieldProblem } from './field-problems.js'
export type { CanonicalCase } from '../generated/case.js'

/** The outcome of {@link validateCase}: the typed case, or every problem found (never empty). */
export type CaseValidation = { ok: true; value: CanonicalCase } | { ok: false; problems: FieldProblem[] }

interface CompiledCaseSchema {
  readonly schema: Record<string, unknown>
  readonly validate: ValidateFunction<CanonicalCase>
}

let compiled: CompiledCaseSchema | undefined

/** The parsed case schema and its compiled validator, built on first call. */
function caseValidator (): CompiledCaseSchema {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(schemaPath('case.schema.json'), 'utf8')) as Record<string, unknown>
    // verbose: errors carry the schema object that failed, which field-problems locates to
    // word its messages; they also carry the data, so they never leave this module.
    compiled = Object.freeze({ schema, validate: createAjv({ verbose: true }).compile<CanonicalCase>(schema) })
  }
  return compiled
}

/**
 * Checks `value` against the canonical case schema, including its cross-field rules; a
 * value that passes is then checked for text holding control characters or undecodable
 * bytes (`textProblems`).
 * Never throws for bad data: a record that fails comes back with all its problems, each
 * naming a field and what was expected, without the offending value. `value` is not
 * modified; on success it is returned as is, typed.
 */
export function validateCase (value: unknown): CaseValidation {
  const { schema, validate } = caseValidator()
  if (validate(value)) {
    // Only a value of the schema's shape is walked: its depth is the schema's, not the input's.
    const text = textProblems(value)
    return text.length === 0 ? { ok: true, value } : { ok: false, problems: text }
  }
  const problems = toFieldProblems(validate.errors ?? [], schema)
  // Never report failure without a reason (e.g. if all ajv errors were wrapper noise).
  if (problems.length === 0) problems.push({ path: '', rule: 'schema', message: 'does not match the canonical case schema' })
  return { ok: false, problems }
}
