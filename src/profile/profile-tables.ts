/**
 * Code tables of a profile: canonical code → the platform's code, with an explicit rule for
 * a canonical code the table lacks — `hold` (the case is not sent until the table has it),
 * `pass` (send the canonical code as it is), `default` (send the table's `default:`). Codes are
 * the canonical values as text (`true`/`false` for flags), matched exactly.
 */
import type { ProfileCodeTable } from '../generated/profile.js'
import { refuse, type PositionedYaml } from '../mapping/compile-context.js'
import { FormatFailure, type Format } from './formats.js'

export interface ProfileTableCompiled {
  readonly name: string
  readonly codes: ReadonlyMap<string, string | number | boolean>
  readonly convert: Format
}

export function compileProfileTable (doc: PositionedYaml, name: string, entry: ProfileCodeTable): ProfileTableCompiled {
  const path = ['tables', name]
  const codes = new Map<string, string | number | boolean>()
  for (const { written, key } of doc.keysAsWritten([...path, 'codes'])) codes.set(written.trim(), entry.codes[key]!)
  const unknown = entry.unknown!
  if (unknown === 'default' && entry.default === undefined) refuse(doc, [...path, 'unknown'], 'profile.tableDefaultMissing', { name })
  if (unknown !== 'default' && entry.default !== undefined) refuse(doc, [...path, 'default'], 'profile.tableDefaultUnused', { name, unknown }, 'key')
  const known = [...codes.keys()].slice(0, 20).join(', ')
  const failure = new FormatFailure('table:' + name, `the platform has no code for this value in table ${name} (known: ${known}); add it at ${doc.where([...path, 'codes'], 'key')}`)
  const fallback = entry.default
  const convert: Format = value => {
    const key = typeof value === 'string' ? value.trim() : String(value)
    const found = codes.get(key)
    if (found !== undefined) return found
    if (unknown === 'pass') return value
    if (unknown === 'default') return fallback
    return failure
  }
  return Object.freeze({ name, codes, convert })
}
