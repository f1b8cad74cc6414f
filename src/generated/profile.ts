// generated from schemas/profile.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * A JSON pointer, e.g. /dates/filed or /AJBH.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "pointer".
 */
export type ProfilePointer = string
/**
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "scalar".
 */
export type ProfileScalar = string | number | boolean
/**
 * A secret from the environment, never the secret itself: { env: NAME } or "${NAME}".
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "secret".
 */
export type SecretRef =
  | {
      env: string
    }
  | string
/**
 * a value rule (from, const or concat), an each rule (each + fields) or a choose rule
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "rule".
 */
export type ProfileRule = ProfileEachRule | ProfileChooseRule | ProfileValueRule
/**
 * Codes, exactly ("0000") or as a pattern where x is any digit ("1xxx").
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "codeList".
 */
export type CodeList = string[]

/**
 * A target profile (mappings/profiles/<platform>.yaml): how a canonical case becomes one platform's own record, how records are wrapped, signed and sent, how the platform's answer is read, and how its records are read back for reconciliation. Structure only: names that refer to tables in code (date formats, money units, text clean-ups, hash algorithms) and to tables in the file are checked by the compiler (src/profile/compile-profile.ts), which lists the allowed names. See mappings/README.md, section Target profiles.
 */
export interface TargetProfile {
  /**
   * The profile's name, e.g. province-exchange; with the version it names the projection in logs and the ledger (`province-exchange@3`).
   */
  name: string
  /**
   * Version of this file, in quotes; change it with every edit: what the platform holds is fingerprinted through it.
   */
  version: string
  description?: string
  /**
   * UTC offset the platform's dates are written in.
   */
  timezone?: string
  /**
   * The platform field (a pointer into the platform record) holding the case number; used to name records in answers and listings. Identity profiles: /caseNumber.
   */
  caseNumberField?: ProfilePointer
  /**
   * Code tables: canonical code → platform code.
   */
  tables?: {
    [k: string]: ProfileCodeTable | undefined
  }
  /**
   * `identity` (the platform takes the canonical case as it is), or platform field → rule.
   */
  record: 'identity' | ProfileFields
  /**
   * The platform fields (top-level names) compared when reconciling; by default every field the record rules write. Leave out fields the platform changes by itself.
   *
   * @minItems 1
   */
  fingerprintFields?: string[]
  envelope?: ProfileEnvelope
  auth?: ProfileAuth
  answer?: ProfileAnswer
  readBack?: ProfileReadBack
  feedback?: ProfileFeedback
  table?: ProfileTable
}
/**
 * Platform field (a JSON pointer into the platform record: /AJBH, /info/AJMC) → rule.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "fields".
 */
export interface ProfileFields {
  /**
   * This interface was referenced by `ProfileFields`'s JSON-Schema definition
   * via the `patternProperty` "^(/[^/]+)+$".
   */
  [k: string]: ProfileRule | undefined
}
/**
 * One platform value from exactly one of from, const or concat; then optional clean-ups and one converter. No expressions: a projection is synchronous and pure.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "valueRule".
 */
export interface ProfileValueRule {
  /**
   * The canonical field, a pointer relative to the case (or to one element of an each list).
   */
  from?: ProfilePointer
  /**
   * A fixed value.
   */
  const?: unknown
  /**
   * Several canonical fields (and fixed texts { const: … }) joined into one text; absent fields are left out.
   *
   * @minItems 1
   */
  concat?: (
    | ProfilePointer
    | {
        const: ProfileScalar
      }
  )[]
  separator?: string
  when?: ProfileCondition
  /**
   * Text clean-ups in order, e.g. [trim, upper].
   *
   * @minItems 1
   */
  text?: string[]
  /**
   * Output date format: yyyyMMdd, yyyyMMddHHmmss, yyyy-MM-dd, "yyyy-MM-dd HH:mm:ss", iso, unixMs.
   */
  date?: string
  /**
   * Output money unit: yuan (text, two decimals), fen (whole number), fenText (fen as text).
   */
  money?: string
  /**
   * Name of a code table under tables:.
   */
  table?: string
  /**
   * The platform needs this field: a case without it is held, not sent.
   */
  required?: boolean
  /**
   * Value written when the canonical field is absent.
   */
  default?: unknown
}
/**
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "chooseRule".
 */
