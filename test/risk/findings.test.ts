/**
 * The findings from facts and rules, without Redis: threshold boundaries (exactly at the near
 * share, exactly at the threshold, one fen below), what keeps a case out (transferred,
 * withdrawn, another field, no amount), repeat parties inside and outside the window, and
 * handling time limits before and after their deadlines — a later clock moves a case from
 * warning to finding.
 */
import t from 'tap'
import { computeFindings, RISK_FINDING_KINDS, type AgencyFindings } from '../../src/risk/findings.js'
import { compileRiskRules } from '../../src/risk/risk-rules.js'
import type { CaseFacts } from '../../src/risk/case-facts.js'
import type { AgencyFacts } from '../../src/ledger/risk-facts-store.js'

const RULES = compileRiskRules(`
nearShare: 0.8
repeatParty: { windowDays: 30 }
thresholds:
  - { id: fake, causeContains: [伪劣, 假冒], amount: involved, threshold: "50000.00", citation: 例 }
  - { id: tobacco, field: tobacco, causeContains: [卷烟], amount: illegalGains, threshold: "20000.00", citation: 例 }
timeLimits:
  - { id: decide, procedure: general, from: dates.filed, to: dates.decided, days: 90, warnDays: 10 }
  - { id: transfer, from: suspectedCrimeSeen, to: transfer.transferDate, days: 4, warnDays: 1, agencies: [a] }
`, '/rules.yaml')

const DAY = 86_400_000
const base = (more: Partial<CaseFacts>): CaseFacts => ({ status: 'decided', penalised: true, parties: [], ...more })

function agencyFacts (entries: Record<string, CaseFacts>, crimeSeen: Record<string, number> = {}): AgencyFacts {
  return { facts: new Map(Object.entries(entries)), crimeSeenMs: new Map(Object.entries(crimeSeen)) }
}

const numbers = (f: AgencyFindings | undefined): Record<string, string[]> =>
  Object.fromEntries(RISK_FINDING_KINDS.map(kind => [kind, (f?.[kind] ?? []).map(x => x.caseNumber)]))

t.test('thresholds: at the near share, at the threshold, one fen below each', async t => {
  const facts = agencyFacts({
    'near-exact': base({ cause: '销售伪劣产品', involved: '40000.00', status: 'closed' }),
    'below-near': base({ cause: '销售伪劣产品', involved: '39999.99' }),
    'above-exact': base({ cause: '销售假冒商品', involved: '50000.00', status: 'closed' }),
    'just-below': base({ cause: '销售伪劣产品', involved: '49999.99', status: 'decided' }),
    'above-investigating': base({ cause: '销售伪劣产品', involved: '90000.00', status: 'investigating', penalised: false }),
    'above-transferred': base({ cause: '销售伪劣产品', involved: '90000.00', transferDate: '2026-03-01T00:00:00+08:00' }),
    'above-withdrawn': base({ cause: '销售伪劣产品', involved: '90000.00', status: 'withdrawn' }),
    'no-amount': base({ cause: '销售伪劣产品', fine: '90000.00' }),
    'other-cause': base({ cause: '虚假宣传', involved: '90000.00' }),
    'tobacco-wrong-field': base({ cause: '非法销售卷烟', illegalGains: '30000.00', field: 'market_regulation' }),
    'tobacco-above': base({ cause: '非法销售卷烟', illegalGains: '30000.00', field: 'tobacco' }),
  })
  const found = numbers(computeFindings(RULES, new Map([['a', facts]]), Date.parse('2026-06-01T00:00:00Z')).get('a'))
  t.same(found.near_threshold, ['above-investigating', 'just-below', 'near-exact'], 'near: from 80 % exactly, and above while not decided with a penalty')
  t.same(found.above_threshold_not_transferred, ['above-exact', 'tobacco-above'], 'above: from the threshold exactly, decided or closed with a penalty, no transfer; the field must match')
})

t.test('repeat parties: across agencies and within one, inside the window only', async t => {
  const at = (day: number): string => new Date(Date.parse('2026-01-01T00:00:00+08:00') + day * DAY).toISOString()
  const agencies = new Map([
    ['a', agencyFacts({ a1: base({ parties: ['p1'], decided: at(0) }), a2: base({ parties: ['p2'], decided: at(0) }), a3: base({ parties: ['p3'], decided: at(0) }), a4: base({ parties: ['p3'], decided: at(10) }) })],
    ['b', agencyFacts({ b1: base({ parties: ['p1'], decided: at(30) }), b2: base({ parties: ['p2'], decided: at(31) }), b3: base({ parties: ['p4'], decided: at(1), penalised: false }), b4: base({ parties: ['p4'], decided: at(2) }) })],
  ])
  const all = computeFindings(RULES, agencies, Date.now())
  t.same(numbers(all.get('a')).repeat_party, ['a1', 'a3', 'a4'], 'agency a: p1 30 days apart across agencies, p3 twice by a itself; p2 31 days apart is outside')
  t.same(numbers(all.get('b')).repeat_party, ['b1'], 'agency b: p1; p4\'s first case was not penalised')
  t.same(all.get('a')?.repeat_party.find(f => f.caseNumber === 'a1')?.detail.alsoIn, ['b:b1'], 'the finding names the other case by agency and number')
})

t.test('time limits: warning before the deadline, finding after, a later clock moves a case', async t => {
  const filed = '2026-01-01T00:00:00+08:00'
  const deadline = Date.parse(filed) + 90 * DAY
  const facts = agencyFacts({
    open: base({ procedure: 'general', filed, status: 'investigating' }),
    'decided-in-time': base({ procedure: 'general', filed, decided: new Date(deadline - DAY).toISOString() }),
    'decided-late': base({ procedure: 'general', filed, decided: new Date(deadline + DAY).toISOString() }),
    summary: base({ procedure: 'summary', filed, status: 'investigating' }),
    'no-procedure': base({ filed, status: 'investigating' }),
    'no-filing-date': base({ procedure: 'general', status: 'investigating' }),
    flagged: base({ suspectedCrime: true, status: 'investigating' }),
  }, { flagged: deadline - 3 * DAY })
  const at = (ms: number): Record<string, string[]> => numbers(computeFindings(RULES, new Map([['a', facts]]), ms).get('a'))
  t.same(at(deadline - 11 * DAY), { ...at(deadline - 11 * DAY), time_limit_warning: [], time_limit_exceeded: ['decided-late'] }, '11 days before: no warning yet; a decision after its deadline is a finding')
  t.same(at(deadline - 10 * DAY).time_limit_warning, ['open'], '10 days before (warnDays): warning')
  const later = at(deadline + 1)
  t.same(later.time_limit_warning, ['flagged'], 'just after the deadline: the flagged case is a day from its transfer limit')
  t.same(later.time_limit_exceeded, ['decided-late', 'open'], 'and the open case moved from warning to finding')
  t.same(at(deadline + 2 * DAY).time_limit_exceeded, ['decided-late', 'flagged', 'open'], 'transfer within 4 days of the hub seeing the suspected-crime flag: exceeded after')
  const other = numbers(computeFindings(RULES, new Map([['b', facts]]), deadline + 2 * DAY).get('b'))
  t.same(other.time_limit_exceeded, ['decided-late', 'open'], 'the transfer limit is only for agency a (agencies:)')
})
