import { parseCommand, operatorContext, UsageError, localTime } from './operator-context.js'
import { allKeys, chooseAgency, inChunks } from './agency-choice.js'
import { renderTable } from './table.js'

interface Problem { reason: string }
interface Entry { recordKey: string; caseNumber?: string; stage: string; stageText: string; problems: Problem[]; quarantinedAt: string }

/**
 * `casebridge quarantine [list] --agency X [--limit N]` and
 * `casebridge quarantine discard --agency X <record…> | --all` (admin role). Re-processing
 * (`quarantine retry`) belongs to the mapping module.
 */
export async function quarantineAdminCommand (sub: 'list' | 'discard', args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { agency: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' } })
  const ctx = await operatorContext(values)
  const agency = await chooseAgency(ctx, values.agency)
  const base = `/api/agencies/${encodeURIComponent(agency)}/quarantine`
  if (sub === 'list') {
    const limit = values.limit === undefined ? 100 : Number(values.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(ctx.t('cli.usage.limit'))
    const answer = await ctx.client.get<{ agency: string; count: number; entries: Entry[] }>(`${base}?limit=${limit}`)
    if (ctx.json) { ctx.printJson(answer); return 0 }
    const { t } = ctx
    ctx.out(t('cli.quarantine.header', { agency, count: answer.count }))
    if (answer.entries.length === 0) return 0
    ctx.out('')
    ctx.out(renderTable<Entry>([
      { header: t('column.record'), value: e => e.recordKey, max: 32 },
      { header: t('column.stage'), value: e => e.stageText },
      { header: t('column.reason'), value: e => (e.problems[0]?.reason ?? '') + (e.problems.length > 1 ? ` (+${e.problems.length - 1})` : ''), max: 60 },
      { header: t('column.when'), value: e => localTime(e.quarantinedAt, '') },
    ], answer.entries))
    return 0
  }
  const keys = values.all === true ? await allKeys<Entry>(ctx, base, e => e.recordKey) : positionals
  if (keys.length === 0) throw new UsageError(ctx.t('cli.usage.discardNeeds', { command: 'quarantine', what: ctx.t('cli.usage.discardRecords') }))
  const answers = await inChunks(keys, async chunk => await ctx.client.post<{ agency: string; discarded: number }>(`${base}/discard`, { keys: chunk }))
  const discarded = answers.reduce((n, a) => n + a.discarded, 0)
  if (ctx.json) ctx.printJson({ agency, discarded })
  else ctx.out(ctx.t('cli.quarantine.discarded', { agency, count: discarded }))
  return 0
}
