import type { ErrorObject } from 'ajv'
import { pointerToPath } from '../yaml/positions.js'

/**
 * One ajv error as an administrator reads it: which path, and what was expected there.
 * Wrapper errors (`oneOf`, `if`) are dropped by the caller; they repeat what the inner
 * errors already say.
 */
export function describeAjvError (error: ErrorObject): { path: (string | number)[]; expected: string } {
  const path = pointerToPath(error.instancePath)
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(p.additionalProperty)], expected: `unknown key "${String(p.additionalProperty)}"; allowed here: ${allowedKeys(error).join(', ')}` }
    case 'required':
      return { path: [...path, String(p.missingProperty)], expected: `required key "${String(p.missingProperty)}" is missing` }
    case 'type':
      return { path, expected: `expected ${String(p.type)}` }
    case 'enum':
      return { path, expected: `expected one of ${(p.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}` }
    case 'const':
      return { path, expected: `expected ${JSON.stringify(p.allowedValue)}` }
    case 'pattern':
      return { path, expected: `expected text matching ${String(p.pattern)}` }
    case 'format':
      return { path, expected: `expected a valid ${String(p.format)}` }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
    case 'minLength': case 'maxLength': case 'minItems': case 'maxItems': case 'minProperties':
      return { path, expected: `must be ${String(error.message)}`.replace('must be must', 'must') }
    case 'propertyNames':
      return { path, expected: `key "${String(p.propertyName)}" is not a valid name` }
    default:
      return { path, expected: error.message ?? error.keyword }
  }
}

function allowedKeys (error: ErrorObject): string[] {
  const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined
  return Object.keys(schema?.properties ?? {})
}

/** Keep the errors that say something; `oneOf`/`anyOf`/`if` wrappers only repeat their branches. */
export function usefulErrors (errors: readonly ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>()
  const out: ErrorObject[] = []
  for (const error of errors) {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(error)
  }
  return out
}
