import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PreviewReport } from '../../src/pipeline/preview.js'
import { projectRoot } from '../../src/paths.js'
import type { BuiltSample } from '../../fixtures/agencies/sample-kit.js'
import * as market from '../../fixtures/agencies/market-regulation/generate.js'
import * as ecology from '../../fixtures/agencies/ecology-environment/generate.js'
import * as urban from '../../fixtures/agencies/urban-management/generate.js'
import * as tobacco from '../../fixtures/agencies/tobacco-monopoly/generate.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { problemReason, translator } from '../../src/i18n/translate.js'

const en = translator('en')
const zh = translator('zh-CN')

const AGENCIES: ReadonlyArray<{ name: string; dir: string; build: () => BuiltSample }> = [
  { name: 'market regulation', dir: market.DIR, build: market.build },
  { name: 'ecology and environment', dir: ecology.DIR, build: ecology.build },
  { name: 'urban management', dir: urban.DIR, build: urban.build },
  { name: 'tobacco monopoly', dir: tobacco.DIR, build: tobacco.build },
]

for (const agency of AGENCIES) {
  t.test(`casebridge mapping test on the ${agency.name} sample reports every dirty record and exits 1`, async t => {
    const { expected } = agency.build()
    const sample = join(agency.dir, expected.sample)
    const { code, stdout } = await runCli(['mapping', 'test', expected.mapping, sample, '--lang', 'en'])
    t.equal(code, 1, 'exit 1: the sample has invalid records')
    const lines = stdout.trimEnd().split('\n')
    t.equal(lines.at(-1), `${expected.summary.valid} valid, ${expected.summary.invalid} invalid, ${expected.summary.skipped} skipped`)
    for (const r of expected.records) {
      if (r.outcome === 'invalid') {
        t.match(stdout, `#${r.record} `, `record ${r.record} is listed`)
        for (const p of r.problems) t.ok(lines.some(l => l.trimStart().startsWith(`${p.sourceField!} → ${p.canonicalField}  [${p.rule}]  ${problemReason(en, p)}`)), `record ${r.record}: ${p.sourceField!} → ${p.canonicalField} [${p.rule}] with the reason`)
      }
      if (r.outcome === 'skipped') t.ok(lines.some(l => l.startsWith(`#${r.record} `) && l.endsWith(`skipped by ${r.rule}`)), `record ${r.record} skipped by ${r.rule}`)
      if (r.outcome === 'valid') {
        t.ok(lines.some(l => l.startsWith(`#${r.record} `) && l.endsWith(': valid')), `record ${r.record} valid`)
        for (const field of r.gaps ?? []) t.ok(lines.some(l => l.trimStart().startsWith(`delivered without ${field}`)), `record ${r.record}: delivered without ${field}, said so`)
        for (const p of r.case.parties) if (p.kind === 'person') t.notOk(stdout.includes(p.idNumber), `record ${r.record}: ID numbers are masked`)
      }
    }
  })
}

t.test('without --lang the report is in Chinese (the default), worded from the message catalogue', async t => {
  const { expected } = ecology.build()
  const { code, stdout } = await runCli(['mapping', 'test', expected.mapping, join(ecology.DIR, expected.sample)])
  t.equal(code, 1)
  const lines = stdout.trimEnd().split('\n')
  t.equal(lines.at(-1), `${expected.summary.valid} 条有效，${expected.summary.invalid} 条无效，${expected.summary.skipped} 条跳过`)
  t.match(lines[0], /（机构 ecology-environment-peixian，版本 \S+）$/, 'the header')
  t.match(lines[1], /^样本 .*（xml，gbk）$/i, 'the sample line')
  const invalid = expected.records.find(r => r.outcome === 'invalid')
  if (invalid?.outcome !== 'invalid') throw new Error('the ecology sample has invalid records')
  t.ok(lines.some(l => l.startsWith(`#${invalid.record}（第 `) && /：无效（(映射失败|校验未通过|文件无法读取)）$/.test(l)), `record ${invalid.record} is marked 无效 with its stage in Chinese`)
  for (const p of invalid.problems) t.ok(lines.some(l => l.trimStart().startsWith(`${p.sourceField!} → ${p.canonicalField}  [${p.rule}]  ${problemReason(zh, p)}`)), `${p.sourceField!}: the reason in Chinese`)
  const english = await runCli(['mapping', 'test', expected.mapping, join(ecology.DIR, expected.sample)], { env: { CASEBRIDGE_LOCALE: 'en' } })
  t.equal(english.stdout.trimEnd().split('\n').at(-1), en('cli.mapping.summary', { valid: expected.summary.valid, invalid: expected.summary.invalid, skipped: expected.summary.skipped }), 'CASEBRIDGE_LOCALE=en gives English')
})

