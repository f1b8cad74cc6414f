/**
 * `absent:` and the tiers of requiredness, as an administrator meets them: a ten-column
 * county export (fixtures/agencies/county-ten-column) mapped without a single stand-in
 * previews with every record whose identity is valid, the fields its system lacks reported
 * once as the agency's known gaps; what is wrong in a record (a missing party name, an
 * impossible date, a wrong ID check digit) is still refused with its field; and a mapping
 * cannot declare an identity field absent, nor one it also maps.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compileMapping, loadMapping } from '../../src/mapping/load-mapping.js'
import { MAPPING_HEAD, mappingErrorOf } from '../helpers/mapping-errors.js'
import { previewSample } from '../../src/pipeline/preview.js'
import { projectRoot } from '../../src/paths.js'

const DIR = join(projectRoot, 'fixtures', 'agencies', 'county-ten-column')
const FILE = '/agency/mappings/absent.yaml'
const head = MAPPING_HEAD

const errorOf = (t: Test, text: string): string => mappingErrorOf(t, text, FILE)

t.test('a ten-column export mapped with absent: delivers every record with its identity, its missing fields as known gaps', async t => {
  const mapping = await loadMapping(join(DIR, 'mapping.yaml'))
  const report = await previewSample(mapping, readFileSync(join(DIR, 'sample.csv')), 'sample.csv')
  const rows = readFileSync(join(DIR, 'sample.csv'), 'utf8').trim().split('\n').slice(1)
  t.equal(report.results.length, rows.length, 'one result per row')
  t.match(report.summary, { records: 7, valid: 4, invalid: 3, skipped: 0, withGaps: 1, gaps: { '/dates/decided': 1 } })
  t.same(report.knownGaps.map(g => g.field), ['/regionCode', '/classification/field', '/classification/procedure', '/penalties', '/dates/filed', '/dates/closed', '/transfer/suspectedCrime', '/transfer/transferDate', '/transfer/receivingUnit'], "the agency's known gaps, in the file's order")
  t.ok(report.knownGaps.every(g => g.note.length > 0), 'each with its note')
  const refused = report.results.flatMap(r => r.outcome === 'invalid' ? [{ record: r.record, problems: r.problems.map(p => `${p.sourceField ?? ''} → ${p.canonicalField} [${p.rule}]`) }] : [])
  t.same(refused, [
    { record: 4, problems: ['当事人名称 → /parties/0/name [required]'] },
    { record: 5, problems: ['处罚决定日期 → /dates/decided [date:yyyy-MM-dd]'] },
    { record: 6, problems: ['证件号码 → /parties/0/idNumber [format:cn-resident-id]'] },
  ], 'a missing party name, an impossible date and a wrong check digit are still refused with their field')
  for (const r of report.results) {
    if (r.outcome !== 'valid') continue
    const absentHere = r.gaps.filter(g => mapping.absentFields.has(g.field))
    t.same(absentHere, [], `record ${r.record}: no gap counted for a field the system does not have`)
    t.notOk('regionCode' in r.case || 'penalties' in r.case || 'transfer' in r.case, `record ${r.record}: nothing invented for the absent fields`)
  }
  const seventh = report.results[6]
  t.same(seventh?.outcome === 'valid' ? seventh.gaps : undefined, [{ field: '/dates/decided', rule: 'decisionDate', why: 'a decided or closed case has a decision date' }],
    'a decided case with an empty decision date is delivered; the date is its gap (the status implies it)')
  const second = report.results[1]
  t.same(second?.outcome === 'valid' ? second.gaps : undefined, [], 'a closed case without a closing date column: no record gap, the column is a known gap')
})

t.test('only expected fields can be absent, and not while also mapped', async t => {
  t.equal(errorOf(t, head + 'absent:\n  /caseNumber: not exported\nfields:\n  /a: { from: A }\n'),
    `${FILE}:5:3: /caseNumber cannot be declared absent: it identifies the case, which is not delivered without it (the identity fields: /schemaVersion, /agency, /agency/code, /agency/name, /caseNumber, /status, /parties)`)
  t.match(errorOf(t, head + 'absent:\n  /parties/name: not exported\nfields:\n  /a: { from: A }\n'), /\/parties\/name cannot be declared absent: it identifies the case/, 'nor a part of an identity field')
  t.match(errorOf(t, head + 'absent:\n  /factsSummary: not exported\nfields:\n  /a: { from: A }\n'),
    new RegExp(`^${FILE}:5:3: /factsSummary is not an expected field, so it needs no declaration: a field outside the expected tier is simply left out \\(the expected fields: /regionCode, `), 'an optional field needs no declaration')
  t.match(errorOf(t, head + 'absent:\n  /regionCode: none\nfields:\n  /regionCode: { from: XZQH }\n'),
    new RegExp(`^${FILE}:5:3: /regionCode is declared absent but also set at ${FILE}:7:3; remove one of them$`))
  t.match(errorOf(t, head + 'absent:\n  /regionCode: ""\nfields:\n  /a: { from: A }\n'), new RegExp(`^${FILE}:5:`), 'a note is required')
})

t.test('derive: fills a field by a rule true by construction, marks it derived, and never guesses', async t => {
  const text = readFileSync(join(DIR, 'mapping.yaml'), 'utf8')
    .replace('  /regionCode: the export has no division code column\n', '')
    .replace('  /transfer/suspectedCrime: the export has no suspected-crime flag\n', '')
    .replace('absent:\n', 'derive: [regionFromAgencyCode, suspectedCrimeFromTransfer]\n\nabsent:\n')
  const mapping = compileMapping(text, join(DIR, 'derived.yaml'))
  const csv = readFileSync(join(DIR, 'sample.csv'), 'utf8').trim().split('\n')
  const transferred = csv[1]!.replace('县市监罚〔2026〕1号', '县市监罚〔2026〕8号').replace(',已处罚,', ',已移送,')
  const report = await previewSample(mapping, Buffer.from([...csv, transferred].join('\n') + '\n'), 'sample.csv')
  const valid = report.results.flatMap(r => r.outcome === 'valid' ? [r] : [])
  t.equal(valid.length, 5)
  for (const r of valid) {
    t.equal(r.case.regionCode, '320322', `record ${r.record}: the region from characters 3–8 of the agency code 11320322014165834G`)
    t.ok(r.case.derived?.some(d => d.field === '/regionCode' && d.rule === 'regionFromAgencyCode'), `record ${r.record}: marked derived`)
  }
  const eighth = valid.find(r => r.caseNumber === '县市监罚〔2026〕8号')
  t.equal(eighth?.case.transfer?.suspectedCrime, true, 'a transferred case is flagged a suspected crime')
  t.same(eighth?.case.derived, [{ field: '/regionCode', rule: 'regionFromAgencyCode' }, { field: '/transfer/suspectedCrime', rule: 'suspectedCrimeFromTransfer' }])
  const first = valid.find(r => r.caseNumber === '县市监罚〔2026〕1号')
  t.equal(first?.case.transfer, undefined, 'a case not transferred is not flagged at all: false would be a guess')
  t.ok(first?.gaps.some(g => g.field === '/transfer/suspectedCrime'), 'so its flag is a gap, counted')
  t.notOk(valid.some(r => r.gaps.some(g => g.field === '/regionCode')), 'a derived field is no gap')

  t.equal(errorOf(t, head + 'derive: [regionFromPostcode]\nfields:\n  /a: { from: A }\n'),
    `${FILE}:4:10: unknown derivation "regionFromPostcode" (allowed: regionFromAgencyCode, suspectedCrimeFromTransfer)`)
  t.match(errorOf(t, head + 'derive: [regionFromAgencyCode]\nfields:\n  /regionCode: { from: XZQH }\n'), /regionFromAgencyCode derives \/regionCode, which is also set at .*:6:3; a field is mapped or derived, not both/)
  t.match(errorOf(t, head + 'fields:\n  /derived: { const: [] }\n'), new RegExp(`^${FILE}:5:3: /derived: the derived marker is written by the hub`), 'a mapping cannot forge the derived marker')
  const both = compileMapping(head + 'derive: [suspectedCrimeFromTransfer]\nabsent:\n  /transfer/suspectedCrime: the flag is not exported\nconstants:\n  /schemaVersion: 1\nfields:\n  /caseNumber: { from: AJBH }\n', FILE)
  t.same(both.absent.map(a => a.field), ['/transfer/suspectedCrime'], 'derived and absent at once: derived where a transfer implies it, a known gap elsewhere')
})
