import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { TargetProjection } from '../contracts/projection.js'
import { mapPage, type ValidCase } from '../pipeline/map-records.js'
import { leafIndex, LEAF_DEPTH } from '../ledger/bucket-digest.js'
import type { PartitionSpool } from './partition-spool.js'
import { prefetched } from './prefetch.js'

/** Hex digits of the merge partitions: 16^2 = 256 partitions. */
export const PARTITION_DEPTH = 2
export const PARTITION_COUNT = 16 ** PARTITION_DEPTH
export const partitionOfLeaf = (leaf: number): number => leaf >> (4 * (LEAF_DEPTH - PARTITION_DEPTH))

/** One listed case as the spool holds it: [caseNumber, fingerprint ('' = invalid now), updatedMs, leaf]. */
export type SpooledCase = [string, string, number, number]

export interface SourceScan {
  readonly records: number
  readonly valid: number
  /** Records with a case number that fail mapping or validation under the current mapping. */
  readonly invalid: number
  /** The agency code of the first valid case (the platform files cases under it). */
  readonly agencyCode: string | undefined
}

/**
 * Everything the source holds now, through the agency's CURRENT mapping and validation —
 * what the platform should hold if the hub had missed nothing — spooled by partition as
 * (case number, fingerprint, source update time). A record without a case number cannot
 * be compared with anything and is left to quarantine.
 */
export async function scanSource (agencyId: string, source: SourceAdapter & Required<Pick<SourceAdapter, 'listAll'>>, mapping: () => CompiledMapping, spool: PartitionSpool, signal: AbortSignal, onRecords: (n: number) => void = () => {}, projection?: () => TargetProjection, onValid?: (cases: readonly ValidCase[]) => Promise<unknown>): Promise<SourceScan> {
  let records = 0
  let valid = 0
  let invalid = 0
  let agencyCode: string | undefined
  for await (const page of prefetched(source.listAll(signal))) {
    if (signal.aborted) break
    records += page.length
    onRecords(page.length)
    // mapPage, not mapRecords: a mapping with JSONata expressions only maps asynchronously.
    const mapped = await mapPage(agencyId, mapping(), page, undefined, projection?.())
    for (const c of mapped.valid.values()) {
      const updated = c.case.sourceUpdatedAt === undefined ? 0 : Date.parse(c.case.sourceUpdatedAt)
      const leaf = leafIndex(c.caseNumber)
      agencyCode ??= c.case.agency.code
      valid++
      await spool.add(partitionOfLeaf(leaf), JSON.stringify([c.caseNumber, c.fingerprint, Number.isNaN(updated) ? 0 : updated, leaf] satisfies SpooledCase))
    }
    await onValid?.([...mapped.valid.values()])
    for (const q of mapped.quarantined) {
      if (q.caseNumber === undefined) continue
      const leaf = leafIndex(q.caseNumber)
      invalid++
      await spool.add(partitionOfLeaf(leaf), JSON.stringify([q.caseNumber, '', 0, leaf] satisfies SpooledCase))
    }
  }
  return { records, valid, invalid, agencyCode }
}
