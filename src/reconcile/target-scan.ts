import type { TargetAdapter, TargetCaseSummary, TargetDigests } from '../contracts/target-adapter.js'
import { LEAF_COUNT, LEAF_DEPTH, leafIndex, parseSum, type LeafDigests } from '../ledger/bucket-digest.js'
import type { PartitionSpool } from './partition-spool.js'
import { prefetched } from './prefetch.js'
import { partitionOfLeaf, type SpooledCase } from './source-scan.js'

/**
 * A bucket whose two sides hold at most this many cases is listed rather than split
 * further: listing n summaries costs about what 16 child digests do once n is this small.
 */
export const LIST_THRESHOLD = 64

export interface TargetScan {
  /** Leaves whose cases were listed one by one (1), or trusted to equal the ledger's acknowledged versions (0). */
  readonly listedLeaves: Uint8Array
  /** Cases the target holds for the agency. */
  readonly targetCount: number
  readonly casesListed: number
  readonly requests: number
  readonly bucketsCompared: number
  /** Of them, the buckets whose digests agreed (nothing transferred), and those listed case by case. */
  readonly bucketsEqual: number
  readonly bucketsListed: number
  /** The deepest bucket level whose digests were compared (0: none, full listing). */
  readonly deepestDepth: number
}

/** Called with the number of target cases of each page listed (progress). */
export type OnListed = (n: number) => void

async function spoolSummaries (pages: AsyncIterable<readonly TargetCaseSummary[]>, spool: PartitionSpool, onListed: OnListed): Promise<number> {
  let n = 0
  for await (const page of prefetched(pages)) {
    onListed(page.length)
    for (const c of page) {
      const leaf = leafIndex(c.caseNumber)
      const stored = c.storedAt === undefined ? 0 : Date.parse(c.storedAt)
      n++
      await spool.add(partitionOfLeaf(leaf), JSON.stringify([c.caseNumber, c.fingerprint, Number.isNaN(stored) ? 0 : stored, leaf] satisfies SpooledCase))
    }
  }
  return n
}

/** Every case the target holds, listed: no digests, or the target has none. */
export async function listWholeTarget (target: Required<Pick<TargetAdapter, 'listCases'>>, agencyCode: string, spool: PartitionSpool, signal: AbortSignal, onListed: OnListed = () => {}): Promise<TargetScan> {
  const listed = await spoolSummaries(target.listCases(agencyCode, signal), spool, onListed)
  return { listedLeaves: new Uint8Array(LEAF_COUNT).fill(1), targetCount: listed, casesListed: listed, requests: 0, bucketsCompared: 0, bucketsEqual: 0, bucketsListed: 0, deepestDepth: 0 }
}

/**
 * Checksum bisection against the ledger's digests of acknowledged versions: compare the
 * 256 top buckets, split the ones that differ into their 16 children, and so on down to
 * the ledger's leaves; list only the buckets that still differ (or are small enough to
 * list at once: at most `listThreshold` cases on either side). Where digests agree the
 * target holds exactly what the platform acknowledged, and nothing is transferred.
 */
export async function bisectTarget (digests: TargetDigests, agencyCode: string, ledger: LeafDigests, spool: PartitionSpool, signal: AbortSignal, opts: { listThreshold?: number | undefined; onListed?: OnListed } = {}): Promise<TargetScan> {
  const listThreshold = opts.listThreshold ?? LIST_THRESHOLD
  const listedLeaves = new Uint8Array(LEAF_COUNT)
  const toList: string[] = []
  let requests = 0
  let bucketsCompared = 0
  let bucketsEqual = 0
  let targetCount = 0
  let frontier = ['']
  let depth = 2
  let deepestDepth = 0
  while (frontier.length > 0) {
    deepestDepth = depth
    const answer = await digests.bucketDigests(agencyCode, frontier, depth, signal)
    requests++
    const theirs = new Map(answer.map(b => [b.bucket, b]))
    if (depth === 2) for (const b of answer) targetCount += b.count
    const next: string[] = []
    for (const parent of frontier) {
      const children = 16 ** (depth - parent.length)
      const first = parent === '' ? 0 : Number.parseInt(parent, 16) * children
      for (let i = 0; i < children; i++) {
        const bucket = (first + i).toString(16).padStart(depth, '0')
        const mine = ledger.bucket(bucket)
        const other = theirs.get(bucket)
        const otherCount = other?.count ?? 0
        bucketsCompared++
        if (mine.count === otherCount && (otherCount === 0 || mine.sum === parseSum(other?.sum ?? ''))) { bucketsEqual++; continue }
        if (depth === LEAF_DEPTH || Math.max(mine.count, otherCount) <= listThreshold) toList.push(bucket)
        else next.push(bucket)
      }
    }
    frontier = next
    depth++
  }
  for (const bucket of toList) {
    const shift = 4 * (LEAF_DEPTH - bucket.length)
    const firstLeaf = Number.parseInt(bucket, 16) << shift
    listedLeaves.fill(1, firstLeaf, firstLeaf + (1 << shift))
  }
  const casesListed = toList.length === 0 ? 0 : await spoolSummaries(digests.listBuckets(agencyCode, toList, signal), spool, opts.onListed ?? (() => {}))
  return { listedLeaves, targetCount, casesListed, requests: requests + (toList.length === 0 ? 0 : 1), bucketsCompared, bucketsEqual, bucketsListed: toList.length, deepestDepth }
}
