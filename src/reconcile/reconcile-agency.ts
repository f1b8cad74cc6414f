import { randomBytes } from 'node:crypto'
import type { Queue } from 'bullmq'
import type { RedisClient } from '../redis/redis-client.js'
import type { Logger } from 'pino'
import type { SourceAdapter } from '../contracts/source-adapter.js'
import type { TargetAdapter } from '../contracts/target-adapter.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { Ledger } from '../ledger/ledger.js'
import type { PushJobData } from '../delivery/push-job.js'
import { ReconcileBusyError, TargetDigestsUnsupportedError } from '../errors.js'
import type { AlarmSink } from './alarm-sink.js'
import { FindingTally, FINDING_KINDS, type FindingKind, type ReconcileResult, type TargetMode, type ReconcileNoteCode } from './findings.js'
import { mergePartitions } from './merge-partitions.js'
import { PartitionSpool } from './partition-spool.js'
import { ProgressTracker, type ReconcileProgress } from './progress.js'
import type { ReconcileConfig } from './reconcile-config.js'
import { repairCases } from './repair.js'
import { PARTITION_COUNT, scanSource, type SourceScan } from './source-scan.js'
import { bisectTarget, listWholeTarget, type TargetScan } from './target-scan.js'
import { lateEntries, staleChanges } from './time-rules.js'

/** Everything one agency's reconciliation works with; the hub (or the CLI) assembles it. */
export interface ReconcileDeps {
  readonly agencyId: string
  readonly config: ReconcileConfig
  readonly source: SourceAdapter
  readonly target: TargetAdapter
  readonly targetId: string
  readonly mapping: () => CompiledMapping
  readonly ledger: Ledger
  readonly redis: RedisClient
  readonly keyPrefix: string
  /** The target's push queue, for repairs. */
  readonly queue: Queue<PushJobData>
  readonly batchSize: number
  readonly alarms: AlarmSink
  readonly logger: Logger
  /**
   * The run's clock, in epoch milliseconds: when it starts decides what is too young to judge
   * (`minAgeSeconds`) and what is stale (`lagLimitSeconds`). Tests pass a clock moved forward
   * instead of waiting for the minimum age in real time. @defaultValue Date.now
   */
  readonly now?: () => number
}

export interface ReconcileOptions {
  readonly trigger?: 'schedule' | 'on-demand'
  /** The schedule tick a scheduled run belongs to. */
  readonly scheduledFor?: Date
  /** Re-send repairable cases after comparing (default: the agency's `autoRepair` for scheduled runs, no for on-demand ones). */
  readonly repair?: boolean
  /** Ignore the target's digests and list every case (benchmarks, and a check of the digests themselves). */
  readonly fullListing?: boolean
  readonly signal?: AbortSignal
  /** Spool memory before spilling to disk. */
  readonly spoolMemoryBytes?: number
  /**
   * The digest bisection lists a differing bucket once neither side holds more cases than
   * this, instead of comparing its 16 children. Lower it to descend deeper (fewer cases
   * listed, more digest requests). @defaultValue 64
   */
  readonly listThreshold?: number
  /** Told every step of the run: its phase and the records that phase has got through (a CLI's progress bar). */
  readonly onProgress?: (progress: ReconcileProgress) => void
}

const LOCK_TTL_MS = 60_000

/**
 * One reconciliation of one agency, at most one at a time across every hub process (a
 * Redis lock; a second caller gets ReconcileBusyError). In order:
 *  1. the source's full listing through the current mapping, spooled by partition;
 *  2. the target: digest bisection against the ledger's digests (list only buckets that
 *     differ), or its full listing, or nothing when it cannot be read back;
 *  3. the three-way comparison, partition by partition (src/reconcile/classify.ts);
 *  4. stale changes and late entries, from the ledger's time indexes;
 *  5. one alarm per kind found, and resolution of the kinds found clean;
 *  6. repair, when asked.
 * Its progress (phase and count) goes to `onProgress` and, for other processes, to Redis
 * (src/reconcile/progress.ts).
 */
export async function reconcileAgency (deps: ReconcileDeps, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  const outcome = await deps.ledger.withReconcileLock(deps.agencyId, LOCK_TTL_MS, async () => await run(deps, opts))
  if (!outcome.ran) throw new ReconcileBusyError(`agency ${deps.agencyId} is being reconciled by another run right now; try again when it has finished`)
  return outcome.value
}

