import { isMessageKey } from '../i18n/translate.js'
import { parseCommand, operatorContext } from './operator-context.js'
import { renderTable } from './table.js'

interface Finding { kind: string; caseNumber: string; rule?: string; detail: Record<string, unknown> }
interface AgencyAnswer { agency: string; computedAt?: string; counts: Record<string, number>; findings: Finding[] }
interface Answer { enabled: boolean; agencies: AgencyAnswer[] }

/** A finding's detail in one short line: amounts and threshold, deadline, or the other cases — never a party. */
function detailText (f: Finding): string {
  const d = f.detail
  if (f.kind === 'repeat_party') return (d.alsoIn as string[] | undefined ?? []).join(', ')
  if (f.kind.startsWith('time_limit')) return `${String(d.from)} → ${String(d.to)} ${String(d.days)}d, ${String(d.deadline).slice(0, 10)}`
  return `${String(d.amount)} ${String(d.value)} / ${String(d.threshold)}${d.example === true ? ' (example)' : ''}`
}

/**
 * `casebridge findings [--agency X] [--kind K] [--json]`: the transfer-risk and time-limit
 * findings to review (待核查), per agency — case number, kind, rule, and the amounts or dates.
 */
export async function findingsCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' }, kind: { type: 'string' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const query = new URLSearchParams()
  if (values.agency !== undefined) query.set('agency', values.agency)
  if (values.kind !== undefined) query.set('kind', values.kind)
  const answer = await ctx.client.get<Answer>(`/api/findings${query.size > 0 ? `?${query.toString()}` : ''}`)
  if (ctx.json) { ctx.printJson(answer); return 0 }
  if (!answer.enabled) { ctx.out(t('cli.findings.off')); return 0 }
  answer.agencies.forEach((a, i) => {
    if (i > 0) ctx.out('')
    if (a.findings.length === 0) { ctx.out(t('cli.findings.none', { agency: a.agency })); return }
    ctx.out(t('cli.findings.header', { agency: a.agency, count: a.findings.length }))
    ctx.out(renderTable<Finding>([
      { header: t('column.caseNumber'), value: f => f.caseNumber },
      { header: t('column.finding'), value: f => { const key = `finding.${f.kind}`; return isMessageKey(key) ? t(key) : f.kind } },
      { header: t('column.rule'), value: f => f.rule ?? '' },
      { header: t('column.details'), value: f => detailText(f), max: 60 },
    ], a.findings))
  })
  return 0
}