export interface ProfileChooseRule {
  /**
   * @minItems 1
   */
  choose: ProfileValueRule[]
  required?: boolean
  default?: unknown
}
/**
 * A list of platform objects, one per element of a canonical list (parties, penalties).
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "eachRule".
 */
export interface ProfileEachRule {
  /**
   * The canonical list, e.g. /parties.
   */
  each: ProfilePointer
  fields: ProfileFields
  when?: ProfileCondition
  required?: boolean
}
/**
 * A test on one canonical field (a pointer relative to the case or list element) with exactly one of equals, notEquals, in, notIn, present, contains, startsWith; or all, any, not.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "condition".
 */
export interface ProfileCondition {
  field?: ProfilePointer
  equals?: ProfileScalar
  notEquals?: ProfileScalar
  /**
   * @minItems 1
   */
  in?: ProfileScalar[]
  /**
   * @minItems 1
   */
  notIn?: ProfileScalar[]
  present?: boolean
  contains?: string
  startsWith?: string
  /**
   * @minItems 1
   */
  all?: ProfileCondition[]
  /**
   * @minItems 1
   */
  any?: ProfileCondition[]
  not?: ProfileCondition
}
/**
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "codeTable".
 */
export interface ProfileCodeTable {
  description?: string
  /**
   * Canonical code → platform code.
   */
  codes: {
    [k: string]: ProfileScalar | undefined
  }
  /**
   * A canonical code the table lacks: hold (the case is not sent; it waits until the table is completed), pass (send the canonical code), default (send `default:`).
   */
  unknown?: 'hold' | 'pass' | 'default'
  default?: ProfileScalar
}
/**
 * How records travel: body format, batching, paths.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "envelope".
 */
export interface ProfileEnvelope {
  format?: 'json' | 'xml'
  method?: 'POST' | 'PUT'
  /**
   * Path (and query) records are sent to.
   */
  pushPath?: string
  /**
   * Records in one request under a key (JSON: a pointer such as /AJLIST; XML: the list element). Without batch: one record per request, the record is the body.
   */
  batch?: {
    path: ProfilePointer
    /**
     * Most records in one request.
     */
    max?: number
    /**
     * Fixed fields beside the list (JSON pointers → values).
     */
    fields?: {
      [k: string]: ProfileScalar | undefined
    }
  }
  xml?: {
    /**
     * The document element.
     */
    root?: string
    /**
     * The element of one record (and of one element of a list field).
     */
    item?: string
    declaration?: boolean
  }
}
/**
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "auth".
 */
export interface ProfileAuth {
  kind: 'none' | 'bearer' | 'app-key' | 'signature'
  /**
   * bearer: the token.
   */
  token?: SecretRef
  /**
   * app-key and signature: the key naming the hub.
   */
  appKey?: SecretRef
  /**
   * signature: the shared secret of the HMAC.
   */
  secret?: SecretRef
  /**
   * signature: HMAC-SHA256, or HMAC-SM3 where this Node's crypto offers sm3.
   */
  algorithm?: string
  headers?: {
    appKey?: string
    timestamp?: string
    nonce?: string
    signMethod?: string
    sign?: string
    authorization?: string
  }
}
/**
 * Where the platform's answer says what happened, and what its codes mean.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "answer".
 */
export interface ProfileAnswer {
  /**
   * The per-request code.
   */
  code?: ProfilePointer
  message?: ProfilePointer
  /**
   * The list of per-record results.
   */
  records?: ProfilePointer
  record?: {
    caseNumber?: ProfilePointer
    code?: ProfilePointer
    message?: ProfilePointer
  }
  codes?: {
    accepted?: CodeList
    rejected?: CodeList
    retryable?: CodeList
    auth?: CodeList
    busy?: CodeList
  }
  /**
   * A code none of the lists has.
   */
  unknownCode?: 'retryable' | 'rejected'
}
/**
 * The listing the reconciler reads the platform's records with.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "readBack".
 */
