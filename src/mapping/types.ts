/**
 * The mapping step as the core sees it: a compiled mapping turns one raw agency record into
 * one canonical case, or says precisely why it cannot. How a mapping file is written is in
 * mappings/README.md; how it is compiled is in compile.ts.
 */
import type { InputOptions } from '../formats/input-options.js'

/** One declared absence (`absent:` in a mapping file): the canonical field and the administrator's note. */
export interface AbsentField { readonly field: string; readonly note: string }

/** One thing wrong with one record, phrased for an administrator. */
export interface MappingProblem {
  /** Where in the raw record, e.g. "LASJ" or "DSR[0].ZJHM"; absent for whole-record problems. */
  sourceField?: string
  /** JSON pointer in the canonical case, e.g. "/dates/filed", "/parties/0/idNumber". */
  canonicalField: string
  /** The rule that failed, e.g. "date:yyyyMMdd", "table:status", "required". */
  rule: string
  /** English, says what was expected; never contains the raw value. */
  message: string
  /** The offending value, masked if personal (ID numbers, person names): first 3 and last 2 characters kept, others '*'. */
  value?: string
}

/**
 * What {@link CompiledMapping.map} made of one record. `caseNumber` is read from the file's
 * `caseNumberField` (trimmed) whatever the outcome, so a failed or skipped record can be
 * named in reports; it is `undefined` only when the record has none.
 */
export type MapOutcome =
  | { kind: 'mapped'; caseNumber: string | undefined; value: Record<string, unknown> }
  | { kind: 'failed'; caseNumber: string | undefined; problems: MappingProblem[] }
  | { kind: 'skipped'; caseNumber: string | undefined; rule: string }

/**
 * One agency's mapping file, compiled. Immutable and safe to share; `map` keeps no state
 * between calls. What it does not do: validate the result against the canonical schema
 * (that is `validateCase`'s job, after mapping), or read anything but the record it is given.
 */
export interface CompiledMapping {
  /** Agency id as used in hub config, from the file. */
  readonly agency: string
  /** `version:` from the file (the ledger records it per case). */
  readonly version: string
  /** Absolute path it was loaded from. */
  readonly file: string
  /** Every file it was compiled from: the mapping file first, then the shared code tables it uses (absolute). */
  readonly files: readonly string[]
  /**
   * Whether the file has `expr:` rules. JSONata evaluates asynchronously, so such a mapping
   * can only be run with {@link CompiledMapping.mapAsync}; {@link CompiledMapping.map} throws.
   */
  readonly usesExpressions: boolean
  /** How the agency's raw data is read (encoding, file format); `input:` in the file. */
  readonly input: InputOptions
  /** `absent:` in the file: expected canonical fields the agency's system does not have, with the administrator's note. */
  readonly absent: readonly AbsentField[]
  /** The same fields as a set, for completenessGaps (src/schema/completeness.ts). */
  readonly absentFields: ReadonlySet<string>
  /**
   * Map one raw record. Never throws for bad data: every problem of the record is collected
   * (one bad field does not hide the others) and returned as a `failed` outcome. The returned
   * value is a fresh object the caller may keep or modify. Throws (a programming error) when
   * the mapping {@link CompiledMapping.usesExpressions}.
   */
  map (raw: Record<string, unknown>): MapOutcome
  /** {@link CompiledMapping.map} for every mapping, including those with expressions. Never rejects for bad data. */
  mapAsync (raw: Record<string, unknown>): Promise<MapOutcome>
  /**
   * Evaluate each expression once on an empty record; rejects with a MappingFileError at the
   * first one a limit (time, depth, size) stops even then — such a mapping is refused when loaded.
   */
  checkExpressions (): Promise<void>
  /**
   * The source field a canonical JSON pointer was mapped from, for error reports of later
   * validation failures ("/parties/0/idNumber" → "DSR[0].ZJHM"). `undefined` for constants
   * and for pointers no rule produces. Elements of `each` lists are always written with an
   * index, even when the source held a single object instead of a list.
   */
  sourceFieldFor (canonicalPointer: string): string | undefined
}
