/**
 * A checked profile file → a {@link CompiledProfile}: the outbound rules, code tables,
 * envelope, authentication, answer codes, read-back and exchange-table settings compiled
 * once. Everything per case or per request is a closure call; nothing looks at the YAML again.
 */
import type { TargetProfile } from '../generated/profile.js'
import type { CanonicalCase } from '../generated/case.js'
import { fingerprint, stableStringify } from '../contracts/fingerprint.js'
import type { Projection } from '../contracts/projection.js'
import { refuse, type PositionedYaml } from '../mapping/compile-context.js'
import { dateConverterFor } from '../mapping/transforms/dates.js'
import { compileAnswer } from './answer.js'
import { compileEnvelope } from './envelope.js'
import { compileFeedbackListing } from './feedback-listing.js'
import { formatInstant, OUTPUT_DATE_FORMATS } from './formats.js'
import { compileOutbound, pointerReader } from './outbound.js'
import { compileProfileTable, type ProfileTableCompiled } from './profile-tables.js'
import { compileAuth } from './signature.js'
import { ProfileFileError } from '../errors.js'
import type { CompiledProfile, ReadBack, TableRowRead } from './types.js'

/** The comparable view of a platform record: the fingerprinted fields, absent values (null, '') left out, scalars as text. */
function comparable (value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined
  if (Array.isArray(value)) return value.map(comparable)
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) { const c = comparable(v); if (c !== undefined) out[k] = c }
    return out
  }
  return String(value)
}

/** A case is a plain JSON object: seen as a record of fields without copying it. */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function fieldsOf (c: CanonicalCase): Record<string, unknown> {
  if (!isRecord(c)) throw new TypeError('a canonical case must be an object')
  return c
}

