import { parseCommand, operatorContext, UsageError, localTime } from './operator-context.js'
import { chooseAgency } from './agency-choice.js'
import { renderTable } from './table.js'
import type { MessageKey } from '../i18n/messages-en.js'

interface TraceEvent { seq: number; at: number; kind: string; hash: string; [detail: string]: unknown }
interface ChainBreak { caseNumber: string; seq: number; problem: string }
interface TraceAnswer { agency: string; caseNumber: string; anchor?: { seq: number; hash: string }; events: TraceEvent[]; verified: boolean; break?: ChainBreak }
interface VerifyAnswer { agency: string; cases: number; events: number; breaks: ChainBreak[] }

const CHAIN_FIELDS = new Set(['seq', 'at', 'kind', 'prev', 'alg', 'hash'])

/** An event's details on one line: `key=value`, nested values as compact JSON. */
function detailsOf (e: TraceEvent): string {
  return Object.entries(e).filter(([k]) => !CHAIN_FIELDS.has(k)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
}

/**
 * `casebridge trace --agency X <case> [--json]`: the case's timeline and whether its chain
 * verifies; `… --verify --agency X`: every chain of the agency (exit 1 on a break);
 * `… --replay --agency X <case>`: re-send the case through the push queue (operator role).
 */
export async function traceCommand (args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { agency: { type: 'string' }, verify: { type: 'boolean' }, replay: { type: 'boolean' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const agency = await chooseAgency(ctx, values.agency)
  const base = `/api/agencies/${encodeURIComponent(agency)}`
  if (values.verify === true) {
    const answer = await ctx.client.get<VerifyAnswer>(`${base}/trace/verify`)
    if (ctx.json) ctx.printJson(answer)
    else {
      ctx.out(t(answer.breaks.length === 0 ? 'cli.trace.verifyOk' : 'cli.trace.verifyBroken', { agency, cases: answer.cases, events: answer.events, count: answer.breaks.length }))
      if (answer.breaks.length > 0) {
        ctx.out('')
        ctx.out(renderTable<ChainBreak>([
          { header: t('column.caseNumber'), value: b => b.caseNumber, max: 32 },
          { header: t('column.seq'), value: b => b.seq },
          { header: t('column.reason'), value: b => t(`trace.problem.${b.problem}` as MessageKey), max: 80 },
        ], answer.breaks))
      }
    }
    return answer.breaks.length === 0 ? 0 : 1
  }
  const caseNumber = positionals[0]
  if (caseNumber === undefined) throw new UsageError(t('cli.usage.traceNeeds'))
  const caseBase = `${base}/cases/${encodeURIComponent(caseNumber)}`
  if (values.replay === true) {
    const answer = await ctx.client.post<{ agency: string; caseNumber: string; enqueued: number }>(`${caseBase}/replay`, {})
    if (ctx.json) ctx.printJson(answer)
    else ctx.out(t('cli.trace.replayed', { agency, caseNumber, enqueued: answer.enqueued }))
    return 0
  }
  const answer = await ctx.client.get<TraceAnswer>(`${caseBase}/trace`)
  if (ctx.json) { ctx.printJson(answer); return answer.verified ? 0 : 1 }
  ctx.out(t('cli.trace.header', { agency, caseNumber, count: answer.events.length }))
  if (answer.anchor !== undefined) ctx.out(t('cli.trace.anchor', { seq: answer.anchor.seq, hash: answer.anchor.hash.slice(0, 16) }))
  if (answer.events.length === 0 && answer.anchor === undefined) { ctx.out(t('cli.trace.none')); return 0 }
  ctx.out('')
  ctx.out(renderTable<TraceEvent>([
    { header: t('column.seq'), value: e => e.seq },
    { header: t('column.when'), value: e => localTime(new Date(e.at).toISOString(), '') },
    { header: t('column.event'), value: e => t(`trace.kind.${e.kind}` as MessageKey) },
    { header: t('column.details'), value: detailsOf, max: 100 },
  ], answer.events))
  ctx.out('')
  ctx.out(answer.break === undefined ? t('cli.trace.verified') : t('cli.trace.broken', { seq: answer.break.seq, problem: t(`trace.problem.${answer.break.problem}` as MessageKey) }))
  return answer.verified ? 0 : 1
}
