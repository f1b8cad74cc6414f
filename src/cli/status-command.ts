import type { OperatorContext } from './operator-context.js'
import { humanSeconds, localTime } from './operator-context.js'
import { renderTable } from './table.js'
import type { AgencyStatus } from '../admin/agency-status.js'
import type { FailureNote } from '../logging/failure-note.js'
import type { Translate } from '../i18n/translate.js'

/**
 * `casebridge status`: every agency with its last good pull, the state of its pulls and of
 * its target, lag and counts (GET /api/agencies); then, for each agency that is not well,
 * why and since when — the failing pull's error, the target's, the readiness checks that fail.
 */
export async function statusCommand (ctx: OperatorContext): Promise<number> {
  const answer = await ctx.client.get<{ generatedAt: string; agencies: AgencyStatus[] }>('/api/agencies')
  if (ctx.json) {
    ctx.printJson(answer)
    return 0
  }
  const { t } = ctx
  const hub = await ctx.client.get<{ name: string }>('/api/hub')
  ctx.out(t('cli.status.header', { hub: hub.name, count: answer.agencies.length }))
  ctx.out('')
  ctx.out(renderTable<AgencyStatus>([
    { header: t('column.agency'), value: a => a.id },
    { header: t('column.name'), value: a => a.name, max: 24 },
    { header: t('column.lastPull'), value: a => localTime(a.lastPullOkAt, t('cli.never')) + (a.pulling ? ` (${t('cli.status.pulling')})` : '') + (a.paused === null ? '' : ` (${t('cli.status.paused')})`) },
    { header: t('column.pullState'), value: a => t(`cli.status.pullState.${a.pull.state}`) },
    { header: t('column.targetState'), value: a => t(`cli.status.targetState.${a.push.state}`) },
    { header: t('column.lag'), value: a => humanSeconds(t, a.lagSeconds), align: 'right' },
    { header: t('column.unpulled'), value: a => unpulledText(t, a), align: 'right' },
    { header: t('column.pulled'), value: a => a.counts.pulled },
    { header: t('column.pushed'), value: a => a.counts.pushed },
    { header: t('column.quarantined'), value: a => a.counts.quarantined },
    { header: t('column.deadLettered'), value: a => a.counts.deadLettered },
    { header: t('column.alarms'), value: a => a.openAlarms ?? '-', align: 'right' },
  ], answer.agencies))
  const causes = answer.agencies.flatMap(a => causeLines(t, a))
  if (causes.length > 0) ctx.out(['', ...causes].join('\n'))
  return 0
}

/** The unpulled backlog: how many and how old the oldest, or "unknown" (never 0 when the source cannot tell). */
function unpulledText (t: Translate, a: AgencyStatus): string {
  const u = a.unpulled
  if (u.state === 'unknown' || u.changes === null) return t('cli.status.unpulledUnknown')
  return u.changes === 0 || u.ageSeconds === null ? String(u.changes) : t('cli.status.unpulled', { changes: u.changes, age: humanSeconds(t, u.ageSeconds) })
}

/** Why an agency is not well, one line per side that fails; none for a well agency. */
function causeLines (t: Translate, a: AgencyStatus): string[] {
  const lines: string[] = []
  const error = (e: FailureNote | null): { code: string; message: string } => ({ code: e?.code ?? '', message: e?.message ?? '' })
  if (a.pull.state === 'failing') lines.push(t('cli.status.pullCause', { agency: a.id, since: localTime(a.pull.failingSince, '?'), ...error(a.pull.lastError) }))
  if (a.push.failingSince !== null || a.push.state === 'refused') {
    lines.push(t('cli.status.pushCause', { agency: a.id, target: a.push.target, state: t(`cli.status.targetState.${a.push.state}`), since: localTime(a.push.failingSince, '?'), ...error(a.push.lastError) }))
  }
  const failing = a.readiness.filter(c => !c.ok)
  if (failing.length > 0) lines.push(t('cli.status.notReady', { agency: a.id, checks: failing.map(c => c.name).join(', ') }))
  return lines
}
