import { parseCommand, operatorContext, perAgencyAnswers } from './operator-context.js'
import { renderTable } from './table.js'

interface Field { field: string; missingInRecords: number; missingByDesign: boolean; note?: string; ratio: number | null }
interface Answer { agency: string; cases: number; fields: Field[] }

/**
 * `casebridge completeness [--agency X] [--json]`: 信息不全 per agency and expected field —
 * the share of its cases with the field, how many lack it, and the fields its system does
 * not have (absent: in its mapping, with the note). Every agency when none is named.
 */
export async function completenessCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const answers = await perAgencyAnswers<Answer>(ctx, values.agency, id => `/api/agencies/${id}/completeness`)
  if (answers === undefined) return 0
  answers.forEach((a, i) => {
    if (i > 0) ctx.out('')
    ctx.out(t('cli.completeness.header', { agency: a.agency, cases: a.cases }))
    ctx.out(renderTable<Field>([
      { header: t('column.field'), value: f => f.field },
      { header: t('column.complete'), value: f => f.ratio === null ? '-' : `${(f.ratio * 100).toFixed(1)}%` },
      { header: t('column.missing'), value: f => f.missingByDesign ? t('cli.completeness.byDesign') : f.missingInRecords },
      { header: t('column.note'), value: f => f.note ?? '', max: 60 },
    ], a.fields))
  })
  return 0
}
