/**
 * YAML that remembers where each value was written, so every complaint about a file an
 * administrator edits by hand (hub config, mapping files, shared code tables) can say
 * `file:line:column`. One parser for all of them: the core schema only, which builds plain
 * data — no custom tags, nothing a file could execute — duplicate keys refused, aliases capped.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { Document, Node, Pair } from 'yaml'
import { YamlSyntaxError } from '../errors.js'

/** A path into the parsed document: map keys and list indexes. */
export type YamlPath = readonly (string | number)[]

/** A parsed YAML document that can say where each of its values was written. */
export interface PositionedYaml {
  /** The document as plain JSON-like data. */
  readonly value: unknown
  /** The file named in messages. */
  readonly file: string
  /**
   * Line and column (1-based) of the value at `path`, or of its key when `at` is 'key'.
   * A path that goes deeper than the document is reported at the nearest existing node.
   */
  locate (path: YamlPath, at?: 'value' | 'key'): { line: number; col: number }
  /** `file:line:col` of {@link PositionedYaml.locate}, the prefix of every message about one place. */
  where (path: YamlPath, at?: 'value' | 'key'): string
  /**
   * `line:column` of the node at `path`, or of its nearest existing parent; a map entry is
   * reported at its key (where the administrator reads the name).
   */
  positionOf (path: YamlPath): string
  /**
   * The keys of the map at `path` as written in the file, paired with the key the plain
   * data uses. YAML reads an unquoted `01` as the number 1; a code table must see "01".
   */
  keysAsWritten (path: YamlPath): Array<{ written: string; key: string }>
  /** A scalar at `path` as written (`01` stays "01"); `undefined` if it is not a scalar. */
  scalarAsWritten (path: YamlPath): string | undefined
}


/** Aliases one document may expand: enough for anchors, too few for a "billion laughs". */
const MAX_ALIASES = 100

/**
 * Parse `text` (the content of `file`) keeping positions. A syntax error, a duplicate key or
 * too many aliases throws {@link YamlSyntaxError} at the parser's line and column.
 */
export function parseYamlWithPositions (text: string, file: string): PositionedYaml {
  const lineCounter = new LineCounter()
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: 'core' })
  const first = doc.errors[0]
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0])
    throw new YamlSyntaxError(file, pos.line, pos.col, `YAML syntax error: ${first.message.split('\n')[0] ?? first.code}`, { cause: first })
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (err) {
    throw new YamlSyntaxError(file, 1, 1, `YAML error: ${(err as Error).message}`, { cause: err })
  }

  const pairOf = (node: Node | null | undefined, key: string | number): Pair | undefined => {
    if (!isMap(node)) return undefined
    return node.items.find(p => isScalar(p.key) && String(p.key.value) === String(key))
  }
  /** The deepest node along `path`, the pair holding the last map step, and whether the path was complete. */
  const walk = (path: YamlPath): { node: Node | undefined; pair: Pair | undefined; complete: boolean; lastKey: Node | undefined } => {
    let node = (doc.contents ?? undefined) as Node | undefined
    let pair: Pair | undefined
    let lastKey: Node | undefined
    for (const step of path) {
      if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step] as Node | undefined
        if (item === undefined) return { node, pair: undefined, complete: false, lastKey }
        node = item
        pair = undefined
        lastKey = item
        continue
      }
      const found = pairOf(node, step)
      if (found === undefined) return { node, pair: undefined, complete: false, lastKey }
      pair = found
      lastKey = found.key as Node
      node = (found.value ?? found.key) as Node
    }
    return { node, pair, complete: true, lastKey }
  }

  const linePos = (node: Node | undefined): { line: number; col: number } => lineCounter.linePos(node?.range?.[0] ?? 0)

  const locate = (path: YamlPath, target: 'value' | 'key' = 'value'): { line: number; col: number } => {
    const { node, pair, complete } = walk(path)
    return linePos(complete && target === 'key' && pair !== undefined ? pair.key as Node : node)
  }

  return {
    value,
    file,
    locate,
    where (path, target = 'value') {
      const pos = locate(path, target)
      return `${file}:${pos.line}:${pos.col}`
    },
    positionOf (path) {
      const { lastKey } = walk(path)
      const pos = linePos(lastKey ?? (doc.contents ?? undefined) as Node | undefined)
      return `${pos.line}:${pos.col}`
    },
    keysAsWritten (path) {
      const { node, complete } = walk(path)
      if (!complete || !isMap(node)) return []
      const out: Array<{ written: string; key: string }> = []
      for (const p of node.items) {
        if (!isScalar(p.key)) continue
        const key = String(p.key.value)
        out.push({ written: typeof p.key.source === 'string' ? p.key.source : key, key })
      }
      return out
    },
    scalarAsWritten (path) {
      const { node, complete } = walk(path)
      if (!complete || !isScalar(node)) return undefined
      return typeof node.source === 'string' ? node.source : String(node.value)
    },
  }
}

/** `agencies[0].source.baseUrl` from ['agencies', 0, 'source', 'baseUrl'] — how an administrator reads a path. */
export function formatPath (path: YamlPath): string {
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
