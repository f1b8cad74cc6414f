import type { ErrorObject } from 'ajv'
import { renderText, textOf, type Text } from '../i18n/texts.js'
import { translator, type MessageKey } from '../i18n/translate.js'
import { pointerToPath } from '../yaml/positions.js'

/** What one ajv error says: where, the English text (`expected`), and the same as a catalogue key and its parameters. */
export interface DescribedAjvError extends Text {
  readonly path: (string | number)[]
  readonly expected: string
}

// ajv's own words for a limit ("must NOT have fewer than 2 items"), one key per keyword so each language words its unit.
const LIMIT_KEYS: Readonly<Record<string, MessageKey>> = {
  minLength: 'schema.problem.minLength', maxLength: 'schema.problem.maxLength',
  minItems: 'schema.problem.minItems', maxItems: 'schema.problem.maxItems', minProperties: 'schema.problem.minProperties',
}

/**
 * A limit keyword's error (minLength, minimum…) as a text; its English is ajv's own message
 * ("must NOT have fewer than 2 items"), so a text built on ajv's message can use it. Else undefined.
 */
export function limitText (error: ErrorObject): Text | undefined {
  const p = error.params as Record<string, unknown>
  const key = LIMIT_KEYS[error.keyword]
  if (key !== undefined) return textOf(key, { limit: String(p.limit) })
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].includes(error.keyword)) return textOf('schema.problem.compare', { comparison: String(p.comparison), limit: String(p.limit) })
  return undefined
}

/** The path the error is about and what was expected there, as a text to word. */
function problemOf (error: ErrorObject): { path: (string | number)[]; text: Text } {
  const path = pointerToPath(error.instancePath)
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(p.additionalProperty)], text: textOf('schema.problem.unknownKey', { key: String(p.additionalProperty), allowed: allowedKeys(error) }) }
    case 'required':
      return { path: [...path, String(p.missingProperty)], text: textOf('schema.problem.missingKey', { key: String(p.missingProperty) }) }
    case 'type':
      return { path, text: textOf('schema.problem.type', { type: String(p.type) }) }
    case 'enum':
      return { path, text: textOf('schema.problem.enum', { allowed: (p.allowedValues as unknown[]).map(v => JSON.stringify(v)) }) }
    case 'const':
      return { path, text: textOf('schema.problem.const', { value: JSON.stringify(p.allowedValue) }) }
    case 'pattern':
      return { path, text: textOf('schema.problem.pattern', { pattern: String(p.pattern) }) }
    case 'format':
      return { path, text: textOf('schema.problem.format', { format: String(p.format) }) }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
    case 'minLength': case 'maxLength': case 'minItems': case 'maxItems': case 'minProperties':
      return { path, text: limitText(error)! }
    case 'propertyNames':
      return { path, text: textOf('schema.problem.propertyName', { name: String(p.propertyName) }) }
    default:
      return { path, text: textOf('schema.problem.other', { detail: error.message ?? error.keyword }) }
  }
}

/**
 * One ajv error as an administrator reads it: which path, and what was expected there — in
 * English (`expected`, for logs and messages) and as a key with parameters (for the
 * operator's language, `renderText`). Wrapper errors (`oneOf`, `if`) are dropped by the
 * caller; they repeat what the inner errors already say.
 */
export function describeAjvError (error: ErrorObject): DescribedAjvError {
  const { path, text } = problemOf(error)
  return { path, expected: renderText(translator('en'), text), key: text.key, params: text.params }
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
