import type { MappingProblem } from '../mapping/types.js'
import type { RawRecord } from '../contracts/source-adapter.js'

/**
 * Limits on raw records, the same for every source: what the hub keeps of a record it
 * cannot deliver must stay storable and readable whatever an agency sends.
 */

/** Objects and lists nested deeper than this: no export is, and serialisers recurse (JSON.stringify fails near 10,000). */
export const MAX_RAW_DEPTH = 64
/** In a quarantine entry, longer text is cut (the canonical schema accepts no text this long, so nothing cut could be delivered). */
export const MAX_KEPT_TEXT = 64 * 1024
/** In a quarantine entry, nesting below this is left out. */
const MAX_KEPT_DEPTH = 16
/** In a quarantine entry, at most this many items of one list or keys of one object. */
const MAX_KEPT_ITEMS = 1000

/** A problem when `raw` nests deeper than {@link MAX_RAW_DEPTH}; walked without recursion, stopping at the limit. */
export function rawDepthProblem (raw: RawRecord): MappingProblem | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: raw, depth: 1 }]
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number }
    if (typeof node !== 'object' || node === null) continue
    if (depth > MAX_RAW_DEPTH) {
      return { canonicalField: '', rule: 'record-depth', message: `expected a record nested at most ${MAX_RAW_DEPTH} levels deep; this one nests deeper (it is kept cut off at ${MAX_KEPT_DEPTH} levels)` }
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1 })
  }
  return undefined
}

/**
 * `raw` as a quarantine entry keeps it: unchanged when small, else a copy with text longer
 * than {@link MAX_KEPT_TEXT} cut (its length said), nesting below 16 levels and lists or
 * objects past 1,000 entries left out, marked where. Keys are copied as data (a key named
 * `__proto__` stays an own key).
 */
export function keptRaw (raw: RawRecord): RawRecord {
  return needsCut(raw, 1) ? cut(raw, 1) as RawRecord : raw
}

function needsCut (node: unknown, depth: number): boolean {
  if (typeof node === 'string') return node.length > MAX_KEPT_TEXT
  if (typeof node !== 'object' || node === null) return false
  const children = Array.isArray(node) ? node : Object.values(node)
  if (depth > MAX_KEPT_DEPTH || children.length > MAX_KEPT_ITEMS) return true
  return children.some(child => needsCut(child, depth + 1))
}

function cut (node: unknown, depth: number): unknown {
  if (typeof node === 'string') return node.length > MAX_KEPT_TEXT ? `${node.slice(0, MAX_KEPT_TEXT)}…[cut: ${node.length} characters in all]` : node
  if (typeof node !== 'object' || node === null) return node
  if (depth > MAX_KEPT_DEPTH) return '…[nested deeper: not kept]'
  if (Array.isArray(node)) {
    const items = node.slice(0, MAX_KEPT_ITEMS).map(item => cut(item, depth + 1))
    if (node.length > MAX_KEPT_ITEMS) items.push(`…[${node.length - MAX_KEPT_ITEMS} more items not kept]`)
    return items
  }
  const out: Record<string, unknown> = {}
  const keys = Object.keys(node)
  for (const key of keys.slice(0, MAX_KEPT_ITEMS)) Object.defineProperty(out, key, { value: cut((node as Record<string, unknown>)[key], depth + 1), enumerable: true, writable: true, configurable: true })
  if (keys.length > MAX_KEPT_ITEMS) out['…'] = `${keys.length - MAX_KEPT_ITEMS} more keys not kept`
  return out
}
