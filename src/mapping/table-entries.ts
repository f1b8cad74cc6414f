/**
 * The `tables:` section → compiled {@link CodeTable}s. A table is written in the mapping
 * file (`codes`, `unknown`), or shared in a file several mappings use (`file:
 * tables/penalty-kinds.yaml`), which may leave the unknown-code rule to each mapping. Shared
 * files are read while compiling — once per load, never per record — and are reported with
 * their own `file:line:col`; the hub watches them like the mapping file itself.
 */
import { readFileSync } from 'node:fs'
import { MappingFileError, YamlSyntaxError } from '../errors.js'
import type { AgencyMapping, CodeTable as CodeTableEntry, SharedTableReference, TableEntry } from '../generated/mapping.js'
import { parseYamlWithPositions, type PositionedYaml, type YamlPath } from '../yaml/positions.js'
import { fail } from './compile-context.js'
import { fileUnderRoot, mappingsRootOf, relativeToRoot } from './mappings-root.js'
import { checkTableFileStructure } from './schema-check.js'
import { codeTable, type CodeTable, type TableValue, type UnknownCodeRule } from './tables.js'

const isShared = (entry: TableEntry): entry is SharedTableReference => 'file' in entry

/** Parse mapping-language YAML, turning a syntax error into a MappingFileError at its position. */
export function parseMappingYaml (text: string, file: string): PositionedYaml {
  try {
    return parseYamlWithPositions(text, file)
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new MappingFileError(err.message, { cause: err })
    throw err
  }
}

/** Codes as written (an unquoted 01 stays "01"), each with where its value is written. */
function codesOf (doc: PositionedYaml, path: YamlPath, codes: Record<string, TableValue | undefined>): Array<[string, TableValue, string]> {
  return doc.keysAsWritten(path).map(({ written, key }) => [written.trim(), codes[key]!, doc.where([...path, key])])
}

function checkUnknownRule (doc: PositionedYaml, path: YamlPath, name: string, unknown: UnknownCodeRule, fallback: TableValue | undefined, defaultPath: YamlPath): void {
  if (unknown === 'default' && fallback === undefined) fail(doc, [...path, 'unknown'], `table ${name} says unknown: default but has no default: value`)
  if (unknown !== 'default' && fallback !== undefined) fail(doc, defaultPath, `table ${name} has a default: but says unknown: ${unknown}; write unknown: default to use it`, 'key')
}

function inlineTable (doc: PositionedYaml, name: string, entry: CodeTableEntry): CodeTable {
  const path = ['tables', name]
  checkUnknownRule(doc, path, name, entry.unknown, entry.default, [...path, 'default'])
  return codeTable({ name, codes: codesOf(doc, [...path, 'codes'], entry.codes), unknown: entry.unknown, fallback: entry.default, definedAt: doc.where([...path, 'codes'], 'key') })
}

function sharedTable (doc: PositionedYaml, name: string, entry: SharedTableReference, files: Set<string>): CodeTable {
  const path = ['tables', name]
  const root = mappingsRootOf(doc.file)
  let file: string
  try {
    file = fileUnderRoot(root, entry.file)
  } catch (err) {
    fail(doc, [...path, 'file'], `shared table file refused: ${(err as Error).message}`)
  }
  // Known before reading, so a watcher also sees the file appear when it is missing now.
  files.add(file)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    fail(doc, [...path, 'file'], `cannot read the shared table file ${relativeToRoot(root, file)} in the mappings folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  const shared = parseMappingYaml(text, file)
  const spec = checkTableFileStructure(shared)
  // The mapping's own unknown/default win over the file's: the file lists codes, the agency decides.
  const unknown = entry.unknown ?? spec.unknown
  if (unknown === undefined) fail(doc, path, `table ${name}: neither this entry nor ${entry.file} says what to do with unknown codes (add unknown: reject, pass or default here)`)
  if (spec.default !== undefined && spec.unknown !== undefined && spec.unknown !== 'default') {
    fail(shared, ['default'], `this table has a default: but says unknown: ${spec.unknown}; write unknown: default to use it`, 'key')
  }
  let fallback: TableValue | undefined
  if (entry.default !== undefined) {
    if (unknown !== 'default') fail(doc, [...path, 'default'], `table ${name} has a default: but its unknown rule is ${unknown}; write unknown: default to use it`, 'key')
    fallback = entry.default
  } else if (unknown === 'default') {
    fallback = spec.default
    if (fallback === undefined) {
      if (entry.unknown !== undefined) fail(doc, [...path, 'unknown'], `table ${name} says unknown: default but neither it nor ${entry.file} has a default: value`)
      fail(shared, ['unknown'], 'this table says unknown: default but has no default: value')
    }
  }
  return codeTable({ name, codes: codesOf(shared, ['codes'], spec.codes), unknown, fallback, definedAt: shared.where(['codes'], 'key') })
}

/**
 * Every table of the file, by name. `files` receives the absolute path of each shared table
 * file read, so the caller can watch them.
 */
export function compileTables (doc: PositionedYaml, spec: AgencyMapping, files: Set<string>): Map<string, CodeTable> {
  const tables = new Map<string, CodeTable>()
  for (const [name, entry] of Object.entries(spec.tables ?? {})) {
    if (entry === undefined) continue
    tables.set(name, isShared(entry) ? sharedTable(doc, name, entry, files) : inlineTable(doc, name, entry))
  }
  return tables
}
