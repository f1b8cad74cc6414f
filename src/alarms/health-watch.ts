import type { Ledger } from '../ledger/ledger.js'
import type { ReconcileConfig } from '../reconcile/reconcile-config.js'
import type { AlarmService } from './alarm-service.js'

type Limits = Pick<ReconcileConfig, 'unreachableAfterSeconds' | 'silentAfterSeconds'>

const msOf = (iso: string | undefined): number | undefined => {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso)
  return Number.isNaN(ms) ? undefined : ms
}

/**
 * The agency watchdogs, from what the scheduler records after every pull (src/ledger
 * markPull / markActivity):
 *  - agency_unreachable: every pull has failed since `pullFailingSince`, for longer than
 *    the limit; resolved by the first successful pull;
 *  - agency_silent: pulls succeed, the agency has had changes before, but none for longer
 *    than the limit (a system that stopped recording, or an export that stopped); resolved
 *    by the next change. Not judged while pulls fail: that is the other alarm.
 */
export async function checkAgencyHealth (alarms: AlarmService, ledger: Ledger, agencyId: string, limits: Limits, nowMs = Date.now()): Promise<void> {
  const stats = await ledger.stats(agencyId)
  const failingSince = msOf(stats.pullFailingSince)
  if (failingSince !== undefined && nowMs - failingSince >= limits.unreachableAfterSeconds * 1000) {
    await alarms.report(agencyId, 'agency_unreachable', { count: 1, samples: [], detail: { since: stats.pullFailingSince, minutes: Math.floor((nowMs - failingSince) / 60_000) } })
  } else if (failingSince === undefined) {
    await alarms.resolve(agencyId, 'agency_unreachable')
  }
  if (failingSince !== undefined) return
  const lastChange = msOf(stats.lastChangeAt)
  if (lastChange === undefined || msOf(stats.lastPullOkAt) === undefined) return
  if (nowMs - lastChange >= limits.silentAfterSeconds * 1000) {
    await alarms.report(agencyId, 'agency_silent', { count: 1, samples: [], detail: { since: stats.lastChangeAt, minutes: Math.floor((nowMs - lastChange) / 60_000) } })
  } else {
    await alarms.resolve(agencyId, 'agency_silent')
  }
}
