// generated from schemas/mapping.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * A path into the raw record: field names joined by '.', optionally with [n] list indexes, e.g. AJBH, CFJDS.URL, DSR[0].DSRXM, 当事人列表.当事人.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "sourcePath".
 */
export type SourcePath = string
/**
 * A JSON pointer into the canonical case, e.g. /dates/filed.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "pointer".
 */
export type CanonicalPointer = string
/**
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "scalar".
 */
export type Scalar = string | number | boolean
/**
 * A rule with `each` builds a list of objects; one with `choose` takes the first alternative whose condition holds; any other rule builds one value.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "rule".
 */
export type Rule = EachRule | ChooseRule | ValueRule
/**
 * A source path, or a fixed text written { const: … }.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "concatPart".
 */
export type ConcatPart =
  | SourcePath
  | {
      const: Scalar
    }
/**
 * A code table written here (codes, unknown), or a shared one in a file (file, optionally unknown and default to override the file's).
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "tableEntry".
 */
export type TableEntry = SharedTableReference | CodeTable
/**
 * What to do with a code not in the table: reject (a mapping problem), pass (keep the source text), default (use `default:`).
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "unknownCodeRule".
 */
export type UnknownCodeRule = 'reject' | 'pass' | 'default'

/**
 * One agency's mapping file (mappings/<agency>.yaml): how that agency's raw records become canonical cases. Structure only: names that refer to tables in code (date formats, money units, text transforms, parsers) and to tables in the file are checked by the compiler (src/mapping/compile.ts), which lists the allowed names when one is unknown. See mappings/README.md.
 */
export interface AgencyMapping {
  /**
   * Version of this mapping file, recorded in the ledger with every case it maps, e.g. "2024.1" (quote it).
   */
  version: string
  /**
   * The agency id as used in the hub configuration: lowercase letters, digits and '-', e.g. market-regulation-peixian.
   */
  agency: string
  /**
   * UTC offset of the agency's local dates and times, written like +08:00.
   */
  timezone?: string
  /**
   * Source field holding the agency's case number; reported with every outcome, even a failed one.
   */
  caseNumberField: SourcePath
  input?: InputSection
  /**
   * Named conditions; a record matching one is skipped (not mapped, not sent) and counted as skipped under rule skip:<name>.
   */
  skip?: {
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^[A-Za-z][A-Za-z0-9_]{0,63}$".
     */
    [k: string]: Condition | undefined
  }
  /**
   * Canonical pointer → value set on every case.
   */
  constants?: {
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^(/[^/]+)+$".
     */
    [k: string]: unknown | undefined
  }
  /**
   * Rules the hub fills canonical fields with from other fields of the same case, each true by construction and marked as derived in the case (derived: [{ field, rule }]): regionFromAgencyCode (/regionCode from characters 3–8 of the agency's credit code), suspectedCrimeFromTransfer (/transfer/suspectedCrime true for a transferred case). A rule fills its field only when nothing else set it.
   *
   * @maxItems 20
   */
  derive?: string[]
  /**
   * Canonical fields the agency's system has no column for → a short note (why, since when). Never fill such a field with a stand-in: declare it here. Only expected fields (schemas/case.schema.json x-completeness) can be absent; the hub reports them as the agency's known gaps instead of a gap in every record.
   */
  absent?: {
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^(/[^/]+)+$".
     */
    [k: string]: string | undefined
  }
  /**
   * Code tables: source code → canonical value, each with an explicit rule for unknown codes; written here or shared in a file under mappings/tables/.
   */
  tables?: {
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^[A-Za-z][A-Za-z0-9_]{0,63}$".
     */
    [k: string]: TableEntry | undefined
  }
  fields: FieldRules
}
/**
 * How the agency's exports are read (file drops and `casebridge mapping test`): text encoding, file format, where the records are.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "input".
 */
export interface InputSection {
  /**
   * Text encoding of the agency's files: utf-8 (with or without BOM), gbk or gb18030.
   */
  encoding?: 'utf-8' | 'gbk' | 'gb18030'
  /**
   * File format; unset: taken from the file name's extension (.csv, .json, .ndjson/.jsonl, .xml).
   */
  format?: 'csv' | 'json' | 'ndjson' | 'xml'
  /**
   * XML: dotted path of the repeating record element, e.g. 案件列表.案件.
   */
  xmlRecordPath?: string
  /**
   * CSV: field delimiter, one character.
   */
  csvDelimiter?: string
}
/**
 * Canonical pointer → rule. Inside `each`, pointers are relative to one list element.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "fields".
 */
