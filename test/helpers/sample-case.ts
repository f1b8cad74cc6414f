import type { CanonicalCase } from '../../src/generated/case.js'

/** A valid canonical case with a person and an organisation, a fine, and dates in two offsets. */
export function sampleCase (over: Partial<CanonicalCase> = {}): CanonicalCase {
  return {
    schemaVersion: 1,
    agency: { code: '11320322014166079X', name: '沛县市场监督管理局' },
    caseNumber: '沛市监罚〔2024〕12号',
    regionCode: '320322',
    classification: { field: 'market_regulation', procedure: 'general', cause: '销售不合格产品' },
    parties: [
      { kind: 'person', name: '张三', idNumber: '11010519491231002X' },
      { kind: 'organisation', name: '沛县某某商贸有限公司', creditCode: '91320322MA1XXXXXXX' },
    ],
    penalties: [{ kind: 'fine' }],
    amounts: { fine: '4.35' },
    dates: { filed: '2024-01-31T09:30:00+08:00', decided: '2024-02-01T01:00:00Z' },
    status: 'decided',
    transfer: { suspectedCrime: false },
    sourceUpdatedAt: '2024-02-01T10:15:30.123+08:00',
    ...over,
  }
}
