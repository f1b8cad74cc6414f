import { createHash } from 'node:crypto'
import type { CompiledMapping, MapOutcome, MappingProblem } from '../mapping/types.js'
import type { RawRecord, UnreadableItem } from '../contracts/source-adapter.js'
import type { CanonicalCase } from '../generated/case.js'
import { validateCase } from '../schema/validate-case.js'
import { completenessGaps, type CompletenessGap } from '../schema/completeness.js'
import { fingerprint, stableStringify } from '../contracts/fingerprint.js'
import { pointerSegments } from '../mapping/pointer.js'
import { isPersonalPointer, problem } from '../mapping/problems.js'
import type { QuarantineEntry, RecordOrigin } from '../ledger/entries.js'
import { keptRaw, rawDepthProblem } from './raw-limits.js'
import { EventLoopTurns } from '../mapping/event-loop-turns.js'
import type { Projection, TargetProjection } from '../contracts/projection.js'

/** `gaps`: every expected field the case lacks, the mapping's absent ones included (the ledger judges them when it reports). */
export interface ValidCase {
  readonly caseNumber: string
  readonly fingerprint: string
  readonly case: CanonicalCase
  readonly recordKey: string
  readonly gaps: readonly string[]
  /** The record as the source sent it (the trace keeps its hash, never its content). */
  readonly raw?: RawRecord
  /** Where a file source read it. */
  readonly origin?: RecordOrigin
}

export interface MappedPage {
  /** Valid cases by case number; a case appearing twice in one page with different content is quarantined instead (rule "duplicate-in-page"), an exact repeat counts once. */
  readonly valid: Map<string, ValidCase>
  readonly quarantined: QuarantineEntry[]
  readonly skipped: number
  /** Skipped records by the skip rule that matched, e.g. { draft: 3 } for `skip: draft`. */
  readonly skippedByRule: Readonly<Record<string, number>>
}

/** What mapping and validating one record gave: a valid case, its problems, or the skip rule that matched. */
export type RecordResult =
  /**
   * `gaps`: every expected field the case lacks (src/schema/completeness.ts), those its
   * mapping declares absent included: the ledger keeps them all, so a later edit of
   * `absent:` is judged at once; a per-record view leaves the absent ones out.
   */
  | { readonly kind: 'valid'; readonly caseNumber: string; readonly case: CanonicalCase; readonly gaps: readonly CompletenessGap[] }
  | { readonly kind: 'invalid'; readonly caseNumber: string | undefined; readonly stage: 'mapping' | 'validation'; readonly problems: MappingProblem[] }
  | { readonly kind: 'skipped'; readonly caseNumber: string | undefined; readonly rule: string }

/**
 * Validate a mapping outcome against the canonical schema; a validation problem names the
 * source field the canonical field was mapped from. The one place map-then-validate is
 * decided: pulls, quarantine re-processing and `casebridge mapping test` all go through it.
 */
export function resultOf (mapping: CompiledMapping, outcome: MapOutcome): RecordResult {
  if (outcome.kind === 'skipped') return outcome
  if (outcome.kind === 'failed') return { kind: 'invalid', caseNumber: outcome.caseNumber, stage: 'mapping', problems: outcome.problems }
  const checked = validateCase(outcome.value)
  if (checked.ok) return { kind: 'valid', caseNumber: checked.value.caseNumber, case: checked.value, gaps: completenessGaps(checked.value) }
  return {
    kind: 'invalid',
    caseNumber: outcome.caseNumber,
    stage: 'validation',
    problems: checked.problems.map(p => problem(p.path, mapping.sourceFieldFor(p.path), p.rule, p.message, scalarAt(outcome.value, p.path), isPersonalPointer(p.path))),
  }
}

