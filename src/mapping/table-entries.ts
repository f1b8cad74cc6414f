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
import { textOf } from '../i18n/texts.js'
import { refuse } from './compile-context.js'
import { fileUnderRoot, mappingsRootOf, relativeToRoot } from './mappings-root.js'
import { checkTableFileStructure } from './schema-check.js'
import { codeTable, type CodeTable, type TableValue, type UnknownCodeRule } from './tables.js'

const isShared = (entry: TableEntry): entry is SharedTableReference => 'file' in entry

/** Parse mapping-language YAML, turning a syntax error into a MappingFileError at its position. */
export function parseMappingYaml (text: string, file: string): PositionedYaml {
  try {
    return parseYamlWithPositions(text, file)
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new MappingFileError(`${err.file}:${err.line}:${err.column}`, textOf('mapping.yamlSyntax', { detail: err.detail }), { cause: err })
    throw err
  }
}

/** Codes as written (an unquoted 01 stays "01"), each with where its value is written. */
function codesOf (doc: PositionedYaml, path: YamlPath, codes: Record<string, TableValue | undefined>): Array<[string, TableValue, string]> {
  return doc.keysAsWritten(path).map(({ written, key }) => [written.trim(), codes[key]!, doc.where([...path, key])])
}

function checkUnknownRule (doc: PositionedYaml, path: YamlPath, name: string, unknown: UnknownCodeRule, fallback: TableValue | undefined, defaultPath: YamlPath): void {
  if (unknown === 'default' && fallback === undefined) refuse(doc, [...path, 'unknown'], 'mapping.table.defaultMissing', { table: name })
  if (unknown !== 'default' && fallback !== undefined) refuse(doc, defaultPath, 'mapping.table.defaultUnused', { table: name, unknown }, 'key')
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
    refuse(doc, [...path, 'file'], 'mapping.table.fileRefused', { reason: err instanceof MappingFileError && typeof err.text !== 'string' ? err.text : (err as Error).message })
  }
  // Known before reading, so a watcher also sees the file appear when it is missing now.
  files.add(file)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    refuse(doc, [...path, 'file'], 'mapping.table.fileUnreadable', { file: relativeToRoot(root, file), reason: (err as NodeJS.ErrnoException).code ?? String(err) })
  }
  const shared = parseMappingYaml(text, file)
  const spec = checkTableFileStructure(shared)
  // The mapping's own unknown/default win over the file's: the file lists codes, the agency decides.
  const unknown = entry.unknown ?? spec.unknown
  if (unknown === undefined) refuse(doc, path, 'mapping.table.unknownRuleMissing', { table: name, file: entry.file })
  if (spec.default !== undefined && spec.unknown !== undefined && spec.unknown !== 'default') {
    refuse(shared, ['default'], 'mapping.table.sharedDefaultUnused', { unknown: spec.unknown }, 'key')
  }
  let fallback: TableValue | undefined
  if (entry.default !== undefined) {
    if (unknown !== 'default') refuse(doc, [...path, 'default'], 'mapping.table.defaultAgainstRule', { table: name, unknown }, 'key')
    fallback = entry.default
  } else if (unknown === 'default') {
    fallback = spec.default
    if (fallback === undefined) {
      if (entry.unknown !== undefined) refuse(doc, [...path, 'unknown'], 'mapping.table.defaultMissingBoth', { table: name, file: entry.file })
      refuse(shared, ['unknown'], 'mapping.table.sharedDefaultMissing')
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
