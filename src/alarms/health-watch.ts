import type { Ledger } from '../ledger/ledger.js'
import type { ReconcileConfig } from '../reconcile/reconcile-config.js'
import type { AlarmService } from './alarm-service.js'

type Limits = Pick<ReconcileConfig, 'unreachableAfterSeconds' | 'silentAfterSeconds'>

/**
 * The agency watchdogs, from what the scheduler records after every pull (src/ledger
 * markPull / markActivity):
 *  - agency_unreachable: every pull has failed since `pullFailingSince`, for longer than
 *    the limit; its `cause` says whether the last pull was refused or not answered (from the
 *    error's class, src/errors.ts remoteFailureOf); resolved by the first successful pull;
 *  - agency_silent: pulls succeed, the agency has had changes before, but none for longer
 *    than the limit (a system that stopped recording, or an export that stopped); resolved
 *    by the next change. Not judged while pulls fail: that is the other alarm;
 *  - source_problem: the source's pulls succeed but it reported something that needs
 *    someone (files it cannot move out of the inbox …); resolved once it reports none.
 */
export async function checkAgencyHealth (alarms: AlarmService, ledger: Ledger, agencyId: string, limits: Limits, nowMs = Date.now()): Promise<void> {
  const stats = await ledger.stats(agencyId)
  const failingSince = stats.pullFailingSinceMs
  if (failingSince !== undefined && nowMs - failingSince >= limits.unreachableAfterSeconds * 1000) {
    // How the last pull failed: refused (permission, authentication) or not answering (timeout, connection refused).
    const cause = (await ledger.pullRuns(agencyId))[0]?.failure ?? 'not_answering'
    await alarms.report(agencyId, 'agency_unreachable', { count: 1, samples: [], detail: { since: new Date(failingSince).toISOString(), minutes: Math.floor((nowMs - failingSince) / 60_000), cause } })
  } else if (failingSince === undefined) {
    await alarms.resolve(agencyId, 'agency_unreachable')
  }
  if (failingSince !== undefined) return
  const problems = stats.sourceProblems
  const problem = problems[0]
  if (problem !== undefined) await alarms.report(agencyId, 'source_problem', { count: problems.length, samples: [], detail: { code: problem.code, message: problem.message, since: problem.since } })
  else await alarms.resolve(agencyId, 'source_problem')
  const lastChange = stats.lastChangeAtMs
  if (lastChange === undefined || stats.lastPullOkAtMs === undefined) return
  if (nowMs - lastChange >= limits.silentAfterSeconds * 1000) {
    await alarms.report(agencyId, 'agency_silent', { count: 1, samples: [], detail: { since: new Date(lastChange).toISOString(), minutes: Math.floor((nowMs - lastChange) / 60_000) } })
  } else {
    await alarms.resolve(agencyId, 'agency_silent')
  }
}
