import { createHash } from 'node:crypto'
import type { CompiledMapping, MappingProblem } from '../mapping/types.js'
import type { RawRecord } from '../contracts/source-adapter.js'
import type { CanonicalCase } from '../generated/case.js'
import { validateCase } from '../schema/validate-case.js'
import { fingerprint, stableStringify } from '../ledger/fingerprint.js'
import type { QuarantineEntry } from '../ledger/entries.js'

export interface ValidCase { readonly caseNumber: string; readonly fingerprint: string; readonly case: CanonicalCase; readonly recordKey: string }

export interface MappedPage {
  /** Valid cases by case number; a case appearing twice in one page keeps its last version. */
  readonly valid: Map<string, ValidCase>
  readonly quarantined: QuarantineEntry[]
  readonly skipped: number
}

/** Where a record goes in quarantine: its case number, or a content hash when it has none. */
export function recordKeyOf (caseNumber: string | undefined, raw: RawRecord): string {
  if (caseNumber !== undefined && caseNumber !== '') return caseNumber
  return `#record-${createHash('sha256').update(stableStringify(raw)).digest('hex').slice(0, 24)}`
}

/**
 * Map and validate one page of source records. Pure apart from the clock: no I/O, so it
 * can be tested and benchmarked alone. A bad record never stops the page; it becomes a
 * quarantine entry naming the source field, the canonical field and the rule.
 */
export function mapRecords (agencyId: string, mapping: CompiledMapping, records: readonly RawRecord[]): MappedPage {
  const valid = new Map<string, ValidCase>()
  const quarantined: QuarantineEntry[] = []
  let skipped = 0
  const now = new Date().toISOString()
  const quarantine = (raw: RawRecord, caseNumber: string | undefined, stage: QuarantineEntry['stage'], problems: MappingProblem[]): void => {
    quarantined.push({ agencyId, recordKey: recordKeyOf(caseNumber, raw), caseNumber, stage, problems, mappingVersion: mapping.version, quarantinedAt: now, raw })
  }
  for (const raw of records) {
    let outcome
    try {
      outcome = mapping.map(raw)
    } catch (err) {
      // A mapping bug must not take the page down with it.
      quarantine(raw, undefined, 'mapping', [{ canonicalField: '', rule: 'mapping-crashed', message: `the mapping failed unexpectedly: ${err instanceof Error ? err.message : String(err)}` }])
      continue
    }
    if (outcome.kind === 'skipped') { skipped++; continue }
    if (outcome.kind === 'failed') { quarantine(raw, outcome.caseNumber, 'mapping', outcome.problems); continue }
    const checked = validateCase(outcome.value)
    if (!checked.ok) {
      quarantine(raw, outcome.caseNumber, 'validation', checked.problems.map(p => {
        const sourceField = mapping.sourceFieldFor(p.path)
        return { ...(sourceField === undefined ? {} : { sourceField }), canonicalField: p.path, rule: p.rule, message: p.message }
      }))
      continue
    }
    const caseNumber = checked.value.caseNumber
    valid.set(caseNumber, { caseNumber, fingerprint: fingerprint(checked.value), case: checked.value, recordKey: recordKeyOf(caseNumber, raw) })
  }
  return { valid, quarantined, skipped }
}
