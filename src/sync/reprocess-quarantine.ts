/**
 * Re-processing quarantine: the raw records an agency's quarantine keeps are mapped and
 * validated again with the mapping in use (after an administrator fixed it); the ones that
 * are valid now are delivered exactly as a pull delivers them (`commitMapped`: enqueue, then
 * one ledger commit), the ones still invalid stay in quarantine with their problems as the
 * current mapping sees them, the ones a new skip rule skips leave it.
 *
 * It runs under the agency's pull lock: a quarantined record is the latest version the hub
 * has seen of its case, and a pull running at the same time could deliver a newer version
 * that this run would then overwrite with the older one. Entries without a raw record (rows
 * a file source could not read at all, stage "parse") are left as they are: no mapping can
 * fix them.
 */
import { InternalError, ReprocessBusyError } from '../errors.js'
import type { QuarantineEntry } from '../ledger/entries.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { TargetProjection } from '../contracts/projection.js'
import { mapPage, recordKeyOf, skipCounters } from '../pipeline/map-records.js'
import { commitMapped, type DeliveryContext } from './pull-agency.js'

/** The pull lock's lifetime while held (renewed), as for scheduled pulls. */
const LOCK_TTL_MS = 10_000
/** Records re-processed per ledger commit, like a page of a pull. */
const PAGE_SIZE = 500

export interface ReprocessContext extends DeliveryContext {
  readonly mapping: CompiledMapping
  /** The target's profile, when it has one: valid cases are projected (and held when they lack a field it requires), as in a pull. */
  readonly projection?: TargetProjection | undefined
  /** How long to wait for a running pull of the agency to finish. @defaultValue 60000 */
  readonly lockWaitMs?: number
}

export interface ReprocessSummary {
  /** Quarantine entries looked at (those with a raw record). */
  readonly examined: number
  /** Valid now: delivered like pulled cases (`enqueued` of them were new or changed versions). */
  readonly released: number
  readonly enqueued: number
  /** Still invalid, with the current problems. */
  readonly stillInvalid: number
  /** Skipped by a skip rule of the current mapping: out of quarantine, not delivered. */
  readonly skipped: number
  /** Entries without a raw record (unreadable rows), left as they are. */
  readonly unmappable: number
  /** The mapping version used. */
  readonly mappingVersion: string
}

/** Re-process one agency's quarantine with `ctx.mapping`. */
export async function reprocessQuarantine (ctx: ReprocessContext): Promise<ReprocessSummary> {
  const waitMs = ctx.lockWaitMs ?? 60_000
  const outcome = await ctx.ledger.withPullLockWaiting(ctx.agencyId, LOCK_TTL_MS, waitMs, async lease => await reprocessLocked({ ...ctx, lease }))
  if (outcome === undefined) throw new ReprocessBusyError(`agency ${ctx.agencyId} is being pulled and was still busy after ${Math.round(waitMs / 1000)} s; its quarantine was not re-processed, try again`)
  return outcome.value
}

/**
 * Held cases (stage "held") that an older version of the target's profile judged are judged
 * again by the current one — delivered when it no longer requires what they lack. Run by
 * the pull itself, under the pull lock the caller holds, so a profile edit takes effect on
 * the next pull of every hub process. Reads only the held entries (a set, usually small).
 */
export async function rejudgeHeld (ctx: ReprocessContext & { readonly projection: TargetProjection }): Promise<ReprocessSummary | undefined> {
  const stale = (await ctx.ledger.heldEntries(ctx.agencyId)).filter(e => e.profileVersion !== ctx.projection.version)
  if (stale.length === 0) return undefined
  return await reprocessLocked(ctx, stale)
}

async function reprocessLocked (ctx: ReprocessContext, chosen?: readonly QuarantineEntry[]): Promise<ReprocessSummary> {
  const { mapping, agencyId } = ctx
  const entries = chosen ?? await ctx.ledger.quarantine(agencyId)
  const mappable = entries.filter(e => e.stage !== 'parse')
  const totals = { examined: mappable.length, released: 0, enqueued: 0, stillInvalid: 0, skipped: 0, unmappable: entries.length - mappable.length }
  for (let start = 0; start < mappable.length; start += PAGE_SIZE) {
    const chunk = mappable.slice(start, start + PAGE_SIZE)
    // Where each record was read stays with it: a record still invalid keeps its file and line.
    const mapped = await mapPage(agencyId, mapping, chunk.map(e => e.raw), chunk.map(e => e.origin), ctx.projection)
    // An entry keeps its key if it is still invalid under the same key; every other old key goes.
    const requarantined = new Set(mapped.quarantined.map(q => q.recordKey))
    const released = chunk.map(e => e.recordKey).filter(key => !requarantined.has(key))
    const quarantined: QuarantineEntry[] = mapped.quarantined.map(q => {
      const old = chunk.find(e => e.recordKey === q.recordKey) ?? chunk.find(e => recordKeyOf(e.caseNumber, e.raw) === q.recordKey)
      // Keep when it first came and where from; the problems and version are today's.
      return { ...q, ...(old === undefined ? {} : { quarantinedAt: old.quarantinedAt, ...(old.origin === undefined ? {} : { origin: old.origin }) }) }
    })
    // No signal: re-processing a (bounded) quarantine does not wait for the delivery window.
    const committed = await commitMapped(ctx, mapping, mapped, {
      quarantined,
      released,
      cursor: null,
      counts: { reprocessed: chunk.length, reprocessedValid: mapped.valid.size, skipped: mapped.skipped, ...skipCounters(mapped) },
    })
    if (committed === undefined) throw new InternalError('unreachable: commitMapped without a signal always commits')
    const { candidates, changed } = committed
    totals.released += candidates.length
    totals.enqueued += changed.length
    totals.stillInvalid += quarantined.length
    totals.skipped += mapped.skipped
  }
  return { ...totals, mappingVersion: mapping.version }
}
