import type { OperatorContext } from './operator-context.js'
import { humanSeconds, localTime } from './operator-context.js'
import { renderTable } from './table.js'
import type { AgencyStatus } from '../admin/agency-status.js'

/** `casebridge status`: every agency with its last good pull, lag and counts (GET /api/agencies). */
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
    { header: t('column.lag'), value: a => humanSeconds(t, a.lagSeconds), align: 'right' },
    { header: t('column.pulled'), value: a => a.counts.pulled },
    { header: t('column.pushed'), value: a => a.counts.pushed },
    { header: t('column.quarantined'), value: a => a.counts.quarantined },
    { header: t('column.deadLettered'), value: a => a.counts.deadLettered },
    { header: t('column.alarms'), value: a => a.openAlarms ?? '-', align: 'right' },
  ], answer.agencies))
  return 0
}
