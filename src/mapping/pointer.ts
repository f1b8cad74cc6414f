/**
 * Canonical JSON pointers (`/dates/filed`): parsing, and setting a value at one in the case
 * being built. Every segment is an object property: lists are built by `each`, `split` and
 * parsers, never addressed by index in a mapping file.
 */
import { textOf, type Text } from '../i18n/texts.js'

/** "/transfer/suspectedCrime" → ["transfer", "suspectedCrime"] (with ~1 → "/", ~0 → "~"). */
export function pointerSegments (pointer: string): string[] {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Segments a mapping may not write: they would reach object internals, not data. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor'])

/** What is wrong with a pointer used as a target, or `undefined` if it is fine. */
export function pointerProblem (pointer: string): Text | undefined {
  for (const segment of pointerSegments(pointer)) {
    if (FORBIDDEN_SEGMENTS.has(segment)) return textOf('mapping.pointer.forbiddenSegment', { segment })
    if (/^\d+$/.test(segment)) return textOf('mapping.pointer.listIndex', { segment })
  }
  return undefined
}

/** Writes `value` at one pointer, creating the objects on the way. */
export type Setter = (target: Record<string, unknown>, value: unknown) => void

export function compileSetter (pointer: string): Setter {
  const segments = pointerSegments(pointer)
  const last = segments[segments.length - 1]!
  const parents = segments.slice(0, -1)
  if (parents.length === 0) return (target, value) => { target[last] = value }
  return (target, value) => {
    let node = target
    for (const segment of parents) {
      let next = node[segment]
      if (typeof next !== 'object' || next === null) {
        next = {}
        node[segment] = next
      }
      node = next as Record<string, unknown>
    }
    node[last] = value
  }
}

/** Whether one pointer is the other or lies inside it ("/a" and "/a/b"): both cannot be set. */
export function pointersOverlap (a: string, b: string): boolean {
  return a === b || a.startsWith(b + '/') || b.startsWith(a + '/')
}
