import { parseCommand, operatorContext, UsageError, localTime } from './operator-context.js'
import { renderTable } from './table.js'
import { usageTranslator } from './command-line.js'
import { listOf } from '../i18n/translate.js'

interface AlarmView { agencyId: string; kind: string; state: string; stateText: string; severityText: string; count: number; title: string; description: string; lastSeenAt: string; samples: string[] }

const STATES = ['open', 'acknowledged', 'resolved', 'active', 'all']

/** `casebridge alarms [--agency X] [--state active|open|acknowledged|resolved|all]` (GET /api/alarms). */
export async function alarmsCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' }, state: { type: 'string' } })
  if (values.state !== undefined && !STATES.includes(values.state)) throw new UsageError(usageTranslator()('cli.usage.state', { states: listOf(usageTranslator(), STATES) }))
  const ctx = await operatorContext(values)
  const query = new URLSearchParams({ ...(values.agency === undefined ? {} : { agency: values.agency }), ...(values.state === undefined ? {} : { state: values.state }) })
  const answer = await ctx.client.get<{ alarms: AlarmView[] }>(`/api/alarms${query.size > 0 ? `?${query.toString()}` : ''}`)
  if (ctx.json) { ctx.printJson(answer); return 0 }
  const { t } = ctx
  if (answer.alarms.length === 0) { ctx.out(t('cli.none')); return 0 }
  ctx.out(renderTable<AlarmView>([
    { header: t('column.agency'), value: a => a.agencyId },
    { header: t('column.alarm'), value: a => `${a.title} (${a.kind})`, max: 44 },
    { header: t('column.state'), value: a => `${a.stateText} · ${a.severityText}` },
    { header: t('column.cases'), value: a => a.count },
    { header: t('column.when'), value: a => localTime(a.lastSeenAt, '') },
  ], answer.alarms))
  ctx.out('')
  for (const a of answer.alarms) ctx.out(`${a.agencyId} ${a.kind}: ${a.description}${a.samples.length > 0 ? ` ${a.samples.slice(0, 5).join(', ')}${a.samples.length > 5 ? ' …' : ''}` : ''}`)
  return 0
}

/** `casebridge ack --agency X --kind K [--note "…"]` (operator role). */
export async function ackCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' }, kind: { type: 'string' }, note: { type: 'string' } })
  if (values.agency === undefined || values.kind === undefined) throw new UsageError(usageTranslator()('cli.usage.ackNeeds'))
  const ctx = await operatorContext(values)
  const alarm = await ctx.client.post<AlarmView>(`/api/alarms/${encodeURIComponent(values.agency)}/${encodeURIComponent(values.kind)}/ack`, values.note === undefined ? {} : { note: values.note })
  if (ctx.json) ctx.printJson(alarm)
  else ctx.out(ctx.t('cli.alarms.acknowledged', { agency: alarm.agencyId, title: alarm.title }))
  return 0
}
