import { parseCommand, operatorContext } from './operator-context.js'
import { renderTable } from './table.js'
import type { SupervisionRow } from '../admin/supervision.js'

/** A part the hub may not keep: its total, or "-" (not kept — never shown as 0). */
function total (counts: Readonly<Record<string, number>> | null): string | number {
  return counts === null ? '-' : Object.values(counts).reduce((a, b) => a + b, 0)
}

/** "2 (near_threshold 1, repeat_party 1)": a part's total with the kinds that are not zero. */
function byKind (counts: Readonly<Record<string, number>> | null): string {
  const sum = total(counts)
  const kinds = Object.entries(counts ?? {}).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`)
  return kinds.length === 0 ? String(sum) : `${sum} (${kinds.join(', ')})`
}

/**
 * `casebridge supervision [--agency X] [--since DATE]` (GET /api/supervision): per agency,
 * cases pulled and delivered, missing on the platform, late entries, transfer-risk and
 * time-limit findings, feedback pending. A part the hub does not keep shows "-".
 */
export async function supervisionCommand (args: string[]): Promise<number> {
  const { values } = parseCommand(args, { agency: { type: 'string' }, since: { type: 'string' } })
  const ctx = await operatorContext(values)
  const { t } = ctx
  const query = new URLSearchParams({ ...(values.agency === undefined ? {} : { agency: values.agency }), ...(values.since === undefined ? {} : { since: values.since }) })
  const answer = await ctx.client.get<{ agencies: SupervisionRow[] }>(`/api/supervision${query.size > 0 ? `?${query.toString()}` : ''}`)
  if (ctx.json) { ctx.printJson(answer); return 0 }
  ctx.out(values.since === undefined ? t('cli.supervision.headerAll') : t('cli.supervision.headerSince', { since: values.since }))
  ctx.out(renderTable<SupervisionRow>([
    { header: t('column.agency'), value: r => r.agency },
    { header: t('column.pulled'), value: r => r.pulled },
    { header: t('column.delivered'), value: r => r.delivered },
    { header: t('column.pending'), value: r => r.pending },
    { header: t('column.missingOnPlatform'), value: r => r.missingOnPlatform?.count ?? '-' },
    { header: t('column.lateEntries'), value: r => r.lateEntries.count },
    { header: t('column.transferRisk'), value: r => total(r.transferRisk) },
    { header: t('column.timeLimits'), value: r => total(r.timeLimits) },
    { header: t('column.feedbackNotWritten'), value: r => r.feedbackPending ?? '-' },
  ], answer.agencies))
  // Below the table, what a number alone does not say: which cases, and as of when.
  for (const r of answer.agencies) {
    const lines: string[] = []
    if (r.missingOnPlatform === null) lines.push(t('cli.supervision.notReconciled'))
    else if (r.missingOnPlatform.count > 0) lines.push(t('cli.supervision.missing', { count: r.missingOnPlatform.count, at: r.missingOnPlatform.reconciledAt, cases: r.missingOnPlatform.samples.slice(0, 5).join(', ') }))
    if (r.lateEntries.count > 0) lines.push(t('cli.supervision.late', { count: r.lateEntries.count, days: r.lateEntries.deadlineDays, cases: r.lateEntries.samples.slice(0, 5).join(', ') }))
    if (total(r.transferRisk) !== 0 && r.transferRisk !== null) lines.push(t('cli.supervision.risk', { counts: byKind(r.transferRisk) }))
    if (total(r.timeLimits) !== 0 && r.timeLimits !== null) lines.push(t('cli.supervision.timeLimits', { counts: byKind(r.timeLimits) }))
    for (const line of lines) ctx.out(`${r.agency}: ${line}`)
  }
  if (answer.agencies.some(r => r.transferRisk === null || r.timeLimits === null || r.feedbackPending === null)) ctx.out(t('cli.supervision.dashMeans'))
  return 0
}
