import { parseCommand, operatorContext, perAgencyAnswers } from './operator-context.js'
import { renderTable } from './table.js'
import { chooseAgency } from './agency-choice.js'

interface Decision { id: string; caseNumber: string; decision: string; decidedAt: string; since?: string; foundBy?: string; reason?: string; deadLetteredAt?: string }
interface Answer { agency: string; writer: boolean; written: number; pending: number; deadLetters: number; pendingDecisions: Decision[]; deadLetterDecisions: Decision[] }

/**
 * `casebridge feedback [--agency X] [--json]`: feedback (信息反馈) per agency — the
 * platform's decisions written back to its system, pending, and dead letters; with
 * `--agency`, also each decision not written (case number, decision, since when, found how).
 */
export async function feedbackCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const answers = await perAgencyAnswers<Answer>(ctx, values.agency, id => `/api/agencies/${id}/feedback`)
  if (answers === undefined) return 0
  ctx.out(renderTable<Answer>([
    { header: t('column.agency'), value: a => a.agency },
    { header: t('column.feedbackWriter'), value: a => a.writer ? t('cli.feedback.hasWriter') : t('cli.feedback.noWriter') },
    { header: t('column.feedbackWritten'), value: a => a.written },
    { header: t('column.feedbackPending'), value: a => a.pending },
    { header: t('column.deadLettered'), value: a => a.deadLetters },
  ], answers))
  if (values.agency === undefined) return 0
  const answer = answers[0] as Answer
  const open = [...answer.pendingDecisions.map(d => ({ ...d, state: t(d.foundBy === 'reconciliation' ? 'cli.feedback.foundByReconciliation' : 'cli.feedback.onItsWay') })), ...answer.deadLetterDecisions.map(d => ({ ...d, state: d.reason ?? '' }))]
  if (open.length === 0) return 0
  ctx.out('')
  ctx.out(t('cli.feedback.notWritten', { agency: answer.agency, count: open.length }))
  ctx.out(renderTable<typeof open[number]>([
    { header: t('column.caseNumber'), value: d => d.caseNumber },
    { header: t('column.decision'), value: d => t(`feedback.decision.${d.decision}` as Parameters<typeof t>[0]) },
    { header: t('column.when'), value: d => d.since ?? d.deadLetteredAt ?? '' },
    { header: t('column.state'), value: d => d.state, max: 60 },
  ], open))
  return 0
}

/** `casebridge feedback retry --agency X [decision-id…]`: write the agency's feedback dead letters again (all when none named; operator role). */
export async function feedbackRetryCommand (args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { agency: { type: 'string' } })
  const ctx = await operatorContext(values)
  const agency = await chooseAgency(ctx, values.agency)
  const answer = await ctx.client.post<{ agency: string; requeued: number; notFound: number }>(`/api/agencies/${encodeURIComponent(agency)}/feedback/retry`, positionals.length === 0 ? {} : { keys: positionals })
  if (ctx.json) ctx.printJson(answer)
  else ctx.out(ctx.t('cli.feedback.retried', { agency, count: answer.requeued, notFound: answer.notFound }))
  return 0
}
