import { parseCommand, operatorContext, UsageError, localTime } from './operator-context.js'
import { allKeys, chooseAgency, inChunks } from './agency-choice.js'
import { renderTable } from './table.js'
import type { Translate } from '../i18n/translate.js'

interface Problem { reason: string; rule: string; message: string; value?: string }
interface Entry { recordKey: string; caseNumber?: string; stage: string; stageText: string; problems: Problem[]; quarantinedAt: string; origin?: { file: string; line: number }; position?: { page: number; index: number } }

/** One line of the table: a problem of an entry; the entry's own columns only on its first. */
interface Line { entry: Entry; problem: Problem | undefined; first: boolean }

/** Where the record was read: file and line (a file drop), or page and item (an API pull). */
function originText (t: Translate, e: Entry): string {
  if (e.origin !== undefined) return t('cli.quarantine.fileLine', { file: e.origin.file, line: e.origin.line })
  if (e.position !== undefined) return t('cli.quarantine.pageItem', { page: e.position.page, index: e.position.index })
  return ''
}

/**
 * What to do about a problem. The engine's `message` says what was expected, in English:
 * English readers get it; others get the rule's code, which names it exactly.
 */
function hintText (t: Translate, p: Problem | undefined): string {
  if (p === undefined) return ''
  return t.locale === 'en' && p.message !== '' ? p.message : p.rule
}

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
    const lines = answer.entries.flatMap(entry => (entry.problems.length === 0 ? [undefined] : entry.problems).map((problem, i): Line => ({ entry, problem, first: i === 0 })))
    const own = (text: (e: Entry) => string) => (l: Line): string => (l.first ? text(l.entry) : '')
    // The reason, value and hint are what the operator acts on: they take the terminal's width, and are whole in a pipe.
    ctx.out(renderTable<Line>([
      { header: t('column.record'), value: own(e => e.recordKey), max: 32 },
      { header: t('column.stage'), value: own(e => e.stageText) },
      { header: t('column.reason'), value: l => l.problem?.reason ?? '', flex: true },
      { header: t('column.value'), value: l => l.problem?.value ?? '', max: 24 },
      { header: t('column.hint'), value: l => hintText(t, l.problem), flex: true },
      { header: t('column.origin'), value: own(e => originText(t, e)), max: 40 },
      { header: t('column.when'), value: own(e => localTime(e.quarantinedAt, '')) },
    ], lines, process.stdout.isTTY === true ? process.stdout.columns : undefined))
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
