/**
 * JSON Schemas of the admin API's inputs and outputs, shared by the routes. Fastify
 * validates inputs and serialises outputs with them, and @fastify/swagger turns them into
 * the OpenAPI document at /docs/json: there is no other description of the API to drift.
 */
import type { FastifySchema } from 'fastify'

export const errorSchema = {
  type: 'object',
  description: 'Every refusal and failure: the HTTP status, a stable machine word, a sentence for people.',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string', description: 'unauthorized, forbidden, rate_limited, not_found, bad_request, payload_too_large, conflict, internal' },
    message: { type: 'string' },
  },
} as const

const isoOrNull = { type: ['string', 'null'], format: 'date-time' } as const

export const agencyIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Agency id from the hub config.' } },
} as const

export const countsSchema = {
  type: 'object',
  required: ['pulled', 'valid', 'skipped', 'enqueued', 'pushed', 'quarantined', 'deadLettered'],
  properties: {
    pulled: { type: 'integer', description: 'Records read from the agency system (a record read twice counts twice).' },
    valid: { type: 'integer', description: 'Records that became valid canonical cases.' },
    skipped: { type: 'integer', description: 'Records the mapping skips on purpose.' },
    skippedByRule: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Skipped records by the skip rule of the mapping that matched (drafts, test records …).' },
    enqueued: { type: 'integer', description: 'Case versions queued for delivery.' },
    pushed: { type: 'integer', description: 'Cases the platform has acknowledged (distinct case numbers).' },
    quarantined: { type: 'integer', description: 'Records in quarantine now (held cases not counted).' },
    held: { type: 'integer', description: 'Valid cases held for the target now: they lack a field its profile requires (in the quarantine listing with stage "held").' },
    deadLettered: { type: 'integer', description: 'Cases in the dead-letter set now.' },
  },
} as const

const failureNoteSchema = {
  type: ['object', 'null'],
  required: ['code', 'error', 'message', 'at'],
  description: 'The latest failure going on now; null while none is. The message has ID numbers, phone numbers and tokens masked, for every role.',
  properties: {
    code: { type: 'string', description: 'Stable error code (CB_ERR_…; CB_ERR_UNEXPECTED for an error that is not the hub\'s own).' },
    error: { type: 'string', description: 'The error class, e.g. RemoteUnavailableError.' },
    message: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
  },
} as const

const readinessCheckSchema = {
  type: 'object',
  required: ['name', 'ok', 'detail'],
  properties: { name: { type: 'string', description: 'redis, config, mapping:<agency>, target:<target>' }, ok: { type: 'boolean' }, detail: { type: 'string' } },
} as const

export const agencyStatusSchema = {
  type: 'object',
  required: ['id', 'name', 'target', 'pulling', 'paused', 'lastPullAt', 'lastPullOkAt', 'lastReconcileOkAt', 'lagSeconds', 'counts', 'openAlarms', 'ready', 'readiness', 'pull', 'unpulled', 'push'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    target: { type: 'string' },
    pulling: { type: 'boolean', description: 'A pull of this agency is running now (on any hub process).' },
    paused: {
      type: ['object', 'null'], required: ['at', 'by'], properties: { at: { type: 'string' }, by: { type: 'string' } },
      description: 'Paused by an operator (no pulls; its pushes wait): since when and by whom. null while it runs.',
    },
    lastPullAt: isoOrNull,
    lastPullOkAt: isoOrNull,
    lastReconcileOkAt: isoOrNull,
    lagSeconds: { type: 'number', description: 'Age of the oldest change not yet acknowledged by the platform; 0 when none.' },
    counts: countsSchema,
    openAlarms: { type: ['integer', 'null'], description: 'Open alarms of this agency; null while this hub has no alarm module.' },
    mapping: {
      type: 'object',
      description: 'The mapping in use (version, file, when loaded) and, while not fixed, the last edit that was refused (error: file:line:column and what is wrong; errorAt).',
      properties: {
        version: { type: 'string' }, file: { type: 'string' }, loadedAt: { type: 'string', format: 'date-time' },
        error: { type: 'string' }, errorAt: { type: 'string', format: 'date-time' },
      },
    },
    sourceProblems: {
      type: 'array',
      description: 'What the source reported needing attention after its last pull although the pull succeeded (e.g. CB_ERR_FILES_NOT_MOVED: ingested files that cannot be moved out of the inbox, with the folder and the error); empty when all is well. The source_problem alarm carries the same.',
      items: { type: 'object', required: ['code', 'message', 'since'], properties: { code: { type: 'string' }, message: { type: 'string' }, since: { type: 'string', format: 'date-time' } } },
    },
    ready: { type: 'boolean', description: 'Everything this agency needs is ready: Redis, the config, its mapping and its target (the checks in readiness).' },
    readiness: { type: 'array', description: 'The /readyz checks that concern this agency.', items: readinessCheckSchema },
    pull: {
      type: 'object',
      required: ['state', 'failingSince', 'lastOkAt', 'lastError'],
      description: 'The pull side (the agency system): whether pulls succeed, how the last one failed and since when (shared by every hub process).',
      properties: {
        state: { enum: ['ok', 'failing', 'never'], description: 'never: no pull has ended yet.' },
        failingSince: { ...isoOrNull, description: 'First failure of the pulls failing now; null while they succeed.' },
        lastOkAt: isoOrNull,
        lastError: failureNoteSchema,
      },
    },
    unpulled: {
      type: 'object',
      required: ['state', 'changes', 'oldestChangeAt', 'ageSeconds'],
      description: 'Changes waiting at the source that no pull has read (lagSeconds counts only changes the hub has seen: a paused agency shows lag 0 however much waits). Asked of the source (one COUNT and MIN query for SQL sources), cached for admin.readiness.cacheMs.',
      properties: {
        state: { enum: ['known', 'unknown'], description: 'unknown: the source cannot tell cheaply (HTTP, SFTP, file drops) or did not answer now; the numbers are then null, never 0.' },
        changes: { type: ['integer', 'null'] },
        oldestChangeAt: { ...isoOrNull, description: 'When the oldest unpulled change was made, by the source\'s stamp.' },
        ageSeconds: { type: ['number', 'null'], description: 'Age of the oldest unpulled change; null when there is none or it is unknown.' },
      },
    },
    push: {
      type: 'object',
      required: ['target', 'state', 'failingSince', 'lastOkAt', 'lastError'],
      description: 'The push side (the agency\'s target), from this hub process\'s pushes and readiness probes: its state, the failure going on and since when.',
      properties: {
        target: { type: 'string' },
        state: { enum: ['reachable', 'unreachable', 'refused', 'rate_limited', 'unknown'], description: 'refused: the target refused the hub\'s credentials or request (no retry helps until fixed); unknown: not pushed to nor probed yet.' },
        failingSince: { ...isoOrNull, description: 'First failure (push or probe) of the failures going on now; null while none is.' },
        lastOkAt: { ...isoOrNull, description: 'The last push the target answered.' },
        lastError: failureNoteSchema,
      },
    },
    findings: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Cases per transfer-risk and handling time-limit finding kind to review (GET /api/findings has them); absent when the hub has no risk: section.' },
  },
} as const

