// generated from schemas/case.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * An amount in yuan (元) as a string with exactly two decimals, no sign, no separators, e.g. "1500.00": exact, never a float. Sources that store fen (分) are converted by their mapping.
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "money".
 */
export type Money = string
/**
 * An RFC 3339 date-time with an explicit UTC offset, e.g. 2024-01-31T09:30:00+08:00, with a fraction of up to six digits (microseconds, as databases keep them); a local time without offset is ambiguous and refused.
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "dateTime".
 */
export type DateTime = string
/**
 * A party to the case (当事人), told apart by `kind`.
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "party".
 */
export type Party = Person | Organisation

/**
 * One administrative law-enforcement case (行政处罚案件) in the hub's canonical form: what every agency mapping produces and every platform target consumes. Money decision: every amount is a JSON string in yuan (元) with exactly two decimals, no sign and no separators (e.g. "1500.00"), so it is exact and never a binary float; sources that store integer fen (分) are converted by their mapping. Three tiers: identity (`required`: the case cannot be identified or delivered without it; missing → quarantine), expected (`x-completeness`: missing → delivered, counted as a gap) and contradictions (a transfer date on a case flagged not a suspected crime here; dates out of order in src/schema/contradictions.ts: refused with the rule). Cross-field rules constrain values but not the shape, so the generated TypeScript types do not carry them.
 */
export interface CanonicalCase {
  /**
   * Version of this canonical schema; bumped on any incompatible change.
   */
  schemaVersion: 1
  agency: Agency
  /**
   * The agency's own case number (案件编号), unique within the agency; no control characters.
   */
  caseNumber: string
  /**
   * Six-digit administrative division code (行政区划代码) of the place the case belongs to.
   */
  regionCode?: string
  classification?: Classification
  /**
   * Parties to the case (当事人): natural persons or organisations; at least one.
   *
   * @minItems 1
   * @maxItems 200
   */
  parties: Party[]
  /**
   * Facts summary (案情摘要).
   */
  factsSummary?: string
  /**
   * Penalties imposed (处罚种类); empty while none is decided.
   *
   * @maxItems 20
   */
  penalties?: Penalty[]
  amounts?: Amounts
  dates?: CaseDates
  /**
   * Case status: filed (立案), investigating (调查), decided (处罚决定), closed (结案), transferred (移送), withdrawn (撤销).
   */
  status: 'filed' | 'investigating' | 'decided' | 'closed' | 'transferred' | 'withdrawn'
  /**
   * Transfer to criminal justice (移送); the suspected-crime flag is expected, absent when the source has no such column.
   */
  transfer?: Transfer
  /**
   * Attached documents, as references with checksums (e.g. the penalty decision document 处罚决定书).
   *
   * @maxItems 100
   */
  attachments?: Attachment[]
  /**
   * When the agency system last changed the record.
   */
  sourceUpdatedAt?: DateTime
  /**
   * Fields the hub derived from other fields of this case by a rule true by construction (the mapping's derive:), not read from the agency's system: each with the rule's name. Absent when none.
   *
   * @maxItems 20
   */
  derived?: DerivedField[]
}
/**
 * The administrative law-enforcement agency that handles the case (行政执法机关).
 */
export interface Agency {
  /**
   * The agency's 18-character unified social credit code (统一社会信用代码), GB 32100-2015 with a valid check character.
   */
  code: string
  /**
   * The agency's full name (机关名称), e.g. 沛县市场监督管理局.
   */
  name: string
}
/**
 * What kind of case this is: field of enforcement, procedure, cause and legal basis.
 */
export interface Classification {
  /**
   * Field of enforcement (执法领域).
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
  /**
   * Procedure: general (一般程序) or summary (简易程序).
   */
  procedure?: 'general' | 'summary'
  /**
   * Case cause (案由): the alleged violation in words.
   */
  cause?: string
  /**
   * Legal basis (违法依据 / 处罚依据): the laws and articles relied on.
   *
   * @maxItems 50
   */
  legalBasis?: LegalBasis[]
}
/**
 * Money amounts of the case, each in yuan as an exact two-decimal string.
 */
export interface Amounts {
  /**
   * Fine amount (罚款金额).
   */
  fine?: Money
  /**
   * Amount involved in the case (涉案金额).
   */
  involved?: Money
  /**
   * Illegal gains (违法所得).
   */
  illegalGains?: Money
}
/**
 * Milestones of the case, each a date-time with an explicit UTC offset.
 */
