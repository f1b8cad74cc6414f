/**
 * Which values the canonical case schema allows at a pointer, when it says (an `enum` or a
 * `const`, e.g. /status or /penalties/0/kind): a code table whose value is not among them
 * would quarantine every record carrying that code, so the compiler refuses it at load time,
 * at the line of the value. Read from schemas/case.schema.json once.
 */
import { readFileSync } from 'node:fs'
import { MappingFileError } from '../errors.js'
import { textOf } from '../i18n/texts.js'
import { schemaPath } from '../paths.js'
import type { TableTarget } from './compile-context.js'
import { pointerSegments } from './pointer.js'
import type { TableValue } from './tables.js'

type Node = Record<string, unknown>
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

let root: Node | undefined

function caseSchema (): Node {
  root ??= JSON.parse(readFileSync(schemaPath('case.schema.json'), 'utf8')) as Node
  return root
}

function resolve (node: unknown): Node | undefined {
  if (isNode(node) && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    let target: unknown = caseSchema()
    for (const seg of node.$ref.slice(2).split('/')) target = isNode(target) ? target[seg] : undefined
    return resolve(target)
  }
  return isNode(node) ? node : undefined
}

/** The node and the alternatives it stands for (oneOf/anyOf members), resolved. */
function alternatives (node: Node): Node[] {
  const out: Node[] = [node]
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = node[key]
    if (Array.isArray(list)) for (const member of list) { const r = resolve(member); if (r !== undefined) out.push(...alternatives(r)) }
  }
  return out
}

/**
 * The values allowed at `pointer` ("/0" segments stand for list elements), or `undefined`
 * when the schema does not restrict them to a fixed set (or does not know the pointer).
 */
export function allowedCanonicalValues (pointer: string): readonly TableValue[] | undefined {
  let nodes: Node[] = [caseSchema()]
  for (const segment of pointerSegments(pointer)) {
    const next: Node[] = []
    for (const node of nodes.flatMap(alternatives)) {
      const child = /^\d+$/.test(segment) ? node.items : (isNode(node.properties) ? node.properties[segment] : undefined)
      const r = resolve(child)
      if (r !== undefined) next.push(r)
    }
    if (next.length === 0) return undefined
    nodes = next
  }
  const values: TableValue[] = []
  for (const node of nodes.flatMap(alternatives)) {
    if ('const' in node) values.push(node.const as TableValue)
    else if (Array.isArray(node.enum)) values.push(...node.enum as TableValue[])
  }
  // Only a set every alternative fixes is a restriction; one open alternative allows anything.
  const open = nodes.flatMap(alternatives).filter(n => !('const' in n) && !Array.isArray(n.enum) && n.oneOf === undefined && n.anyOf === undefined)
  return values.length === 0 || open.length > 0 ? undefined : values
}

/** Throws a MappingFileError at the first table value the case schema does not allow where the table writes. */
export function checkTableTargets (targets: readonly TableTarget[]): void {
  for (const { pointer, table } of targets) {
    const allowed = allowedCanonicalValues(pointer)
    if (allowed === undefined) continue
    const shown = pointer.replace(/\/\d+(?=\/|$)/g, '/*')
    for (const [code, value] of table.codes) {
      if (allowed.includes(value)) continue
      throw new MappingFileError(table.valueAt.get(code) ?? table.definedAt, textOf('mapping.table.valueNotAllowed', { table: table.name, code, value: JSON.stringify(value), pointer: shown, allowed: allowed.map(String) }))
    }
    if (table.unknown === 'default' && table.fallback !== undefined && !allowed.includes(table.fallback)) {
      throw new MappingFileError(table.definedAt, textOf('mapping.table.defaultNotAllowed', { table: table.name, value: JSON.stringify(table.fallback), pointer: shown, allowed: allowed.map(String) }))
    }
  }
}
