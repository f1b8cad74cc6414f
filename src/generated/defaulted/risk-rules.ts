// generated from schemas/risk-rules.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * An amount in yuan as a string with exactly two decimals, like the canonical money, e.g. "50000.00" (quote it).
 *
 * This interface was referenced by `RiskRules`'s JSON-Schema
 * via the `definition` "money".
 */
export type RiskMoney = string
/**
 * A milestone: dates.filed, dates.decided, dates.closed, transfer.transferDate, or suspectedCrimeSeen (when the hub first saw a version of the case flagged suspectedCrime — the hub's observation, not the source's date).
 *
 * This interface was referenced by `RiskRules`'s JSON-Schema
 * via the `definition` "milestone".
 */
export type Milestone =
  'dates.filed' | 'dates.decided' | 'dates.closed' | 'transfer.transferDate' | 'suspectedCrimeSeen'

/**
 * The transfer-risk rules file (mappings/transfer-risk.yaml, config risk.rulesFile): criminal filing thresholds per case cause and handling time limits, maintained by operators. Findings computed from it are to review (待核查), never a legal judgement. See mappings/README.md.
 */
export interface RiskRules {
  /**
   * near_threshold: a case at or above this share of its cause's threshold (0 to 1), not transferred.
   */
  nearShare: number
  /**
   * repeat_party: the same party (by keyed hash of its ID number or credit code) penalised twice or more, by one agency or several.
   */
  repeatParty: {
    /**
     * Two penalties count as a repeat when their decision dates lie at most this many days apart.
     */
    windowDays: number
  }
  /**
   * Criminal filing thresholds, one entry per case cause.
   *
   * @maxItems 500
   */
  thresholds: ThresholdRule[]
  /**
   * Handling time limits (办案时限): a deadline from one milestone to another.
   *
   * @maxItems 200
   */
  timeLimits: TimeLimitRule[]
}
/**
 * This interface was referenced by `RiskRules`'s JSON-Schema
 * via the `definition` "threshold".
 */
export interface ThresholdRule {
  /**
   * Names the rule in findings: lowercase letters, digits and '-'.
   */
  id: string
  /**
   * The rule applies to a case whose classification.cause contains any of these texts (plain substrings, case-sensitive, no patterns).
   *
   * @minItems 1
   * @maxItems 50
   */
  causeContains: string[]
  /**
   * Only cases of this field of enforcement (classification.field); absent: any field.
   */
  field?:
    | 'market_regulation'
    | 'ecology_environment'
    | 'urban_management'
    | 'tax'
    | 'tobacco'
    | 'land_resources'
    | 'agriculture'
    | 'health'
    | 'transport'
    | 'culture_tourism'
    | 'emergency_management'
    | 'other'
  threshold: RiskMoney
  /**
   * Which canonical amount the threshold applies to.
   */
  amount: 'involved' | 'illegalGains' | 'fine'
  /**
   * The standard and article the threshold was copied from, e.g. 立案追诉标准（一）第七十一条.
   */
  citation: string
  /**
   * True for the shipped examples: check them against the current standard before relying on them.
   */
  example: boolean
}
/**
 * This interface was referenced by `RiskRules`'s JSON-Schema
 * via the `definition` "timeLimit".
 */
export interface TimeLimitRule {
  /**
   * Names the limit in findings: lowercase letters, digits and '-'.
   */
  id: string
  /**
   * Only cases of this procedure (classification.procedure); absent: any procedure. A case whose procedure is not recorded is judged only by limits without one.
   */
  procedure?: 'general' | 'summary'
  /**
   * Only these agencies (ids of the hub config); absent: all.
   *
   * @minItems 1
   */
  agencies?: string[]
  from: Milestone
  to: Milestone
  /**
   * Calendar days from `from` by which `to` is due.
   */
  days: number
  /**
   * time_limit_warning this many days before the deadline (0: no warning).
   */
  warnDays: number
  /**
   * Where the limit comes from.
   */
  citation?: string
  /**
   * True for the shipped examples: check them locally.
   */
  example: boolean
}
