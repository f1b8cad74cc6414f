import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { previewSample, type PreviewResult } from '../../src/pipeline/preview.js'
import { projectRoot } from '../../src/paths.js'
import { validateCase } from '../../src/schema/validate-case.js'
import { dirtyRecordsDoc, type BuiltSample, type ExpectedRecord } from '../../fixtures/agencies/sample-kit.js'
import * as market from '../../fixtures/agencies/market-regulation/generate.js'
import * as ecology from '../../fixtures/agencies/ecology-environment/generate.js'
import * as urban from '../../fixtures/agencies/urban-management/generate.js'
import * as tobacco from '../../fixtures/agencies/tobacco-monopoly/generate.js'

const AGENCIES: ReadonlyArray<{ name: string; title: string; dir: string; build: () => BuiltSample }> = [
  { name: 'market regulation', title: market.TITLE, dir: market.DIR, build: market.build },
  { name: 'ecology and environment', title: ecology.TITLE, dir: ecology.DIR, build: ecology.build },
  { name: 'urban management', title: urban.TITLE, dir: urban.DIR, build: urban.build },
  { name: 'tobacco monopoly (a thin ten-column export)', title: tobacco.TITLE, dir: tobacco.DIR, build: tobacco.build },
]

const problemKeys = (problems: ReadonlyArray<{ sourceField?: string; canonicalField: string; rule: string }>): string[] =>
  problems.map(p => `${p.sourceField ?? '(none)'} → ${p.canonicalField} [${p.rule}]`).sort()

function compare (t: Test, got: PreviewResult, want: ExpectedRecord): void {
  const label = `record ${want.record} (${want.caseNumber ?? 'no case number'})`
  t.equal(got.outcome, want.outcome, `${label}: ${want.outcome}`)
  if (want.outcome === 'valid' && got.outcome === 'valid') t.strictSame(got.case, want.case, `${label}: the canonical case is the one the sample was made from`)
  if (want.outcome === 'valid' && got.outcome === 'valid') t.strictSame(got.gaps.map(g => g.field), want.gaps ?? [], `${label}: ${want.why ?? 'complete'}: ${(want.gaps ?? []).length === 0 ? 'no completeness gap' : `delivered without ${(want.gaps ?? []).join(', ')}`}`)
  if (want.outcome === 'invalid' && got.outcome === 'invalid') t.strictSame(problemKeys(got.problems), problemKeys(want.problems), `${label}: ${want.why}`)
  if (want.outcome === 'skipped' && got.outcome === 'skipped') t.equal(got.rule, want.rule, `${label}: ${want.why}`)
  if (got.caseNumber !== undefined || want.caseNumber !== undefined) t.equal(got.caseNumber, want.caseNumber, `${label}: the case number is named`)
}

for (const agency of AGENCIES) {
  t.test(`the ${agency.name} sample and its expected output are what the generator makes`, async t => {
    const built = agency.build()
    const again = agency.build()
    t.ok(Buffer.from(built.sample).equals(Buffer.from(again.sample)), 'the generator is deterministic')
    t.ok(readFileSync(join(agency.dir, built.expected.sample)).equals(Buffer.from(built.sample)), `${built.expected.sample} is current (run generate.ts after changing it)`)
    t.strictSame(JSON.parse(readFileSync(join(agency.dir, 'expected.json'), 'utf8')), JSON.parse(JSON.stringify(built.expected)), 'expected.json is current')
    t.equal(readFileSync(join(agency.dir, 'dirty-records.md'), 'utf8'), dirtyRecordsDoc(agency.title, built.expected, relative(projectRoot, agency.dir)), 'dirty-records.md is current')
    for (const r of built.expected.records) if (r.outcome === 'valid') t.ok(validateCase(r.case).ok, `the truth of record ${r.record} is itself a valid case`)
    t.ok(built.expected.summary.invalid + built.expected.records.filter(r => r.outcome === 'valid' && r.gaps !== undefined).length >= 5, 'the sample has dirty records (refused, or delivered with a gap)')
  })

  t.test(`the ${agency.name} mapping maps every clean record of its sample exactly and reports every dirty one with source field, canonical field and rule`, async t => {
    const expected = agency.build().expected
    const mapping = await loadMapping(join(projectRoot, expected.mapping))
    const report = await previewSample(mapping, readFileSync(join(agency.dir, expected.sample)), expected.sample)
    t.strictSame(report.summary, { records: expected.records.length, ...expected.summary })
    t.equal(report.results.length, expected.records.length)
    for (const want of expected.records) compare(t, report.results[want.record - 1]!, want)
    for (const r of report.results) {
      if (r.outcome !== 'invalid') continue
      for (const p of r.problems) t.ok(p.message.length > 0 && p.sourceField !== undefined, `record ${r.record}: ${p.canonicalField} has a reason and a source field`)
    }
  })
}

t.test('the encodings are the agencies\' own: GBK XML, GB18030 CSV with names GBK cannot write, UTF-8 JSON with a BOM', async t => {
  const ecologyBytes = readFileSync(join(ecology.DIR, 'sample.xml'))
  t.match(ecologyBytes.subarray(0, 40).toString('latin1'), /encoding="GBK"/)
  t.notOk(ecologyBytes.toString('utf8').includes('案件编号'), 'the XML is not UTF-8')
  const urbanBytes = readFileSync(join(urban.DIR, 'sample.csv'))
  t.notOk(urbanBytes.toString('utf8').includes('ajbh,ajmc') && urbanBytes.toString('utf8').includes('沛城管'), 'the CSV is not UTF-8')
  const urbanMapping = await loadMapping(join(projectRoot, 'mappings', 'urban-management-peixian.yaml'))
  const report = await previewSample(urbanMapping, urbanBytes, 'sample.csv')
  const names = report.results.flatMap(r => r.outcome === 'valid' ? r.case.parties.map(p => p.name) : [])
  t.ok(names.includes('张𠮷') && names.includes('李㛃'), 'names with characters outside GBK (4-byte GB18030) are read intact')
  const marketBytes = readFileSync(join(market.DIR, 'sample.json'))
  t.same([...marketBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the JSON starts with a UTF-8 byte-order mark')
})
