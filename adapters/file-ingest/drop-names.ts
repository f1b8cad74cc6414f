/**
 * Names in a drop directory come from another system: a name is used only when it is one
 * plain path segment (no separators, no "..", no control characters), so nothing can make
 * the hub read or write outside the configured directory.
 */
import { InternalError } from '../../src/errors.js'
export function safeName (name: string): boolean {
  if (name === '' || name === '.' || name === '..' || name.length > 255) return false
  // eslint-disable-next-line no-control-regex
  return !/[/\\\u0000-\u001f\u007f]/.test(name)
}

export type NameKind = 'data' | 'marker' | 'ignored'

export interface NamingRules {
  /** Extensions of data files, lower case with the dot (".csv"). */
  readonly include: readonly string[]
  /** Done-marker suffixes (".ok", ".done"): "cases.csv.ok" or "cases.ok" marks "cases.csv". */
  readonly markerSuffixes: readonly string[]
}

/**
 * What a listed name is. Hidden files and partial uploads (".part", ".tmp", ".filepart")
 * are never data: upload tools write under such names and rename when done.
 */
export function kindOf (name: string, rules: NamingRules): NameKind {
  const lower = name.toLowerCase()
  if (lower.startsWith('.') || /\.(part|tmp|filepart|partial)$/.test(lower)) return 'ignored'
  if (rules.markerSuffixes.some(s => lower.endsWith(s.toLowerCase()))) return 'marker'
  if (rules.include.some(ext => lower.endsWith(ext.toLowerCase()))) return 'data'
  return 'ignored'
}

/** The marker names that can mark `name` complete: "<name><suffix>" and "<stem><suffix>". */
export function markersFor (name: string, rules: NamingRules): string[] {
  const dot = name.lastIndexOf('.')
  const stem = dot > 0 ? name.slice(0, dot) : name
  return rules.markerSuffixes.flatMap(s => [`${name}${s}`, `${stem}${s}`])
}

/** `name`, or `name` with `tag` before its extension when `taken` says the name is used. */
export async function uniqueName (name: string, tag: string, taken: (candidate: string) => Promise<boolean>): Promise<string> {
  if (!await taken(name)) return name
  const dot = name.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  for (let i = 0; ; i++) {
    const candidate = `${stem}.${tag}${i === 0 ? '' : `-${i}`}${ext}`
    if (!await taken(candidate)) return candidate
  }
}

/** `relative` ("processed/a.csv") checked segment by segment, so it stays inside the drop directory. */
export function checkedRelative (relative: string): string[] {
  const segments = relative.split('/')
  if (!segments.every(safeName)) throw new InternalError(`refusing a path outside the drop directory: ${JSON.stringify(relative)}`)
  return segments
}
