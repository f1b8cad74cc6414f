import { LineCounter, isMap, isSeq, parseDocument, type Document, type Node } from 'yaml'

/**
 * A YAML document that remembers where each value came from, so validation messages can
 * say `file:line:column` — administrators edit these files by hand.
 */
export interface PositionedYaml {
  readonly value: unknown
  /** `line:column` (1-based) of the node at `path`, or of its nearest existing parent. */
  positionOf (path: readonly (string | number)[]): string
}

export class YamlSyntaxError extends Error {
  constructor (readonly file: string, readonly line: number, readonly column: number, readonly detail: string) {
    super(`${file}:${line}:${column}: ${detail}`)
  }
}

export function parseYamlWithPositions (text: string, file: string): PositionedYaml {
  const lineCounter = new LineCounter()
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const first = doc.errors[0]
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0])
    throw new YamlSyntaxError(file, pos.line, pos.col, `YAML syntax error: ${first.message.split('\n')[0]}`)
  }
  const where = (node: Node | undefined): string => {
    const offset = node?.range?.[0] ?? 0
    const pos = lineCounter.linePos(offset)
    return `${pos.line}:${pos.col}`
  }
  return {
    value: doc.toJS({ maxAliasCount: 100 }),
    positionOf (path) {
      // Walk as deep as the document goes; a missing key is reported at its parent.
      // A map entry is reported at its key (where the administrator reads the name).
      let node: Node | undefined = doc.contents ?? undefined
      let at: Node | undefined = node
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find(item => (item.key as { value?: unknown } | null)?.value === segment)
          if (pair === undefined) break
          at = pair.key as Node
          node = (pair.value ?? pair.key) as Node
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment] as Node | undefined
          if (item === undefined) break
          at = item
          node = item
        } else break
      }
      return where(at)
    },
  }
}

/** `agencies[0].source.baseUrl` from ['agencies', 0, 'source', 'baseUrl'] — how an administrator reads a path. */
export function formatPath (path: readonly (string | number)[]): string {
  let out = ''
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : (out === '' ? segment : `.${segment}`)
  return out === '' ? '(top level)' : out
}

/** JSON pointer (`/agencies/0/source`) → path segments, numbers for array indexes. */
export function pointerToPath (pointer: string): (string | number)[] {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map(raw => {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    return /^\d+$/.test(segment) ? Number(segment) : segment
  })
}
