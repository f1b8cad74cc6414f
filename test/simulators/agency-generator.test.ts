import t from 'tap'
import {
  generateAgencyCase, INVALID_KIND_FIELDS, INVALID_KINDS, RECORDS_PER_TIMESTAMP, caseNumberAt,
  type AgencyRecord, type InvalidKind,
} from '../../fixtures/agency-sim/index.js'
import { isResidentIdNumber, residentIdCheckChar } from '../../src/schema/check-digits.js'
import { agencyRuleViolations, isCalendarDay } from './fixtures/agency-rules.js'

const generate = (seed: number, count: number): ReturnType<typeof generateAgencyCase>[] =>
  Array.from({ length: count }, (_, i) => generateAgencyCase(seed, i))

t.test('the same seed makes identical cases and another seed different ones', async t => {
  const a = generate(7, 300)
  t.same(generate(7, 300), a, 'seed 7 twice')
  const b = generate(8, 300)
  const differing = a.filter((g, i) => JSON.stringify(g.record) !== JSON.stringify(b[i]?.record)).length
  t.ok(differing >= 295, `seed 8 differs in ${differing} of 300`)
  t.same(a.map(g => g.record.AJBH), b.map(g => g.record.AJBH), 'case numbers come from the index alone')
  t.equal(a[0]?.record.AJBH, 'SCJG-320322-2024-000001')
  t.equal(caseNumberAt(41), 'SCJG-320322-2024-000042')
})

t.test('every case without a planted defect keeps the consistency rules', async t => {
  for (const seed of [1, 2, 3]) {
    const broken = generate(seed, 1000)
      .filter(g => g.invalid === undefined)
      .map(g => ({ caseNumber: g.record.AJBH, rules: agencyRuleViolations(g.record) }))
      .filter(b => b.rules.length > 0)
    t.same(broken.slice(0, 5), [], `seed ${seed}: no valid-by-design case breaks a rule`)
  }
})

t.test('the generated cases look like a county bureau: mostly summary procedure, every status and party kind', async t => {
  const records = generate(1, 1000).map(g => g.record)
  const share = (pred: (r: AgencyRecord) => boolean): number => records.filter(pred).length / records.length
  const summary = share(r => r.CXLX === '2')
  t.ok(summary > 0.6 && summary < 0.8, `about 70 % summary procedure (${summary})`)
  for (const status of ['10', '20', '30', '40', '50']) t.ok(share(r => r.AJZT === status) > 0, `status ${status} occurs`)
  t.ok(share(r => r.DSR.some(p => p.DSRLX === '2')) > 0.2, 'organisations occur')
  t.ok(share(r => r.DSR.length > 1) > 0.05, 'several parties occur')
  t.ok(share(r => r.JCYBARQ !== '') > 0, 'procuratorate copies occur')
  t.ok(records.every(r => /^《[^》]+》第.+条$/.test(r.WFYJ)), 'legal basis is 《law》 and article')
  t.ok(records.every(r => r.GXSJ.startsWith('2024-')), 'GXSJ spread over 2024')
  const months = new Set(records.map(r => r.GXSJ.slice(5, 7)))
  t.ok(months.size >= 10, `GXSJ in ${months.size} months`)
})

t.test('groups of consecutive cases share one GXSJ second, so a cursor meets many ties', async t => {
  const records = generate(3, 200).map(g => g.record)
  for (let group = 0; group < 200 / RECORDS_PER_TIMESTAMP; group++) {
    const stamps = new Set(records.slice(group * RECORDS_PER_TIMESTAMP, (group + 1) * RECORDS_PER_TIMESTAMP).map(r => r.GXSJ))
    t.equal(stamps.size, 1, `group ${group} shares one GXSJ`)
  }
  t.equal(new Set(records.map(r => r.GXSJ)).size, 200 / RECORDS_PER_TIMESTAMP, 'groups differ')
})

t.test('about one case in forty carries a planted defect, every kind in any 200 cases', async t => {
  for (let seed = 1; seed <= 20; seed++) {
    const invalid = generate(seed, 200).flatMap(g => g.invalid === undefined ? [] : [g.invalid.kind])
    t.ok(invalid.length >= 4 && invalid.length <= 6, `seed ${seed}: ${invalid.length} of 200`)
    t.same([...new Set(invalid)].sort(), [...INVALID_KINDS].sort(), `seed ${seed}: every kind`)
  }
})

const described: Record<InvalidKind, (r: AgencyRecord) => boolean> = {
  'bad-id-check-char': r => {
    const id = r.DSR[0]?.ZJHM ?? ''
    return r.DSR[0]?.DSRLX === '1' && /^\d{17}[\dX]$/.test(id) && isCalendarDay(id.slice(6, 14)) &&
      residentIdCheckChar(id.slice(0, 17)) !== id[17] && !isResidentIdNumber(id)
  },
  'transfer-not-suspected': r => r.AJZT === '50' && r.YSRQ !== '' && r.SFSXFZ === '0',
  'closed-before-filed': r => r.AJZT === '40' && r.JASJ !== '' && r.JASJ < r.LASJ,
  'impossible-filed-date': r => /^\d{8}$/.test(r.LASJ) && !isCalendarDay(r.LASJ),
}

t.test('each planted defect is the described one, names its canonical field, and is the only thing wrong', async t => {
  const invalid = [1, 2, 3, 4].flatMap(seed => generate(seed, 400)).filter(g => g.invalid !== undefined)
  t.ok(invalid.length >= 32, `${invalid.length} defects checked`)
  for (const { record, invalid: defect } of invalid) {
    if (defect === undefined) continue
    t.ok(described[defect.kind](record), `${record.AJBH}: ${defect.kind}`)
    t.equal(defect.field, INVALID_KIND_FIELDS[defect.kind])
    t.equal(agencyRuleViolations(record).length, 1, `${record.AJBH}: exactly one rule broken (${agencyRuleViolations(record).join('; ')})`)
  }
  t.equal(INVALID_KIND_FIELDS['bad-id-check-char'], '/parties/0/idNumber')
  t.equal(INVALID_KIND_FIELDS['transfer-not-suspected'], '/transfer/suspectedCrime')
  t.equal(INVALID_KIND_FIELDS['closed-before-filed'], '/dates/closed')
  t.equal(INVALID_KIND_FIELDS['impossible-filed-date'], '/dates/filed')
})

t.test('a case made valid on demand is stamped with the given time and never carries a defect', async t => {
  const defective = generate(1, 200).findIndex(g => g.invalid !== undefined)
  const updatedAtMs = Date.UTC(2025, 5, 1, 2, 3, 4)
  const made = generateAgencyCase(1, defective, { updatedAtMs, forceValid: true })
  t.equal(made.invalid, undefined)
  t.equal(made.record.GXSJ, '2025-06-01 10:03:04', 'GXSJ in +08:00')
  t.same(agencyRuleViolations(made.record), [])
})
