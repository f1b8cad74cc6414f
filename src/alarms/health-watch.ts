import type { Ledger } from '../ledger/ledger.js'
import type { ReconcileConfig } from '../reconcile/reconcile-config.js'
import type { AlarmService } from './alarm-service.js'
import { maskPersonal } from '../logging/mask.js'

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
 *    someone (files it cannot move out of the inbox …); resolved once it reports none;
 *  - dead_letters: cases the hub gave up delivering wait for an operator (a record the
 *    platform refused, or every case of a target that refuses the hub's credentials);
 *    judged whether pulls fail or not, since delivery does not depend on them; resolved
 *    once an operator has retried or discarded them all.
 */
export async function checkAgencyHealth (alarms: AlarmService, ledger: Ledger, agencyId: string, limits: Limits, nowMs = Date.now()): Promise<void> {
  await checkDeadLetters(alarms, ledger, agencyId)
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

/** How many dead letters the alarm names by case number (the rest are counted). */
const SAMPLES = 20

async function checkDeadLetters (alarms: AlarmService, ledger: Ledger, agencyId: string): Promise<void> {
  const { count, sample } = await ledger.deadLetterSample(agencyId, SAMPLES)
  if (count === 0) { await alarms.resolve(agencyId, 'dead_letters'); return }
  const newest = [...sample].sort((a, b) => b.deadLetteredAt.localeCompare(a.deadLetteredAt))[0]
  // A refused credential or signature gives every case up: the keys need fixing, not the records.
  const cause = sample.some(d => d.code === 'CB_ERR_TARGET_AUTH') ? 'target_auth' : 'given_up'
  await alarms.report(agencyId, 'dead_letters', {
    count,
    samples: sample.map(d => d.caseNumber).sort(),
    detail: { cause, reason: String(maskPersonal(newest?.reason ?? '')), ...(newest === undefined ? {} : { at: newest.deadLetteredAt }) },
  })
}
