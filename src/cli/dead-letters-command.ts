import { parseCommand, operatorContext, UsageError, localTime } from './operator-context.js'
import { allKeys, chooseAgency, inChunks } from './agency-choice.js'
import { renderTable } from './table.js'

interface Entry { caseNumber: string; reason: string; attempts: number; deadLetteredAt: string }

/**
 * `casebridge dead-letters [list] --agency X`, `… retry --agency X [case…]` (all when none
 * named; operator role), `… discard --agency X <case…> | --all` (admin role).
 */
export async function deadLettersCommand (sub: 'list' | 'retry' | 'discard', args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { agency: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const agency = await chooseAgency(ctx, values.agency)
  const base = `/api/agencies/${encodeURIComponent(agency)}/dead-letters`
  switch (sub) {
    case 'list': {
      const limit = values.limit === undefined ? 100 : Number(values.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(t('cli.usage.limit'))
      const answer = await ctx.client.get<{ agency: string; count: number; entries: Entry[] }>(`${base}?limit=${limit}`)
      if (ctx.json) { ctx.printJson(answer); return 0 }
      ctx.out(t('cli.deadLetters.header', { agency, count: answer.count }))
      if (answer.entries.length === 0) return 0
      ctx.out('')
      ctx.out(renderTable<Entry>([
        { header: t('column.caseNumber'), value: e => e.caseNumber, max: 32 },
        { header: t('column.attempts'), value: e => e.attempts },
        { header: t('column.reason'), value: e => e.reason, max: 60 },
        { header: t('column.when'), value: e => localTime(e.deadLetteredAt, '') },
      ], answer.entries))
      return 0
    }
    case 'retry': {
      const answers = positionals.length === 0
        ? [await ctx.client.post<{ requeued: number; superseded: number; notFound: number }>(`${base}/retry`, {})]
        : await inChunks(positionals, async chunk => await ctx.client.post<{ requeued: number; superseded: number; notFound: number }>(`${base}/retry`, { keys: chunk }))
      const total = { agency, requeued: 0, superseded: 0, notFound: 0 }
      for (const a of answers) { total.requeued += a.requeued; total.superseded += a.superseded; total.notFound += a.notFound }
      if (ctx.json) ctx.printJson(total)
      else ctx.out(t('cli.deadLetters.retried', { agency, count: total.requeued, superseded: total.superseded }))
      return 0
    }
    case 'discard': {
      const keys = values.all === true ? await allKeys<Entry>(ctx, base, e => e.caseNumber) : positionals
      if (keys.length === 0) throw new UsageError(t('cli.usage.discardNeeds', { command: 'dead-letters', what: t('cli.usage.discardCases') }))
      const answers = await inChunks(keys, async chunk => await ctx.client.post<{ discarded: number }>(`${base}/discard`, { keys: chunk }))
      const discarded = answers.reduce((n, a) => n + a.discarded, 0)
      if (ctx.json) ctx.printJson({ agency, discarded })
      else ctx.out(t('cli.deadLetters.discarded', { agency, count: discarded }))
      return 0
    }
  }
}