export function compileProfile (doc: PositionedYaml, spec: TargetProfile, file: string, env: NodeJS.ProcessEnv): CompiledProfile {
  const offset = spec.timezone!
  const tables = new Map<string, ProfileTableCompiled>()
  for (const [name, entry] of Object.entries(spec.tables ?? {})) if (entry !== undefined) tables.set(name, compileProfileTable(doc, name, entry))
  const identity = spec.record === 'identity'
  const outbound = spec.record === 'identity' ? undefined : compileOutbound({ doc, tables, offset }, spec.record, ['record'])
  const caseNumberField = spec.caseNumberField ?? (identity ? '/caseNumber' : outbound!.caseNumberField)
  if (caseNumberField === undefined) refuse(doc, ['record'], 'profile.noCaseNumberField')
  const readCaseNumber = pointerReader(caseNumberField)
  const fingerprinted = spec.fingerprintFields ?? outbound?.fields
  if (spec.fingerprintFields !== undefined && outbound !== undefined) {
    spec.fingerprintFields.forEach((f, i) => { if (!outbound.fields.includes(f)) refuse(doc, ['fingerprintFields', i], 'profile.fingerprintFieldUnknown', { field: f, fields: outbound.fields }) })
  }
  const fingerprintOf = (record: Readonly<Record<string, unknown>>): string => {
    if (identity || fingerprinted === undefined) return fingerprint(record)
    const picked: Record<string, unknown> = {}
    for (const f of fingerprinted) picked[f] = record[f]
    return fingerprint(comparable(picked))
  }
  const version = `${spec.name}@${spec.version}`
  const project = (c: CanonicalCase): Projection => {
    if (outbound === undefined) return { kind: 'record', record: fieldsOf(c), fingerprint: fingerprint(c) }
    const { record, short } = outbound.build(fieldsOf(c))
    if (short.length === 0) return { kind: 'record', record, fingerprint: fingerprintOf(record) }
    const missing = short.map(s => ({ field: s.field, from: s.from }))
    return { kind: 'held', missing, reason: `${version}: the platform requires ${short.map(s => `${s.field} (from ${s.from}: ${s.why})`).join('; ')}` }
  }
  const rb = spec.readBack!
  for (const key of ['updatedSinceDate', 'storedAtDate'] as const) {
    if (!OUTPUT_DATE_FORMATS.includes(rb[key]!)) refuse(doc, ['readBack', key], 'profile.unknownReadBackDate', { format: rb[key]!, allowed: OUTPUT_DATE_FORMATS })
  }
  const readStoredAt = rb.storedAt === undefined ? undefined : pointerReader(rb.storedAt)
  const storedAtParse = dateConverterFor(rb.storedAtDate === 'iso' ? 'timestamp' : rb.storedAtDate!, offset)
  const readBack = (platformRecord: Readonly<Record<string, unknown>>): ReadBack => {
    const number = readCaseNumber(platformRecord)
    const caseNumber = typeof number === 'string' || typeof number === 'number' ? String(number) : ''
    const stored = readStoredAt?.(platformRecord)
    let storedAt: string | undefined
    if ((typeof stored === 'string' || typeof stored === 'number') && storedAtParse !== undefined) {
      const parsed = storedAtParse(String(stored))
      if (typeof parsed === 'string') storedAt = parsed
    }
    return storedAt === undefined ? { caseNumber, fingerprint: fingerprintOf(platformRecord) } : { caseNumber, fingerprint: fingerprintOf(platformRecord), storedAt }
  }
  const table = spec.table === undefined ? undefined : Object.freeze({ ...spec.table, keyColumns: Object.freeze([...spec.table.keyColumns!]), columns: Object.freeze({ ...spec.table.columns! }), status: Object.freeze({ ...spec.table.status! }), ack: spec.table.ack! })
  const auth = compileAuth(doc, spec.auth, env)
  const feedback = spec.feedback === undefined ? undefined : compileFeedbackListing(doc, spec.feedback, offset)
  const envelope = spec.envelope!
  return Object.freeze({
    name: spec.name,
    version,
    file,
    identity,
    fields: Object.freeze([...(outbound?.fields ?? [])]),
    caseNumberField,
    project,
    fingerprintOf,
    caseNumberOf: (record: Readonly<Record<string, unknown>>) => readBack(record).caseNumber,
    envelope: compileEnvelope(envelope),
    method: envelope.method!,
    pushPath: envelope.pushPath!,
    sign: auth.sign,
    missingSecrets: Object.freeze([...auth.missingSecrets]),
    classifyAnswer: compileAnswer(spec.answer!),
    readBack,
    listing: Object.freeze({
      path: rb.listPath!,
      firstPage: rb.firstPage!,
      pageSize: rb.pageSize!,
      query: (agencyCode: string, page: number, since?: Date | string): Record<string, string> => {
        const q = rb.query!
        const out: Record<string, string> = { [q.agencyCode!]: agencyCode, [q.page!]: String(page), [q.pageSize!]: String(rb.pageSize!) }
        if (since !== undefined && q.updatedSince !== undefined) out[q.updatedSince] = formatInstant(since, rb.updatedSinceDate!, offset)
        return out
      },
      agencyCodeFrom: rb.agencyCodeFrom!,
      page: (answer: unknown) => {
        const list = rb.list === undefined ? answer : pointerReader(rb.list)(answer)
        const total = rb.total === undefined ? undefined : pointerReader(rb.total)(answer)
        const records = Array.isArray(list) ? list.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r)) : []
        const n = typeof total === 'number' ? total : typeof total === 'string' && /^\d+$/.test(total) ? Number(total) : undefined
        return n === undefined ? { records } : { records, total: n }
      },
    }),
    feedback,
    table,
    tableRow: (agencyCode: string, seq: number, projected: { record: Readonly<Record<string, unknown>>; fingerprint: string }) => {
      if (table === undefined) throw new ProfileFileError(`${file}: the profile has no table: section`)
      const c = table.columns
      const row: Record<string, string | number | null> = {
        [c.agencyCode!]: agencyCode,
        [c.caseNumber!]: readBack(projected.record).caseNumber,
        [c.seq!]: seq,
        [c.fingerprint!]: projected.fingerprint,
        [c.payload!]: stableStringify(projected.record),
      }
      if (table.ack === 'status') { row[c.status!] = table.status.pending!; row[c.statusMessage!] = null }
      return row
    },
    readRow: (row: Readonly<Record<string, unknown>>): TableRowRead => {
      if (table === undefined) throw new ProfileFileError(`${file}: the profile has no table: section`)
      const c = table.columns
      const payload = row[c.payload!]
      let record: Record<string, unknown> = {}
      try { record = typeof payload === 'string' ? JSON.parse(payload) as Record<string, unknown> : (typeof payload === 'object' && payload !== null ? payload as Record<string, unknown> : {}) } catch { record = {} }
      const seen = readBack(record)
      const caseNumber = String(row[c.caseNumber!] ?? seen.caseNumber)
      const status = table.ack === 'commit' ? 'collected' : row[c.status!] === table.status.collected ? 'collected' : row[c.status!] === table.status.rejected ? 'rejected' : 'pending'
      const message = table.ack === 'status' && typeof row[c.statusMessage!] === 'string' ? row[c.statusMessage!] as string : undefined
      return message === undefined ? { caseNumber, fingerprint: seen.fingerprint, status } : { caseNumber, fingerprint: seen.fingerprint, status, message }
    },
  })
}
