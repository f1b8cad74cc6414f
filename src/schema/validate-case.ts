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
import { contradictions } from './contradictions.js'
import type { FieldProblem } from './field-problems.js'
import { schemaPath } from '../paths.js'

export type { FieldProblem } from './field-problems.js'
export type { CanonicalCase } from '../generated/case.js'

/** The outcome of {@link validateCase}: the typed case, or every problem found (never empty). */
export type CaseValidation = { ok: true; value: CanonicalCase } | { ok: false; problems: FieldProblem[] }

interface CompiledCaseSchema {
  readonly schema: Record<string, unknown>
  /** Stops at the first failure and keeps no error detail: the happy path, most records. */
  readonly accepts: ValidateFunction<CanonicalCase>
  /** Every error, each with its failing schema: run only on a value `accepts` refused, to word the problems. */
  readonly validate: ValidateFunction<CanonicalCase>
}

let compiled: CompiledCaseSchema | undefined

/** The parsed case schema and its compiled validator, built on first call. */
function caseValidator (): CompiledCaseSchema {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(schemaPath('case.schema.json'), 'utf8')) as Record<string, unknown>
    // verbose: errors carry the schema object that failed, which field-problems locates to
    // word its messages; they also carry the data, so they never leave this module.
    // x-completeness is the expected tier, read by src/schema/completeness.ts: an annotation here.
    // Both are compiled from the one schema, so they accept exactly the same values; the first
    // stops at the first failure (allErrors off) and builds no error objects: the cheaper check for
    // the many values that pass.
    compiled = Object.freeze({
      schema,
      accepts: createAjv({ allErrors: false, keywords: ['x-completeness'] }).compile<CanonicalCase>(schema),
      validate: createAjv({ verbose: true, keywords: ['x-completeness'] }).compile<CanonicalCase>(schema),
    })
  }
  return compiled
}

/**
 * Checks `value` against the canonical case schema (its identity tier and cross-field
 * rules); a value that passes is then checked for text holding control characters or
 * undecodable bytes (`textProblems`) and for dates that contradict each other
 * (`contradictions`). The expected tier is not judged here: a valid case may lack expected
 * fields (src/schema/completeness.ts counts them).
 * Never throws for bad data: a record that fails comes back with all its problems, each
 * naming a field and what was expected, without the offending value. `value` is not
 * modified; on success it is returned as is, typed.
 */
export function validateCase (value: unknown): CaseValidation {
  const { schema, accepts, validate } = caseValidator()
  // Should the two ever disagree, the all-errors validator decides.
  if (accepts(value) || validate(value)) {
    // Only a value of the schema's shape is walked: its depth is the schema's, not the input's.
    const problems = [...textProblems(value), ...contradictions(value)]
    return problems.length === 0 ? { ok: true, value } : { ok: false, problems }
  }
  const problems = toFieldProblems(validate.errors ?? [], schema)
  // Never report failure without a reason (e.g. if all ajv errors were wrapper noise).
  if (problems.length === 0) problems.push({ path: '', rule: 'schema', message: 'does not match the canonical case schema' })
  return { ok: false, problems }
}