/** The value a validation problem is about, as text, when it is a single value (a missing field has none). */
function scalarAt (root: Record<string, unknown>, pointer: string): string | undefined {
  let node: unknown = root
  for (const segment of pointerSegments(pointer)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? String(node) : undefined
}

/** A mapping that throws (a bug, never bad data) must not take the page down with it. */
export function crashedOutcome (err: unknown): MapOutcome {
  return { kind: 'failed', caseNumber: undefined, problems: [{ canonicalField: '', rule: 'mapping-crashed', message: `the mapping failed unexpectedly: ${err instanceof Error ? err.message : String(err)}` }] }
}

/** Where a record goes in quarantine: its case number, or a content hash when it has none. */
export function recordKeyOf (caseNumber: string | undefined, raw: RawRecord): string {
  if (caseNumber !== undefined && caseNumber !== '') return caseNumber
  return `#record-${createHash('sha256').update(stableStringify(raw)).digest('hex').slice(0, 24)}`
}

/**
 * The target's record for a valid case (src/contracts/projection.ts), or the identity when
 * the target has no profile. A profile that throws (a bug, never bad data) holds the case
 * with the error named rather than taking the page down.
 */
export function projectCase (projection: TargetProjection | undefined, c: CanonicalCase): Projection {
  if (projection === undefined) return { kind: 'record', record: Object.fromEntries(Object.entries(c)), fingerprint: fingerprint(c) }
  try {
    return projection.project(c)
  } catch (err) {
    return { kind: 'held', missing: [], reason: `the target profile ${projection.version} failed on this case: ${err instanceof Error ? err.message : String(err)}` }
  }
}

/** The problems of a held case as quarantine shows them: one per missing field, naming the platform's field and the canonical one. */
export function heldProblems (held: Extract<Projection, { kind: 'held' }>): MappingProblem[] {
  if (held.missing.length === 0) return [{ canonicalField: '', rule: 'target-profile', message: held.reason }]
  return held.missing.map(m => ({ canonicalField: m.from, rule: 'target-required', message: `the target platform requires ${m.field} (from ${m.from}); the case lacks it, so it is held until the case or the profile changes` }))
}

/**
 * Map and validate one page of source records, and project each valid case through the
 * target's profile when it has one (its fingerprint is then the projection's: what the
 * platform will hold). Pure apart from the clock: no I/O, so it can be tested and
 * benchmarked alone. A bad record never stops the page; it becomes a quarantine entry
 * naming the source field, the canonical field and the rule; a valid case the profile
 * cannot send is held (stage "held") naming the fields it lacks.
 */
export function mapRecords (agencyId: string, mapping: CompiledMapping, records: readonly RawRecord[], origins?: readonly (RecordOrigin | undefined)[], outcomes?: readonly MapOutcome[], projection?: TargetProjection): MappedPage {
  const valid = new Map<string, ValidCase>()
  const conflicting = new Set<string>()
  const quarantined: QuarantineEntry[] = []
  let skipped = 0
  const skippedByRule: Record<string, number> = {}
  const now = new Date().toISOString()
  let index = 0
  const quarantine = (full: RawRecord, caseNumber: string | undefined, stage: QuarantineEntry['stage'], problems: MappingProblem[]): void => {
    const origin = origins?.[index]
    const raw = keptRaw(full) // storable whatever the source sent (see raw-limits.ts)
    const held = stage === 'held' && projection !== undefined ? { profileVersion: projection.version } : {}
    quarantined.push({ agencyId, recordKey: recordKeyOf(caseNumber, raw), caseNumber, stage, problems, mappingVersion: mapping.version, quarantinedAt: now, raw, ...held, ...(origin === undefined ? {} : { origin }) })
  }
  for (; index < records.length; index++) {
    const raw = records[index] as RawRecord
    let outcome = outcomes?.[index]
    if (outcome === undefined) {
      try {
        outcome = mapping.map(raw)
      } catch (err) {
        outcome = crashedOutcome(err)
      }
    }
    // A record nested too deeply is refused whatever it maps to: stage "parse", never re-processed.
    const tooDeep = rawDepthProblem(raw)
    if (tooDeep !== undefined) { quarantine(raw, outcome.caseNumber, 'parse', [tooDeep]); continue }
    const result = resultOf(mapping, outcome)
    if (result.kind === 'skipped') {
      skipped++
      const name = result.rule.replace(/^skip:/, '')
      skippedByRule[name] = (skippedByRule[name] ?? 0) + 1
      continue
    }
    if (result.kind === 'invalid') { quarantine(raw, result.caseNumber, result.stage, result.problems); continue }
    const caseNumber = result.caseNumber
    let print: string
    if (projection === undefined) {
      print = fingerprint(result.case)
    } else {
      const projected = projectCase(projection, result.case)
      if (projected.kind === 'held') {
        // Held, not sent: an earlier valid copy in this page is as incomplete, so it goes too.
        valid.delete(caseNumber)
        quarantine(raw, caseNumber, 'held', heldProblems(projected))
        continue
      }
      print = projected.fingerprint
    }
    const earlier = valid.get(caseNumber)
    if (conflicting.has(caseNumber) || (earlier !== undefined && earlier.fingerprint !== print)) {
      // Two different versions of one case in one page: which is current cannot be told, so neither goes out.
      valid.delete(caseNumber)
      conflicting.add(caseNumber)
      quarantine(raw, caseNumber, 'validation', [{ canonicalField: '/caseNumber', rule: 'duplicate-in-page', message: 'expected each case once in a page (or file); this case number appears again with different content, so which version is current cannot be told and neither is delivered — the source must send one (re-processing delivers the one kept here)' }])
      continue
    }
    const origin = origins?.[index]
    valid.set(caseNumber, { caseNumber, fingerprint: print, case: result.case, recordKey: recordKeyOf(caseNumber, raw), gaps: result.gaps.map(g => g.field), raw, ...(origin === undefined ? {} : { origin }) })
  }
  return { valid, quarantined, skipped, skippedByRule }
}

/**
 * {@link mapRecords} for any mapping: one with expressions (which JSONata evaluates
 * asynchronously) is run record by record first — one at a time, so each expression's time
 * limit measures its own work, and the event loop gets a turn between records now and then.
 */
export async function mapPage (agencyId: string, mapping: CompiledMapping, records: readonly RawRecord[], origins?: readonly (RecordOrigin | undefined)[], projection?: TargetProjection): Promise<MappedPage> {
  if (!mapping.usesExpressions) return mapRecords(agencyId, mapping, records, origins, undefined, projection)
  const outcomes: MapOutcome[] = []
  const turns = new EventLoopTurns()
  for (const raw of records) {
    outcomes.push(await mapping.mapAsync(raw).catch(crashedOutcome))
    await turns.take()
  }
  return mapRecords(agencyId, mapping, records, origins, outcomes, projection)
}

/** Per-rule skip counts as ledger counters: `skipped:<rule>` beside the total `skipped`. */
export function skipCounters (page: Pick<MappedPage, 'skippedByRule'>): Record<string, number> {
  return Object.fromEntries(Object.entries(page.skippedByRule).map(([rule, n]) => [`skipped:${rule}`, n]))
}

/**
 * Items of an API page that are no record become quarantine entries (stage 'parse') with
 * their page and index, keyed by the request and index, so a repeated pull replaces them.
 */
export function unreadableItemEntries (agencyId: string, mappingVersion: string, items: readonly UnreadableItem[]): QuarantineEntry[] {
  const now = new Date().toISOString()
  return items.map(item => ({
    agencyId,
    recordKey: `#unreadable-${createHash('sha256').update(`${item.request}\n${item.index}`).digest('hex').slice(0, 24)}`,
    caseNumber: undefined,
    stage: 'parse' as const,
    problems: [{ canonicalField: '', rule: 'parse', message: `page ${item.page} (${item.request}), item ${item.index}: ${item.message}` }],
    mappingVersion,
    quarantinedAt: now,
    raw: {},
    position: { page: item.page, index: item.index },
  }))
}

/**
 * Rows a file source could not read at all become quarantine entries too (stage 'parse'),
 * keyed by file and line, so a broken row is visible and counted instead of dropped.
 */
export function unreadableEntries (agencyId: string, mappingVersion: string, rows: readonly { file: string; line: number; message: string }[]): QuarantineEntry[] {
  const now = new Date().toISOString()
  return rows.map(row => ({
    agencyId,
    recordKey: `#unreadable-${createHash('sha256').update(`${row.file}\n${row.line}`).digest('hex').slice(0, 24)}`,
    caseNumber: undefined,
    stage: 'parse' as const,
    problems: [{ canonicalField: '', rule: 'parse', message: `${row.file}, line ${row.line}: ${row.message}` }],
    mappingVersion,
    quarantinedAt: now,
    raw: {},
    origin: { file: row.file, line: row.line },
  }))
}
