import { setTimeout as sleep } from 'node:timers/promises'
import { parseCommand, operatorContext } from './operator-context.js'
import { chooseAgency } from './agency-choice.js'
import { ProgressBar } from './progress-bar.js'
import type { AgencyStatus } from '../admin/agency-status.js'

/**
 * `casebridge sync --agency X [--no-wait]`: pull an agency now (operator role) and, unless
 * --no-wait, follow the pull to its end — with a live count and rate on a terminal (a
 * back-fill can take long). `--json` prints the trigger's answer and the agency's status
 * after the pull, as the API gave them.
 */
export async function syncCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' }, 'no-wait': { type: 'boolean' }, 'poll-ms': { type: 'string' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const agency = await chooseAgency(ctx, values.agency)
  const path = `/api/agencies/${encodeURIComponent(agency)}`
  const before = await ctx.client.get<AgencyStatus>(path)
  // A paused agency is not pulled: following its pull would wait forever on a count of 0.
  if (before.paused !== null) {
    process.stderr.write(`casebridge sync: ${t('cli.sync.paused', { agency, at: before.paused.at, by: before.paused.by })}\n`)
    return 1
  }
  const trigger = await ctx.client.post<{ agency: string; started: boolean }>(`${path}/sync`, {})
  if (!ctx.json) ctx.out(t(trigger.started ? 'cli.sync.started' : 'cli.sync.alreadyRunning', { agency }))
  if (values['no-wait'] === true) {
    if (ctx.json) ctx.printJson({ sync: trigger })
    return 0
  }
  const pollMs = Number(values['poll-ms'] ?? 500)
  const bar = new ProgressBar(process.stdout, agency, rate => t('cli.progress.rate', { rate }))
  const startedAt = Date.now()
  let status = before
  // Done once a pull has ended after the trigger: the last-pull time moved and none runs.
  while (status.pulling || status.lastPullAt === before.lastPullAt) {
    await sleep(pollMs)
    status = await ctx.client.get<AgencyStatus>(path)
    bar.update(status.counts.pulled - before.counts.pulled)
  }
  const records = status.counts.pulled - before.counts.pulled
  bar.finish(records)
  if (ctx.json) ctx.printJson({ sync: trigger, agency: status })
  else ctx.out(t('cli.sync.done', { agency, records, seconds: ((Date.now() - startedAt) / 1000).toFixed(1) }))
  return 0
}