export interface ProfileReadBack {
  listPath?: string
  /**
   * Names of the query parameters.
   */
  query?: {
    agencyCode?: string
    updatedSince?: string
    page?: string
    pageSize?: string
  }
  /**
   * Date format of the update-time-since parameter.
   */
  updatedSinceDate?: string
  /**
   * What the agency-code parameter carries: the agency's id in the hub or its credit code.
   */
  agencyCodeFrom?: 'agencyId' | 'creditCode'
  firstPage?: number
  pageSize?: number
  /**
   * Where the records are in the answer.
   */
  list?: ProfilePointer
  total?: ProfilePointer
  /**
   * Platform field with when it stored the record.
   */
  storedAt?: ProfilePointer
  /**
   * Its date format.
   */
  storedAtDate?: string
}
/**
 * The exchange table (前置库) a platform collects from.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "table".
 */
export interface ProfileTable {
  name: string
  /**
   * @minItems 1
   */
  keyColumns?: string[]
  columns?: {
    agencyCode?: string
    caseNumber?: string
    seq?: string
    fingerprint?: string
    payload?: string
    status?: string
    statusMessage?: string
  }
  status?: {
    pending?: string
    collected?: string
    rejected?: string
  }
  /**
   * status: the platform marks rows collected or rejected; commit: the table has no status column, a committed row counts as delivered.
   */
  ack?: 'status' | 'commit'
}
/**
 * The platform's feedback listing (信息反馈): where its decisions on the cases it holds are read, and how each maps to the hub's decision (src/contracts/feedback.ts). Without this section the target has no feedback listing.
 *
 * This interface was referenced by `TargetProfile`'s JSON-Schema
 * via the `definition` "feedback".
 */
export interface ProfileFeedback {
  /**
   * The incremental listing: decisions after a cursor, in a stable order.
   */
  listPath: string
  /**
   * The complete listing, same parameters and answer, for the feedback reconciliation; without it reconciliation reads listPath from the start.
   */
  listAllPath?: string
  /**
   * Names of the query parameters.
   */
  query?: {
    /**
     * The cursor: the cursor field of the last decision read (left out on the first read).
     */
    after?: string
    /**
     * Decisions a page.
     */
    limit?: string
  }
  /**
   * The most decisions a page the platform answers; the hub asks for at most this many.
   */
  maxPageSize?: number
  /**
   * Where the decisions are in the answer; by default the answer is the list.
   */
  list?: ProfilePointer
  fields: ProfileFeedbackFields
  /**
   * Date format of the decidedAt field (as readBack.storedAtDate), read in the profile's timezone.
   */
  decidedAtDate?: string
  /**
   * Platform decision code → the hub's decision. Quote codes ("01"): YAML reads 01 as the number 1. A code not listed refuses the decision (the cursor stops before it).
   */
  codes: {
    [k: string]:
      'accepted' | 'filed' | 'declined' | 'returned' | 'supervised_filing' | 'supervised_transfer' | undefined
  }
}
/**
 * Where each part of the hub's decision is in one platform decision record.
 */
export interface ProfileFeedbackFields {
  /**
   * The platform's id of the decision: stable, unique (the idempotency key of every write).
   */
  id: ProfilePointer
  /**
   * The field whose value, of the last decision read, is the next `after` (a sequence number).
   */
  cursor: ProfilePointer
  caseNumber: ProfilePointer
  agencyCode: ProfilePointer
  /**
   * The platform's decision code, translated through codes.
   */
  decision: ProfilePointer
  /**
   * When the platform decided, in decidedAtDate.
   */
  decidedAt: ProfilePointer
  /**
   * The platform's note, when it gives one.
   */
  note?: ProfilePointer
}
