import { parseCommand, operatorContext } from './operator-context.js'
import { chooseAgency } from './agency-choice.js'
import { ReconcileProgressLine, reconcileReport } from './reconcile-progress.js'
import type { ReconcileResult } from '../reconcile/findings.js'
import type { ReconcileProgress } from '../reconcile/progress.js'

const POLL_MS = 500

/**
 * `casebridge reconcile --agency X [--repair] [--full-listing]` through the running hub
 * (operator role): waits for the run — on a terminal following its progress (phase,
 * records so far and their rate, from GET …/reconcile/progress) — then prints the findings
 * per kind (`--json`: the API's answer as it is).
 */
export async function reconcileApiCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' }, repair: { type: 'boolean' }, 'full-listing': { type: 'boolean' } })
  const ctx = await operatorContext(values, process.env, 6 * 3600_000)
  const agency = await chooseAgency(ctx, values.agency)
  const path = `/api/agencies/${encodeURIComponent(agency)}/reconcile`
  const line = new ReconcileProgressLine(process.stdout, agency, ctx.t)
  const started = Date.now()
  let finished = false
  let wake: (() => void) | undefined
  const follow = async (): Promise<void> => {
    if (process.stdout.isTTY !== true || ctx.json) return
    while (!finished) {
      const now = await ctx.client.get<{ running: boolean; progress?: ReconcileProgress }>(`${path}/progress`).catch(() => undefined)
      if (finished) return
      if (now?.progress !== undefined) line.show(now.progress)
      else line.wait(Math.round((Date.now() - started) / 1000))
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, POLL_MS)
        wake = () => { clearTimeout(timer); resolve() }
      })
    }
  }
  const following = follow()
  let answer: ReconcileResult
  try {
    answer = await ctx.client.post<ReconcileResult>(path, { repair: values.repair === true, fullListing: values['full-listing'] === true })
  } finally {
    finished = true
    wake?.()
    await following
    line.clear()
  }
  if (ctx.json) ctx.printJson(answer)
  else for (const text of reconcileReport(ctx.t, agency, answer)) ctx.out(text)
  return 0
}
