/**
 * The shape of a mapping file once it has passed schemas/mapping.schema.json — what the
 * compiler reads. Kept beside the schema by hand for now (the language is small); the
 * generator in src/schema/generate-types.ts can take it over when the language grows.
 */

export interface MappingSpec {
  version: string
  agency: string
  /** @defaultValue "+08:00" (filled in from the schema) */
  timezone: string
  caseNumberField: string
  skip?: Record<string, ConditionEntry>
  constants?: Record<string, unknown>
  tables?: Record<string, TableEntry>
  fields: Record<string, RuleEntry>
}

export interface ConditionEntry {
  field: string
  equals?: string | number | boolean
  in?: Array<string | number | boolean>
  present?: boolean
}

export interface TableEntry {
  codes: Record<string, string | number | boolean>
  unknown: 'reject' | 'pass' | 'default'
  default?: string | number | boolean
}

export interface ValueRuleEntry {
  from?: string
  const?: unknown
  when?: ConditionEntry
  text?: string[]
  split?: string
  date?: string
  money?: string
  table?: string
  parse?: string
  as?: string
  required?: boolean
  default?: unknown
  personal?: boolean
}

export interface EachRuleEntry {
  each: string
  fields: Record<string, RuleEntry>
  when?: ConditionEntry
  required?: boolean
  default?: unknown
}

export type RuleEntry = ValueRuleEntry | EachRuleEntry

export const isEachRule = (rule: RuleEntry): rule is EachRuleEntry => 'each' in rule
