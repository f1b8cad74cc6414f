import { parseCommand, operatorContext } from './operator-context.js'
import { chooseAgency } from './agency-choice.js'
import { ProgressBar } from './progress-bar.js'

interface Finding { count: number; samples: string[] }
interface ReconcileAnswer { runId: string; durationMs: number; counts: { sourceRecords: number; compared: number; target: number }; findings: Record<string, Finding>; repair?: { enqueued: number } }

/**
 * `casebridge reconcile --agency X [--repair] [--full-listing]` through the running hub
 * (operator role): waits for the run, showing the elapsed time on a terminal, then prints
 * the findings per kind (`--json`: the API's answer as it is).
 */
export async function reconcileApiCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' }, repair: { type: 'boolean' }, 'full-listing': { type: 'boolean' } })
  const ctx = await operatorContext(values, process.env, 6 * 3600_000)
  const { t } = ctx
  const agency = await chooseAgency(ctx, values.agency)
  const bar = new ProgressBar(process.stdout, `${agency} ${t('cli.reconcile.running')}`, rate => rate)
  const started = Date.now()
  const ticker = setInterval(() => bar.tick(t('cli.seconds', { value: Math.round((Date.now() - started) / 1000) })), 500)
  let answer: ReconcileAnswer
  try {
    answer = await ctx.client.post<ReconcileAnswer>(`/api/agencies/${encodeURIComponent(agency)}/reconcile`, { repair: values.repair === true, fullListing: values['full-listing'] === true })
  } finally {
    clearInterval(ticker)
    bar.tick('', true)
  }
  if (ctx.json) { ctx.printJson(answer); return 0 }
  ctx.out(t('cli.reconcile.done', { agency, seconds: (answer.durationMs / 1000).toFixed(1), source: answer.counts.sourceRecords, compared: answer.counts.compared }))
  for (const [kind, finding] of Object.entries(answer.findings)) {
    if (finding.count > 0) ctx.out(`  ${kind}: ${finding.count}  ${finding.samples.slice(0, 5).join(', ')}${finding.samples.length > 5 ? ' …' : ''}`)
  }
  if (Object.values(answer.findings).every(f => f.count === 0)) ctx.out(`  ${t('cli.reconcile.clean')}`)
  if (answer.repair !== undefined) ctx.out(`  ${t('cli.reconcile.repaired', { count: answer.repair.enqueued })}`)
  return 0
}