export interface CaseDates {
  /**
   * When the case was filed (立案时间).
   */
  filed?: DateTime
  /**
   * When the penalty was decided (处罚决定时间).
   */
  decided?: DateTime
  /**
   * When the case was closed (结案时间).
   */
  closed?: DateTime
  /**
   * When the case was entered into the agency system (录入时间).
   */
  entered?: DateTime
}
export interface DerivedField {
  /**
   * The canonical field (JSON pointer), e.g. /regionCode.
   */
  field: string
  /**
   * The derivation rule, e.g. regionFromAgencyCode (mappings/README.md).
   */
  rule: string
}
/**
 * One law (and optionally the article) the case relies on.
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "legalBasis".
 */
export interface LegalBasis {
  /**
   * Name of the law or regulation (法律法规名称).
   */
  law: string
  /**
   * Article, clause or item (条款项), e.g. 第六十条第一款.
   */
  article?: string
}
/**
 * A natural person (自然人). Name and ID number are personal data: mask them in logs.
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "person".
 */
export interface Person {
  /**
   * Party kind: a natural person.
   */
  kind: 'person'
  /**
   * The person's name (姓名).
   */
  name: string
  /**
   * Resident ID card number (公民身份号码 / 身份证号): 18 characters, ISO 7064 MOD 11-2 check character (uppercase X allowed).
   */
  idNumber: string
}
/**
 * An organisation: company, individual business or other unit (单位).
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "organisation".
 */
export interface Organisation {
  /**
   * Party kind: an organisation.
   */
  kind: 'organisation'
  /**
   * The organisation's registered name (单位名称).
   */
  name: string
  /**
   * The organisation's unified social credit code (统一社会信用代码), GB 32100-2015.
   */
  creditCode: string
  /**
   * Legal representative (法定代表人).
   */
  legalRepresentative?: string
}
/**
 * One penalty imposed (处罚种类).
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "penalty".
 */
export interface Penalty {
  /**
   * Penalty kind: warning (警告), fine (罚款), confiscation of illegal gains (没收违法所得), confiscation of illegal property (没收非法财物), order to suspend production or business (责令停产停业), suspension of a licence (暂扣许可证), revocation of a licence (吊销许可证), administrative detention (行政拘留), other.
   */
  kind:
    | 'warning'
    | 'fine'
    | 'confiscate_illegal_gains'
    | 'confiscate_illegal_property'
    | 'suspend_production'
    | 'suspend_licence'
    | 'revoke_licence'
    | 'detention'
    | 'other'
  /**
   * The penalty in the agency's words.
   */
  description?: string
}
/**
 * Transfer to criminal justice (移送): the suspected-crime flag, and when the case was transferred, to whom, and when the procuratorate got its copy. A transfer date on a case flagged as not a suspected crime contradicts itself and is refused; a transfer date without its receiving unit (or the reverse) is a completeness gap (x-completeness), not a refusal.
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "transfer".
 */
export interface Transfer {
  /**
   * Whether the agency found the case to be a suspected crime (涉嫌犯罪).
   */
  suspectedCrime?: boolean
  /**
   * When the case was transferred to public security (移送时间).
   */
  transferDate?: DateTime
  /**
   * The public-security unit that received the transfer (接收单位).
   */
  receivingUnit?: string
  /**
   * When the copy was filed with the procuratorate (抄送检察院 / 备案时间).
   */
  procuratorateCopyDate?: DateTime
}
/**
 * A document attached to the case, by reference and checksum (e.g. 处罚决定书).
 *
 * This interface was referenced by `CanonicalCase`'s JSON-Schema
 * via the `definition` "attachment".
 */
export interface Attachment {
  /**
   * Attachment kind: penalty decision document (处罚决定书), evidence (证据), other.
   */
  kind: 'decision_document' | 'evidence' | 'other'
  /**
   * Where the document can be fetched.
   */
  uri: string
  /**
   * SHA-256 of the document bytes, lowercase hex.
   */
  sha256: string
  /**
   * File name as the agency gave it.
   */
  name?: string
  /**
   * Size of the document in bytes.
   */
  sizeBytes?: number
}