t.test('--json prints the report for machines, with the same summary, whatever the language', async t => {
  const { expected } = urban.build()
  const { code, stdout } = await runCli(['mapping', 'test', expected.mapping, join(urban.DIR, expected.sample), '--json'])
  t.equal(code, 1)
  const report = JSON.parse(stdout) as PreviewReport
  t.strictSame(report.summary, { records: expected.records.length, ...expected.summary })
  t.equal(report.sample.encoding, 'gb18030')
  t.same(report.results.map(r => r.outcome), expected.records.map(r => r.outcome))
  const english = await runCli(['mapping', 'test', expected.mapping, join(urban.DIR, expected.sample), '--json', '--lang', 'en'])
  t.same(JSON.parse(english.stdout), report, 'the JSON does not depend on the language')
})

t.test('a sample without dirty records exits 0; personal data is shown only when asked', async t => {
  const { expected } = market.build()
  const records = JSON.parse(readFileSync(join(market.DIR, 'sample.json'), 'utf8').replace(/^\uFEFF/, '')) as Array<Record<string, unknown>>
  const clean = records.filter((_, i) => expected.records[i]!.outcome === 'valid')
  const file = tempDir(t).write('clean.json', JSON.stringify(clean))
  const masked = await runCli(['mapping', 'test', expected.mapping, file, '--invalid-only'])
  t.equal(masked.code, 0, 'exit 0: everything valid')
  t.equal(masked.stdout.trimEnd().split('\n').at(-1), `${clean.length} 条有效，0 条无效，0 条跳过`)
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
  t.match(usage.stderr, 'mapping test 需要一个映射文件和一个样本文件')
  const usageEn = await runCli(['mapping', 'test', 'mappings/market-regulation-peixian.yaml', '--lang', 'en'])
  t.match(usageEn.stderr, 'mapping test needs a mapping file and a sample file')
  const badLang = await runCli(['mapping', 'test', 'mappings/market-regulation-peixian.yaml', 'x.json', '--lang', 'fr'])
  t.equal(badLang.code, 2, 'an unknown language is a usage mistake')
  t.match(badLang.stderr, 'unknown language "fr"; known: zh-CN, en')
  t.match(usage.stderr, '参见 casebridge help mapping', 'a pointer to the command\'s help (no longer the whole usage text)')
  t.equal((await runCli(['mapping', 'frobnicate'])).code, 2)
  const files = tempDir(t)
  const broken = files.write('broken.yaml', readFileSync(join(projectRoot, 'mappings', 'market-regulation-peixian.yaml'), 'utf8').replace(/date: yyyyMMdd, required: true }/g, 'date: ddMMyyyy, required: true }'))
  const bad = await runCli(['mapping', 'test', broken, join(market.DIR, 'sample.json'), '--lang', 'en'])
  t.equal(bad.code, 2, 'a mapping file error is a configuration error')
  t.match(bad.stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: unknown date format "ddMMyyyy"`))
  const badZh = await runCli(['mapping', 'test', broken, join(market.DIR, 'sample.json')])
  t.equal(badZh.code, 2)
  t.match(badZh.stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: 未知的日期格式“ddMMyyyy”`), 'in zh-CN (the default) the problem is worded in Chinese at the same position')
  const missing = await runCli(['mapping', 'test', 'mappings/market-regulation-peixian.yaml', join(files.dir, 'nope.json'), '--lang', 'en'])
  t.equal(missing.code, 1)
  t.match(missing.stderr, /nope\.json: cannot read the sample file \(ENOENT\)/)
  const missingZh = await runCli(['mapping', 'test', 'mappings/market-regulation-peixian.yaml', join(files.dir, 'nope.json')])
  t.match(missingZh.stderr, /nope\.json：无法读取样本文件（ENOENT）/)
})
