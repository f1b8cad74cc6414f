import { parseCommand, operatorContext } from './operator-context.js'
import { chooseAgency } from './agency-choice.js'

/**
 * `casebridge pause --agency X`, `resume --agency X`, `clear-retries --agency X` (operator
 * role): stop an agency that misbehaves, or its retry storm, without stopping the hub.
 */
export async function flowCommand (action: 'pause' | 'resume' | 'clear-retries', args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const agency = await chooseAgency(ctx, values.agency)
  const base = `/api/agencies/${encodeURIComponent(agency)}`
  if (action === 'clear-retries') {
    const answer = await ctx.client.post<{ agency: string; jobs: number; cases: number; busy: number }>(`${base}/retries/clear`, {})
    if (ctx.json) ctx.printJson(answer)
    else ctx.out(t('cli.flow.retriesCleared', { agency, jobs: answer.jobs, cases: answer.cases, busy: answer.busy }))
    return 0
  }
  const answer = await ctx.client.post<{ agency: string; paused: boolean; changed: boolean }>(`${base}/${action}`, {})
  if (ctx.json) ctx.printJson(answer)
  else ctx.out(t(answer.paused ? (answer.changed ? 'cli.flow.paused' : 'cli.flow.alreadyPaused') : (answer.changed ? 'cli.flow.resumed' : 'cli.flow.notPaused'), { agency }))
  return 0
}
