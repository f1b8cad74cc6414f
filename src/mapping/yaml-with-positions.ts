import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { Document, Node, Pair } from 'yaml'
import { MappingFileError } from '../errors.js'

/** A path into the parsed document: map keys and list indexes. */
export type YamlPath = readonly (string | number)[]

/**
 * A parsed YAML document that can say where each value was written, so every complaint
 * about a mapping file reads `file:line:col: …` — administrators edit these files by hand.
 */
export interface PositionedYaml {
  /** The document as plain JSON-like data. */
  readonly value: unknown
  /**
   * Line and column (1-based) of the value at `path`, or of its key when `at` is 'key'.
   * A path that goes deeper than the document is reported at the nearest existing node.
   */
  locate (path: YamlPath, at?: 'value' | 'key'): { line: number; col: number }
  /** `file:line:col` of {@link PositionedYaml.locate}, the prefix of every message about the file. */
  where (path: YamlPath, at?: 'value' | 'key'): string
  /**
   * The keys of the map at `path` as written in the file, paired with the key the plain
   * data uses. YAML reads an unquoted `01` as the number 1; a code table must see "01".
   */
  keysAsWritten (path: YamlPath): Array<{ written: string; key: string }>
  /** A scalar at `path` as written (`01` stays "01"); `undefined` if it is not a scalar. */
  scalarAsWritten (path: YamlPath): string | undefined
}

/**
 * Parse `text` (the content of `file`) keeping positions. A syntax error, a duplicate key or
 * too many aliases throws {@link MappingFileError} at the parser's line and column.
 */
export function parseYamlWithPositions (text: string, file: string): PositionedYaml {
  const lineCounter = new LineCounter()
  // The core schema only builds plain data: no custom tags, nothing a file could execute.
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: 'core' })
  const at = (offset: number): string => {
    const pos = lineCounter.linePos(offset)
    return `${file}:${pos.line}:${pos.col}`
  }
  const first = doc.errors[0]
  if (first !== undefined) {
    throw new MappingFileError(`${at(first.pos[0])}: YAML syntax error: ${first.message.split('\n')[0] ?? first.code}`, { cause: first })
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    throw new MappingFileError(`${at(0)}: YAML error: ${(err as Error).message}`, { cause: err })
  }

  const pairOf = (node: Node | null | undefined, key: string | number): Pair | undefined => {
    if (!isMap(node)) return undefined
    return node.items.find(p => isScalar(p.key) && String(p.key.value) === String(key))
  }
  /** The deepest node along `path`, and the pair holding the last step when it was a map key. */
  const walk = (path: YamlPath): { node: Node | undefined; pair: Pair | undefined; complete: boolean } => {
    let node = (doc.contents ?? undefined) as Node | undefined
    let pair: Pair | undefined
    for (const step of path) {
      if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step] as Node | undefined
        if (item === undefined) return { node, pair: undefined, complete: false }
        node = item
        pair = undefined
        continue
      }
      const found = pairOf(node, step)
      if (found === undefined) return { node, pair: undefined, complete: false }
      pair = found
      node = (found.value ?? found.key) as Node
    }
    return { node, pair, complete: true }
  }

  const locate = (path: YamlPath, target: 'value' | 'key' = 'value'): { line: number; col: number } => {
    const { node, pair, complete } = walk(path)
    const chosen = complete && target === 'key' && pair !== undefined ? pair.key as Node : node
    return lineCounter.linePos(chosen?.range?.[0] ?? 0)
  }

  return {
    value,
    locate,
    where (path, target = 'value') {
      const pos = locate(path, target)
      return `${file}:${pos.line}:${pos.col}`
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
