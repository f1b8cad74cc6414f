import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PreviewReport } from '../../src/mapping/preview.js'
import { projectRoot } from '../../src/paths.js'
import type { BuiltSample } from '../../fixtures/agencies/sample-kit.js'
import * as market from '../../fixtures/agencies/market-regulation/generate.js'
import * as ecology from '../../fixtures/agencies/ecology-environment/generate.js'
import * as urban from '../../fixtures/agencies/urban-management/generate.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'

const AGENCIES: ReadonlyArray<{ name: string; dir: string; build: () => BuiltSample }> = [
  { name: 'market regulation', dir: market.DIR, build: market.build },
  { name: 'ecology and environment', dir: ecology.DIR, build: ecology.build },
  { name: 'urban management', dir: urban.DIR, build: urban.build },
]

for (const agency of AGENCIES) {
  t.test(`casebridge mapping test on the ${agency.name} sample reports every dirty record and exits 1`, async t => {
    const { expected } = agency.build()
    const sample = join(agency.dir, expected.sample)
    const { code, stdout } = await runCli(['mapping', 'test', expected.mapping, sample])
    t.equal(code, 1, 'exit 1: the sample has invalid records')
    const lines = stdout.trimEnd().split('\n')
    t.equal(lines.at(-1), `${expected.summary.valid} valid, ${expected.summary.invalid} invalid, ${expected.summary.skipped} skipped`)
    for (const r of expected.records) {
      if (r.outcome === 'invalid') {
        t.match(stdout, `#${r.record} `, `record ${r.record} is listed`)
        for (const p of r.problems) t.ok(lines.some(l => l.trimStart().startsWith(`${p.sourceField!} → ${p.canonicalField}  [${p.rule}]  `)), `record ${r.record}: ${p.sourceField!} → ${p.canonicalField} [${p.rule}] with the reason`)
      }
      if (r.outcome === 'skipped') t.ok(lines.some(l => l.startsWith(`#${r.record} `) && l.endsWith(`skipped by ${r.rule}`)), `record ${r.record} skipped by ${r.rule}`)
      if (r.outcome === 'valid') {
        t.ok(lines.some(l => l.startsWith(`#${r.record} `) && l.endsWith(': valid')), `record ${r.record} valid`)
        for (const p of r.case.parties) if (p.kind === 'person') t.notOk(stdout.includes(p.idNumber), `record ${r.record}: ID numbers are masked`)
      }
    }
  })
}

t.test('--json prints the report for machines, with the same summary', async t => {
  const { expected } = urban.build()
  const { code, stdout } = await runCli(['mapping', 'test', expected.mapping, join(urban.DIR, expected.sample), '--json'])
  t.equal(code, 1)
  const report = JSON.parse(stdout) as PreviewReport
  t.strictSame(report.summary, { records: expected.records.length, ...expected.summary })
  t.equal(report.sample.encoding, 'gb18030')
  t.same(report.results.map(r => r.outcome), expected.records.map(r => r.outcome))
})

t.test('a sample without dirty records exits 0; personal data is shown only when asked', async t => {
  const { expected } = market.build()
  const records = JSON.parse(readFileSync(join(market.DIR, 'sample.json'), 'utf8').replace(/^\uFEFF/, '')) as Array<Record<string, unknown>>
  const clean = records.filter((_, i) => expected.records[i]!.outcome === 'valid')
  const file = tempDir(t).write('clean.json', JSON.stringify(clean))
  const masked = await runCli(['mapping', 'test', expected.mapping, file, '--invalid-only'])
  t.equal(masked.code, 0, 'exit 0: everything valid')
  t.equal(masked.stdout.trimEnd().split('\n').at(-1), `${clean.length} valid, 0 invalid, 0 skipped`)
  const person = expected.records.flatMap(r => r.outcome === 'valid' ? r.case.parties : []).find(p => p.kind === 'person')
  if (person?.kind !== 'person') throw new Error('the market sample has persons')
  const hidden = await runCli(['mapping', 'test', expected.mapping, file])
  t.notOk(hidden.stdout.includes(person.idNumber), 'ID numbers are masked by default')
  const shown = await runCli(['mapping', 'test', expected.mapping, file, '--show-personal'])
  t.ok(shown.stdout.includes(person.idNumber), '--show-personal shows them')
})

t.test('usage mistakes and a broken mapping file exit 2; an unreadable sample exits 1', async t => {
  const usage = await runCli(['mapping', 'test', 'mappings/market-regulation-peixian.yaml'])
  t.equal(usage.code, 2)
  t.match(usage.stderr, /mapping test needs a mapping file and a sample file/)
  t.match(usage.stderr, /casebridge mapping test <mapping\.yaml> <sample-file>/, 'the usage is shown')
  t.equal((await runCli(['mapping', 'frobnicate'])).code, 2)
  const files = tempDir(t)
  const broken = files.write('broken.yaml', readFileSync(join(projectRoot, 'mappings', 'market-regulation-peixian.yaml'), 'utf8').replace(/date: yyyyMMdd, required: true }/g, 'date: ddMMyyyy, required: true }'))
  const bad = await runCli(['mapping', 'test', broken, join(market.DIR, 'sample.json')])
  t.equal(bad.code, 2, 'a mapping file error is a configuration error')
  t.match(bad.stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: unknown date format "ddMMyyyy"`))
  const missing = await runCli(['mapping', 'test', 'mappings/market-regulation-peixian.yaml', join(files.dir, 'nope.json')])
  t.equal(missing.code, 1)
  t.match(missing.stderr, /nope\.json: cannot read the sample file \(ENOENT\)/)
})