export interface FieldRules {
  /**
   * This interface was referenced by `FieldRules`'s JSON-Schema definition
   * via the `patternProperty` "^(/[^/]+)+$".
   */
  [k: string]: Rule | undefined
}
/**
 * One value, from exactly one of from, const, concat or expr; then optional clean-ups, one converter, wrapping.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "valueRule".
 */
export interface ValueRule {
  from?: SourcePath
  /**
   * A fixed value instead of `from`.
   */
  const?: unknown
  /**
   * Join several source fields (and fixed texts written { const: … }) into one text; absent fields are left out.
   *
   * @minItems 1
   */
  concat?: ConcatPart[]
  /**
   * With concat: put between the parts that are present.
   */
  separator?: string
  /**
   * A JSONata expression over the record (or list element); sandboxed and time-limited. For the rare case the declarative rules cannot express.
   */
  expr?: string
  when?: Condition
  /**
   * Text clean-ups applied in order, e.g. [trim, upper].
   *
   * @minItems 1
   */
  text?: string[]
  /**
   * Cut the text at this separator into a list; each piece is trimmed, empty pieces are dropped.
   */
  split?: string
  /**
   * Date format of the source, e.g. yyyyMMdd.
   */
  date?: string
  /**
   * Unit of the source amount: yuan, fen or wanyuan.
   */
  money?: string
  /**
   * Name of a code table under `tables:`.
   */
  table?: string
  /**
   * Name of a built-in parser, e.g. legalBasis.
   */
  parse?: string
  /**
   * Wrap the value (each piece of a list) into an object at this relative pointer, e.g. /kind.
   */
  as?: CanonicalPointer
  required?: boolean
  /**
   * Value used when the source is absent (missing, null or empty).
   */
  default?: unknown
  /**
   * Mask this field's values in problem reports (names and ID numbers of parties are masked anyway).
   */
  personal?: boolean
}
/**
 * Conditional value: the first alternative whose `when` holds (an alternative without `when` always holds) gives the value.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "chooseRule".
 */
export interface ChooseRule {
  /**
   * @minItems 1
   */
  choose: ValueRule[]
  required?: boolean
  /**
   * Value used when no alternative gives one.
   */
  default?: unknown
  personal?: boolean
}
/**
 * A list of objects, one per element of a source list (a single object counts as a list of one).
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "eachRule".
 */
export interface EachRule {
  /**
   * The source list (a single object counts as a list of one); "." is the record itself, for flat rows that hold one party in their own columns.
   */
  each: SourcePath | '.'
  fields: FieldRules
  when?: Condition
  required?: boolean
  /**
   * Value used when the source list is absent or empty, e.g. [].
   */
  default?: unknown
}
/**
 * A test on one source field (relative to the current record or list element) with exactly one of equals, notEquals, in, notIn, present, contains, startsWith; or a combination: all, any, not.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "condition".
 */
export interface Condition {
  field?: SourcePath
  equals?: Scalar
  notEquals?: Scalar
  /**
   * @minItems 1
   */
  in?: Scalar[]
  /**
   * @minItems 1
   */
  notIn?: Scalar[]
  present?: boolean
  contains?: string
  startsWith?: string
  /**
   * @minItems 1
   */
  all?: Condition[]
  /**
   * @minItems 1
   */
  any?: Condition[]
  not?: Condition
}
/**
 * Source code → canonical value (text, number or true/false). Codes are matched against the trimmed source text.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "codes".
 */
export interface Codes {
  /**
   * This interface was referenced by `Codes`'s JSON-Schema definition
   * via the `patternProperty` "^\S(.*\S)?$".
   */
  [k: string]: Scalar | undefined
}
/**
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "codeTable".
 */
export interface CodeTable {
  codes: Codes
  unknown: UnknownCodeRule
  default?: Scalar
}
/**
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "sharedTableReference".
 */
export interface SharedTableReference {
  /**
   * The shared table's file, relative to this mapping file and under its folder (the mappings folder), e.g. tables/penalty-kinds.yaml; an absolute path, ".." or a symbolic link leading out is refused.
   */
  file: string
  unknown?: UnknownCodeRule
  default?: Scalar
}
/**
 * A shared code table file (mappings/tables/<name>.yaml), used by several mapping files.
 *
 * This interface was referenced by `AgencyMapping`'s JSON-Schema
 * via the `definition` "tableFile".
 */
export interface SharedTableFile {
  description?: string
  codes: Codes
  unknown?: UnknownCodeRule
  default?: Scalar
}
