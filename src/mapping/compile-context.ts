/**
 * What the parts of the mapping compiler share: where a rule runs (its scope), the shape of
 * a compiled step, the context of the file being compiled, and how a compile error is
 * raised — always at a `file:line:col` of the mapping file.
 */
import { MappingFileError } from '../errors.js'
import { textOf, type TextParam, type TextParams } from '../i18n/texts.js'
import type { MessageKey } from '../i18n/translate.js'
import type { PositionedYaml, YamlPath } from '../yaml/positions.js'
import type { Expression } from './expressions.js'
import type { CodeTable } from './tables.js'
import type { MappingProblem } from './types.js'

export type { PositionedYaml, YamlPath }

/** Where a rule runs: pointer and source prefixes of the current list element ('' at the top). */
export interface Scope {
  /** e.g. "/parties/0" */
  readonly canon: string
  /** e.g. "DSR[0]." */
  readonly source: string
  /** Values of the mapping's expressions for this record, by slot (see expressions.ts). */
  readonly computed: readonly unknown[]
}

export const ROOT_SCOPE: Scope = Object.freeze({ canon: '', source: '', computed: Object.freeze([]) })

/** One compiled rule, run once per record (or list element). */
export type Step = (record: Record<string, unknown>, out: Record<string, unknown>, scope: Scope, problems: MappingProblem[]) => void

/** What {@link CompiledMapping.sourceFieldFor} needs to know about a rule. */
export interface RuleSource {
  readonly pointer: string
  /** Source path(s) as written (`from`, `each`, the fields of `concat`…); undefined for constants. */
  readonly source: string | undefined
  /** For `each` rules, the rules of one element. */
  readonly element?: readonly RuleSource[]
  /** For `each: .`: the element is the record itself, its fields are the record's. */
  readonly self?: boolean
}

/** A source field compared with a code in a `when:` condition, remembered to check it against code tables. */
export interface CodeUse {
  readonly field: string
  readonly code: string
  readonly path: YamlPath
}

/** A source field converted by a code table, remembered to check codes used in conditions. */
export interface TableUse {
  readonly field: string
  readonly table: CodeTable
}

/** A canonical pointer a code table writes to, remembered to check the table's values against the case schema. */
export interface TableTarget {
  /** With "/0" for list elements, e.g. "/penalties/0/kind". */
  readonly pointer: string
  readonly table: CodeTable
  readonly path: YamlPath
}

/** What the rule compiler needs from the file as a whole, and what it collects for later checks. */
export interface RuleContext {
  readonly doc: PositionedYaml
  readonly tables: ReadonlyMap<string, CodeTable>
  /** UTC offset for dates, e.g. "+08:00". */
  readonly offset: string
  /** Expressions found so far; a rule's slot is its index here. */
  readonly expressions: Expression[]
  /** False only to measure the expression guard's cost (test/bench/mapping.ts). */
  readonly guardExpressions: boolean
  readonly tableTargets: TableTarget[]
}

/** Per `fields:` map (the top level, or one `each` element): what its rules read and test. */
export interface FieldsScope {
  readonly codeUses: CodeUse[]
  readonly tableUses: TableUse[]
  /** Whether expressions are allowed here (only at the top level, see expressions.ts). */
  readonly topLevel: boolean
}

/** Refuse the file at `path` with a text in English only (target profiles, whose texts have no keys yet). */
export function fail (doc: PositionedYaml, path: YamlPath, text: string, at: 'value' | 'key' = 'value'): never {
  throw new MappingFileError(doc.where(path, at), text)
}

/** Refuse the mapping file at `path`, with a text each reader words in their language (keys `mapping.*`). */
export function refuse (doc: PositionedYaml, path: YamlPath, key: MessageKey, params: TextParams = {}, at: 'value' | 'key' = 'value'): never {
  throw new MappingFileError(doc.where(path, at), textOf(key, params))
}

export const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)

export const allowed = (names: Iterable<string>): string => {
  const list = [...names]
  return list.length === 0 ? '(none defined)' : list.join(', ')
}

/** {@link allowed} as a parameter of a text: the names in the reader's list style. */
export const allowedNames = (names: Iterable<string>): TextParam => {
  const list = [...names]
  return list.length === 0 ? textOf('mapping.noneDefined') : list
}

/** A fresh copy per record for objects and lists, so no two cases share mutable state. */
export function valueFactory (value: unknown): () => unknown {
  if (typeof value !== 'object' || value === null) return () => value
  const json = JSON.stringify(value)
  return () => JSON.parse(json) as unknown
}