export const problemSchema = {
  type: 'object',
  required: ['canonicalField', 'rule', 'message', 'reason'],
  properties: {
    sourceField: { type: 'string' },
    canonicalField: { type: 'string' },
    rule: { type: 'string' },
    message: { type: 'string', description: 'English detail.' },
    value: { type: 'string', description: 'The offending value, masked when personal.' },
    reason: { type: 'string', description: 'The problem in the hub\'s language (hub.locale).' },
  },
} as const

export const quarantineEntrySchema = {
  type: 'object',
  required: ['recordKey', 'stage', 'stageText', 'problems', 'mappingVersion', 'quarantinedAt', 'raw'],
  properties: {
    recordKey: { type: 'string' },
    caseNumber: { type: 'string' },
    stage: { enum: ['parse', 'mapping', 'validation', 'held'], description: '`held`: a valid case its target\'s profile cannot take yet (a required field missing).' },
    profileVersion: { type: 'string', description: 'For held cases: the target profile version that judged it.' },
    stageText: { type: 'string', description: 'The stage in the hub\'s language.' },
    problems: { type: 'array', items: problemSchema },
    mappingVersion: { type: 'string' },
    quarantinedAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC.' },
    origin: { type: 'object', required: ['file', 'line'], properties: { file: { type: 'string' }, line: { type: 'integer' } }, description: 'A file source: the file the record was read from and the line it starts on.' },
    position: { type: 'object', required: ['page', 'index'], properties: { page: { type: 'integer' }, index: { type: 'integer' } }, description: 'An API source, for an item that is no record: the page of the pull (from 1) and the index in it (from 0).' },
    raw: { type: 'object', additionalProperties: true, description: 'The record as the source sent it; personal data masked for viewers.' },
    trace: { type: 'string', description: 'Where the case\'s trace is (GET), for an entry with a case number.' },
  },
} as const

export const deadLetterSchema = {
  type: 'object',
  required: ['caseNumber', 'fingerprint', 'reason', 'attempts', 'deadLetteredAt', 'case'],
  properties: {
    caseNumber: { type: 'string' },
    fingerprint: { type: 'string' },
    reason: { type: 'string' },
    attempts: { type: 'integer' },
    deadLetteredAt: { type: 'string' },
    case: { type: 'object', additionalProperties: true, description: 'The canonical case; personal data masked for viewers.' },
    trace: { type: 'string', description: 'Where the case\'s trace is (GET).' },
  },
} as const

export const keysBody = (what: string, itemPattern?: string) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200, ...(itemPattern === undefined ? {} : { pattern: itemPattern }) }, description: `${what}; absent: all of them.` },
  },
}) as const

/** A route's schema with the refusals every authenticated route can answer. */
export function withErrors (schema: FastifySchema & { response: Record<string, unknown> }, open = false): FastifySchema {
  const errors: Record<string, unknown> = open ? {} : { 401: errorSchema, 403: errorSchema, 429: errorSchema }
  return { ...schema, response: { 400: errorSchema, ...errors, 404: errorSchema, 413: errorSchema, 500: errorSchema, ...schema.response } }
}

export const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const
