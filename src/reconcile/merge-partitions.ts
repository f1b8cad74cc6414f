import { leafName } from '../ledger/bucket-digest.js'
import { judgeCase, type CaseFacts, type JudgeContext } from './classify.js'
import { REPAIRABLE_KINDS, type FindingKind, type FindingTally } from './findings.js'
import type { LedgerView } from '../ledger/reconcile-view.js'
import type { AckedVersion, SeenVersion } from '../ledger/entries.js'
import type { PartitionSpool } from './partition-spool.js'
import { PARTITION_COUNT, PARTITION_DEPTH, partitionOfLeaf, type SpooledCase } from './source-scan.js'

export interface MergeInput {
  readonly ledger: LedgerView
  /** Source cases by partition; undefined when the source has no full listing. */
  readonly source: PartitionSpool | undefined
  /** Target cases of the listed leaves, by partition. */
  readonly target: PartitionSpool
  /** Leaves whose target cases were listed (1); elsewhere the target equals the ledger's acknowledged versions. Undefined: target not compared. */
  readonly listedLeaves: Uint8Array | undefined
  readonly judge: JudgeContext
  readonly tally: FindingTally
  /** Collects repairable cases (case number → the first repairable kind found). */
  readonly repairs: Map<string, FindingKind>
  readonly signal: AbortSignal
  /** Called with the number of cases of each partition compared (progress). */
  readonly onCompared?: (n: number) => void
}

export interface MergeStats { compared: number; tooYoung: number }

function readSpooled (lines: readonly string[]): Map<string, SpooledCase> {
  const out = new Map<string, SpooledCase>()
  // A case listed twice (it changed while the listing ran) keeps its later line.
  for (const line of lines) {
    const c = JSON.parse(line) as SpooledCase
    out.set(c[0], c)
  }
  return out
}

/** The bucket prefixes of one partition that were listed: the partition's own when all of its leaves were. */
function listedPrefixes (partition: number, listed: Uint8Array): string[] {
  const perPartition = listed.length / PARTITION_COUNT
  const out: string[] = []
  for (let leaf = partition * perPartition; leaf < (partition + 1) * perPartition; leaf++) if (listed[leaf] === 1) out.push(leafName(leaf))
  return out.length === perPartition ? [partition.toString(16).padStart(PARTITION_DEPTH, '0')] : out
}

/** One partition's three sides, read and ready to classify. */
interface LoadedPartition {
  readonly source: Map<string, SpooledCase>
  readonly target: Map<string, SpooledCase>
  /** Every case number of the partition on any side, with its leaf. */
  readonly leaves: Map<string, number>
  readonly caseNumbers: string[]
  readonly seen: (SeenVersion | undefined)[]
  readonly acked: (AckedVersion | undefined)[]
}

/** Read one partition: the ledger's members and the spools' lines, then the ledger's versions of them all. Undefined: nothing of it to compare. */
async function loadPartition (input: MergeInput, partition: number, everything: boolean): Promise<LoadedPartition | undefined> {
  let membersRead: Promise<[number, string][]>
  if (everything) {
    membersRead = input.ledger.members(partition.toString(16).padStart(PARTITION_DEPTH, '0'))
  } else {
    const prefixes = listedPrefixes(partition, input.listedLeaves as Uint8Array)
    if (prefixes.length === 0) return undefined
    membersRead = Promise.all(prefixes.map(async p => await input.ledger.members(p))).then(m => m.flat())
  }
  const [members, sourceLines, targetLines] = await Promise.all([membersRead, input.source?.read(partition), input.target.read(partition)])
  const source = sourceLines === undefined ? new Map<string, SpooledCase>() : readSpooled(sourceLines)
  const target = readSpooled(targetLines)
  const leaves = new Map<string, number>()
  for (const [leaf, cn] of members) leaves.set(cn, leaf)
  for (const [cn, c] of source) leaves.set(cn, c[3])
  for (const [cn, c] of target) leaves.set(cn, c[3])
  const caseNumbers = [...leaves.keys()]
  const { seen, acked } = await input.ledger.versions(caseNumbers)
  return { source, target, leaves, caseNumbers, seen, acked }
}

/**
 * Compare the three sides one partition (1/256 of the case-number hash space) at a time:
 * the partition's source and target lines from the spools, the ledger's cases of the
 * partition from its bucket index, and their seen/acknowledged versions. The next
 * partition is read (Redis round trips, spool files) while this one is classified, so
 * the reads' waits overlap the comparing instead of adding to it. Memory holds two
 * partitions at a time. Without a source listing, only the listed leaves can hold a
 * difference, and partitions without one are skipped.
 */
export async function mergePartitions (input: MergeInput): Promise<MergeStats> {
  const stats: MergeStats = { compared: 0, tooYoung: 0 }
  const everything = input.source !== undefined || input.listedLeaves === undefined
  let next: Promise<LoadedPartition | undefined> | undefined
  try {
    for (let partition = 0; partition < PARTITION_COUNT; partition++) {
      // Throws the abort's reason (the hub stopping, or the run's deadline).
      input.signal.throwIfAborted()
      const loaded = await (next ?? loadPartition(input, partition, everything))
      next = partition + 1 < PARTITION_COUNT ? loadPartition(input, partition + 1, everything) : undefined
      // Handled at once: a failed read is thrown when its partition's turn comes.
      next?.catch(() => undefined)
      if (loaded === undefined) continue
      const comparedBefore = stats.compared
      classifyPartition(input, partition, loaded, stats)
      input.onCompared?.(stats.compared - comparedBefore)
    }
  } finally {
    await next?.catch(() => undefined)
  }
  return stats
}

function classifyPartition (input: MergeInput, partition: number, loaded: LoadedPartition, stats: MergeStats): void {
  const { source, target, leaves, caseNumbers, seen, acked } = loaded
  caseNumbers.forEach((cn, i) => {
    const leaf = leaves.get(cn) as number
    if (partitionOfLeaf(leaf) !== partition) return
    const s = source.get(cn)
    const a = acked[i]
    let targetFacts: CaseFacts['target']
    if (input.listedLeaves === undefined || input.listedLeaves[leaf] === 1) {
      const t = target.get(cn)
      targetFacts = t === undefined ? undefined : { fingerprint: t[1], storedMs: t[2] }
    } else {
      // Digests agreed on this leaf: the target holds exactly the acknowledged versions.
      targetFacts = a === undefined ? undefined : { fingerprint: a.fingerprint, storedMs: a.ackedAtMs }
    }
    const verdict = judgeCase({
      source: s === undefined ? undefined : { fingerprint: s[1] === '' ? null : s[1], updatedMs: s[2] },
      seen: seen[i],
      acked: a,
      target: targetFacts,
    }, input.judge)
    stats.compared++
    if (verdict.young) stats.tooYoung++
    for (const kind of verdict.kinds) {
      input.tally.add(kind, cn)
      if (REPAIRABLE_KINDS.includes(kind) && !input.repairs.has(cn)) input.repairs.set(cn, kind)
    }
  })
}
