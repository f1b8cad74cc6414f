import type { FieldCompleteness } from '../schema/completeness.js'
import type { AlarmService } from './alarm-service.js'

/**
 * The incomplete_records alarm (信息不全): open while a field the configuration names
 * (`alarms.completeness`: field → least share of cases not missing it) is missing in more of
 * the agency's cases than allowed; resolved once every such field is back above its
 * minimum. A field the agency's mapping declares absent is a known gap of its system, not of
 * its records: it never alarms. Counted in cases lacking the worst field; `detail.message`
 * names each field below its minimum with its share, e.g. "/dates/decided 90.0% < 95%".
 */
export async function checkCompleteness (alarms: AlarmService, agencyId: string, cases: number, fields: readonly FieldCompleteness[], minimums: Readonly<Record<string, number | undefined>>): Promise<void> {
  const below = fields
    .filter(f => !f.missingByDesign && f.ratio !== null && minimums[f.field] !== undefined && f.ratio < (minimums[f.field] ?? 0))
    .sort((a, b) => (a.ratio ?? 0) - (b.ratio ?? 0))
  const worst = below[0]
  if (worst === undefined || cases === 0) { await alarms.resolve(agencyId, 'incomplete_records'); return }
  const percent = (r: number): string => `${(r * 100).toFixed(1)}%`
  await alarms.report(agencyId, 'incomplete_records', {
    count: worst.missingInRecords,
    samples: [],
    detail: {
      message: below.map(f => `${f.field} ${percent(f.ratio ?? 0)} < ${percent(minimums[f.field] ?? 0).replace('.0%', '%')}`).join('; '),
      fields: below.map(f => ({ field: f.field, ratio: f.ratio, minimum: minimums[f.field], missing: f.missingInRecords })),
      cases,
    },
  })
}