async function run (deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileResult> {
  const signal = opts.signal ?? new AbortController().signal
  const trigger = opts.trigger ?? 'on-demand'
  const now = deps.now ?? Date.now
  const startedMs = now()
  const startedAt = new Date(startedMs).toISOString()
  const runId = `r${startedMs.toString(36)}${randomBytes(3).toString('hex')}`
  const view = deps.ledger.reconcileView(deps.agencyId)
  const state = deps.ledger.reconcileState(deps.agencyId)
  const log = deps.logger.child({ agency: deps.agencyId, runId })
  const notes: string[] = []
  const noteCodes: ReconcileNoteCode[] = []
  const note = (code: ReconcileNoteCode, text: string): void => { noteCodes.push(code); notes.push(text) }
  const memory = opts.spoolMemoryBytes ?? 16 * 1024 * 1024
  const sourceSpool = deps.source.listAll === undefined ? undefined : new PartitionSpool(PARTITION_COUNT, memory, 'source')
  const targetSpool = new PartitionSpool(PARTITION_COUNT, memory, 'target')
  const progress = new ProgressTracker(state, runId, startedAt, opts.onProgress)
  const counter = (n: number): void => progress.count(n)
  try {
    const before = await state.read()
    const caughtUp = (await deps.ledger.stats(deps.agencyId)).lastPullOkAtMs !== undefined

    let scan: SourceScan | undefined
    if (sourceSpool !== undefined && deps.source.listAll !== undefined) {
      progress.enter('source')
      // The listing also gives facts to the cases recorded before the transfer-risk facts were (a no-op without them).
      scan = await scanSource(deps.agencyId, deps.source as SourceAdapter & Required<Pick<SourceAdapter, 'listAll'>>, deps.mapping, sourceSpool, signal, counter, deps.target.projection, async cases => await deps.ledger.backfillRiskFacts(deps.agencyId, cases))
    } else {
      note('source-not-listed', 'the source offers no full listing: compared ledger ⇄ platform only (missing or changed cases the hub never pulled cannot be seen)')
    }

    // Configured, else seen at the source now, else under which the platform acknowledged its cases (a file drop has no listing).
    const agencyCode = deps.config.agencyCode ?? scan?.agencyCode ?? await deps.ledger.deliveredAgencyCode(deps.agencyId) ?? before.agencyCode
    let targetMode: TargetMode = 'not-compared'
    let target: TargetScan | undefined
    progress.enter('target')
    if (agencyCode === undefined) {
      note('agency-code-unknown', 'the platform was not compared: the agency code is unknown (no valid case at the source and none delivered yet); set reconcile.agencyCode')
    } else if (deps.target.digests !== undefined && opts.fullListing !== true) {
      try {
        target = await bisectTarget(deps.target.digests, agencyCode, await view.leafDigests(), targetSpool, signal, { listThreshold: opts.listThreshold, onListed: counter })
        targetMode = 'digests'
      } catch (err) {
        if (!(err instanceof TargetDigestsUnsupportedError)) throw err
        log.warn({ code: err.code }, err.message)
        note('target-no-digests', 'the platform offers no bucket digests: listed every case instead')
      }
    }
    if (agencyCode !== undefined && target === undefined) {
      if (deps.target.listCases !== undefined) {
        target = await listWholeTarget(deps.target as Required<Pick<TargetAdapter, 'listCases'>>, agencyCode, targetSpool, signal, counter)
        targetMode = 'full-listing'
      } else {
        note('target-unreadable', 'the platform cannot be read back: compared source ⇄ ledger only')
      }
    }

    const tally = new FindingTally()
    const repairs = new Map<string, FindingKind>()
    const cutoffMs = startedMs - deps.config.minAgeSeconds * 1000
    progress.enter('compare')
    const merged = scan === undefined && target === undefined
      ? { compared: 0, tooYoung: 0 }
      : await mergePartitions({
        ledger: view, source: sourceSpool, target: targetSpool, listedLeaves: target?.listedLeaves, tally, repairs, signal, onCompared: counter,
        judge: { sourceListed: scan !== undefined, targetCompared: target !== undefined, cutoffMs, caughtUp },
      })
    tally.set('stale', await staleChanges(view, startedMs - deps.config.lagLimitSeconds * 1000))
    const late = await lateEntries(view, before.lateJudgedId, deps.config.entryDeadlineDays, deps.config.entryDeadlineFrom)
    tally.set('late_entry', late)

    const judged = new Set<FindingKind>(['stale', 'late_entry'])
    if (scan !== undefined) ['source_changed_unsynced', 'source_deleted'].forEach(k => judged.add(k as FindingKind))
    if (target !== undefined) ['missing_in_target', 'target_differs', 'target_regressed', 'orphan_in_target'].forEach(k => judged.add(k as FindingKind))
    const findings = tally.summary()
    for (const kind of FINDING_KINDS) {
      if (!judged.has(kind)) continue
      const found = findings[kind]
      // Late entries add up while the alarm stays: it names every one of its episode, not the last run's.
      if (found.count > 0) await deps.alarms.report(deps.agencyId, kind, { count: found.count, samples: found.samples, detail: { runId, ...(kind === 'late_entry' ? { deadlineDays: deps.config.entryDeadlineDays } : {}) }, accumulate: kind === 'late_entry' })
      else if (kind !== 'late_entry') await deps.alarms.resolve(deps.agencyId, kind)
      // Late entries are history: each run reports only those acknowledged since the last
      // one, so "none new" does not make the old ones right. The alarm stays (open until
      // acknowledged) until no late entry has been found for the window, instead of resolving
      // and reopening between runs, each cycle a notification. A run that did not compare the
      // platform cannot call it clean at all.
      else if (target !== undefined) await deps.alarms.resolve(deps.agencyId, kind, { unseenSince: new Date(startedMs - deps.config.lateEntryWindowSeconds * 1000) })
    }

    const repairing = opts.repair ?? (trigger === 'schedule' && deps.config.autoRepair)
    if (repairing) progress.enter('repair')
    const repair = repairing ? await repairCases({ ...deps, projection: deps.target.projection }, repairs, runId, signal, counter) : undefined
    const finishedMs = now()
    const result: ReconcileResult = {
      runId, agencyId: deps.agencyId, startedAt, finishedAt: new Date(finishedMs).toISOString(), durationMs: finishedMs - startedMs, trigger,
      ...(opts.scheduledFor === undefined ? {} : { scheduledFor: opts.scheduledFor.toISOString() }),
      source: scan === undefined ? 'not-listed' : 'listed',
      target: targetMode,
      notes,
      noteCodes,
      counts: {
        sourceRecords: scan?.records ?? 0,
        sourceValid: scan?.valid ?? 0,
        ledger: await view.knownCount(),
        target: target?.targetCount ?? 0,
        compared: merged.compared,
        tooYoung: merged.tooYoung,
      },
      ...(targetMode === 'digests' && target !== undefined ? { digest: { requests: target.requests, bucketsCompared: target.bucketsCompared, bucketsEqual: target.bucketsEqual, bucketsListed: target.bucketsListed, deepestDepth: target.deepestDepth, leavesListed: countListed(target.listedLeaves), casesListed: target.casesListed } } : {}),
      findings,
      ...(repair === undefined ? {} : { repair }),
    }
    await state.succeeded(result, agencyCode, late.lastId)
    // Judged and recorded: the log need not keep them (a failure here only leaves them for XTRIM next time).
    await view.trimDecisionLog(late.lastId).catch((err: unknown) => log.warn({ err }, 'decision log not trimmed; the next run trims it'))
    log.info({ trigger, source: result.source, target: targetMode, durationMs: result.durationMs, compared: merged.compared, tooYoung: merged.tooYoung, findings: Object.fromEntries(FINDING_KINDS.map(k => [k, findings[k].count])), repaired: repair?.enqueued }, 'reconciliation finished')
    return result
  } catch (err) {
    await state.failed(startedAt, err instanceof Error ? err.message : String(err)).catch(() => undefined)
    throw err
  } finally {
    await progress.finish()
    await sourceSpool?.close()
    await targetSpool.close()
  }
}

function countListed (leaves: Uint8Array): number {
  let n = 0
  for (const v of leaves) n += v
  return n
}
