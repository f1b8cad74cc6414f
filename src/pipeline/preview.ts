/**
 * Preview: a mapping run over a vendor's sample export, record by record, without a hub —
 * what an administrator uses to go from a sample file to a working mapping
 * (`casebridge mapping test`, and the admin API's preview route). The file is read with the
 * mapping's own `input:` (encoding, format) by the same reader the file sources use, and each
 * record is mapped and validated by the same code a pull uses (src/sync/map-records.ts), so
 * what the preview says valid is what the hub delivers.
 */
import { UnreadableFileError } from '../errors.js'
import type { CanonicalCase } from '../generated/case.js'
import { maskPersonal } from '../logging/mask.js'
import { formatFromFileName, readRecords } from '../formats/read-records.js'
import { crashedOutcome, resultOf } from './map-records.js'
import { EventLoopTurns } from '../mapping/event-loop-turns.js'
import type { AbsentField, CompiledMapping, MappingProblem } from '../mapping/types.js'
import type { CompletenessGap } from '../schema/completeness.js'

/** What one record of the sample became. */
export type PreviewResult =
  /** `gaps`: expected fields this case is delivered without (not those the mapping declares absent). */
  | { readonly record: number; readonly line: number; readonly outcome: 'valid'; readonly caseNumber: string; readonly case: CanonicalCase; readonly gaps: readonly CompletenessGap[] }
  | { readonly record: number; readonly line: number; readonly outcome: 'invalid'; readonly caseNumber?: string; readonly stage: 'parse' | 'mapping' | 'validation'; readonly problems: readonly MappingProblem[] }
  | { readonly record: number; readonly line: number; readonly outcome: 'skipped'; readonly caseNumber?: string; readonly rule: string }

/** `withGaps`: valid records lacking an expected field; `gaps`: how many valid records lack each such field. */
export interface PreviewSummary { readonly records: number; readonly valid: number; readonly invalid: number; readonly skipped: number; readonly withGaps: number; readonly gaps: Readonly<Record<string, number>> }

export interface PreviewReport {
  readonly mapping: { readonly agency: string; readonly version: string; readonly file: string }
  readonly sample: { readonly file: string; readonly format: string; readonly encoding: string }
  /** In file order; rows that could not be read at all are `invalid` at stage `parse`. */
  readonly results: readonly PreviewResult[]
  /** The mapping's `absent:` fields: gaps of the agency's system, not of its records. */
  readonly knownGaps: readonly AbsentField[]
  readonly summary: PreviewSummary
}

/**
 * Map and validate every record of a sample file. `fileName` gives the format when the
 * mapping's `input:` does not. Throws `UnreadableFileError` when the file cannot be read as
 * records at all; a bad row or record is a result, never an exception. The canonical cases
 * in the report are not masked: {@link maskedReport} before showing them to anyone but an
 * administrator.
 */
export async function previewSample (mapping: CompiledMapping, bytes: Uint8Array, fileName: string): Promise<PreviewReport> {
  const format = mapping.input.format ?? formatFromFileName(fileName)
  if (format === undefined) {
    throw new UnreadableFileError(`${fileName}: cannot tell the file format; expected a name ending in .csv, .json, .ndjson, .jsonl or .xml, or input.format set in the mapping`, fileName, undefined)
  }
  const results: PreviewResult[] = []
  const counts = { valid: 0, invalid: 0, skipped: 0, withGaps: 0 }
  const gaps: Record<string, number> = {}
  const turns = new EventLoopTurns()
  for await (const item of readRecords(bytes, { ...mapping.input, format, fileName })) {
    const record = results.length + 1
    if ('error' in item) {
      counts.invalid++
      results.push({ record, line: item.error.line, outcome: 'invalid', stage: 'parse', problems: [{ canonicalField: '', rule: 'parse', message: item.error.message }] })
      continue
    }
    const outcome = await mapping.mapAsync(item.record).catch(crashedOutcome)
    await turns.take()
    const result = resultOf(mapping, outcome)
    const caseNumber = result.caseNumber === undefined ? {} : { caseNumber: result.caseNumber }
    if (result.kind === 'valid') {
      counts.valid++
      // A field the agency's system does not have is a known gap of the agency (knownGaps), not of the record.
      const own = result.gaps.filter(g => !mapping.absentFields.has(g.field))
      if (own.length > 0) counts.withGaps++
      for (const gap of own) gaps[gap.field] = (gaps[gap.field] ?? 0) + 1
      results.push({ record, line: item.line, outcome: 'valid', caseNumber: result.caseNumber, case: result.case, gaps: own })
    } else if (result.kind === 'skipped') {
      counts.skipped++
      results.push({ record, line: item.line, outcome: 'skipped', ...caseNumber, rule: result.rule })
    } else {
      counts.invalid++
      results.push({ record, line: item.line, outcome: 'invalid', ...caseNumber, stage: result.stage, problems: result.problems })
    }
  }
  return {
    mapping: { agency: mapping.agency, version: mapping.version, file: mapping.file },
    sample: { file: fileName, format, encoding: mapping.input.encoding },
    results,
    knownGaps: mapping.absent,
    summary: { records: results.length, ...counts, gaps },
  }
}

/**
 * A case fit for eyes that may not see personal data, by the hub's one masking rule
 * (src/logging/mask.ts): codes, dates, amounts and case numbers shown, the parties' names and
 * ID numbers with a hint, free text (the facts summary) and anything else masked whole.
 */
export function maskedCase (c: CanonicalCase): CanonicalCase {
  return maskPersonal(c) as CanonicalCase
}

/** The report as a viewer (and `casebridge mapping test` without --show-personal) sees it: every result masked, problem values included. */
export function maskedReport (report: PreviewReport): PreviewReport {
  return { ...report, results: report.results.map(r => maskPersonal(r) as PreviewResult) }
}

/** `N valid, M invalid, K skipped`, the line the CLI ends with. */
export function summaryLine (summary: PreviewSummary): string {
  return `${summary.valid} valid, ${summary.invalid} invalid, ${summary.skipped} skipped`
}
