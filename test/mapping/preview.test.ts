import t from 'tap'
import iconv from 'iconv-lite'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import { maskedCase, previewSample, summaryLine } from '../../src/pipeline/preview.js'
import type { CanonicalCase } from '../../src/generated/case.js'

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: BH\n'
const fields = 'fields:\n  /caseNumber: { from: BH, required: true }\n  /name: { from: XM, required: true }\n'
const mappingWith = (input: string): ReturnType<typeof compileMapping> => compileMapping(head + input + fields, '/virtual/preview.yaml')

// The preview only maps and validates against the case schema; these minimal records are never valid cases.
const mapped = async (m: ReturnType<typeof compileMapping>, bytes: Uint8Array, file: string): Promise<Array<Record<string, unknown>>> => {
  const out: Array<Record<string, unknown>> = []
  const report = await previewSample(m, bytes, file)
  for (const r of report.results) if (r.outcome === 'invalid' && r.stage === 'validation') out.push({ caseNumber: r.caseNumber })
  return out
}

t.test('UTF-8 is read with and without a byte-order mark', async t => {
  const m = mappingWith('')
  const csv = 'BH,XM\nA-1,张三\n'
  t.same(await mapped(m, Buffer.from(csv), 'x.csv'), [{ caseNumber: 'A-1' }], 'without BOM')
  t.same(await mapped(m, Buffer.from('\uFEFF' + csv), 'x.csv'), [{ caseNumber: 'A-1' }], 'with BOM: the first column is BH, not \\uFEFFBH')
})

t.test('GBK and GB18030 files are decoded with the encoding of the mapping', async t => {
  const csv = 'BH,XM\n沛环-1,王娜\n'
  const gbk = mappingWith('input: { encoding: gbk }\n')
  t.same(await mapped(gbk, iconv.encode(csv, 'gbk'), 'x.csv'), [{ caseNumber: '沛环-1' }])
  const rare = 'BH,XM\n沛城-1,龚䶮\n沛城-2,张𠮷\n'
  const bytes = iconv.encode(rare, 'gb18030')
  t.not(iconv.decode(iconv.encode('张𠮷', 'gbk'), 'gbk'), '张𠮷', 'GBK cannot write 𠮷: a system that has such names needs GB18030')
  const gb18030 = compileMapping(head + 'input: { encoding: gb18030 }\nfields:\n  /caseNumber: { from: BH }\n  /factsSummary: { from: XM }\n', '/virtual/preview.yaml')
  const report = await previewSample(gb18030, bytes, 'x.csv')
  t.same(report.results.map(r => r.outcome === 'invalid' ? r.caseNumber : undefined), ['沛城-1', '沛城-2'], 'GB18030 reads them')
  const wrong = await previewSample(mappingWith(''), iconv.encode(csv, 'gbk'), 'x.csv')
  t.not(wrong.results[0]?.caseNumber, '沛环-1', 'read as UTF-8, a GBK file does not give its text back')
})

t.test('the format comes from the mapping, else from the file name; a row that cannot be read is an invalid result', async t => {
  const xml = mappingWith('input: { format: xml, xmlRecordPath: 列表.案件 }\n')
  const fromMapping = await previewSample(xml, Buffer.from('<列表><案件><BH>A-1</BH><XM>张三</XM></案件></列表>'), 'export.dat')
  t.equal(fromMapping.sample.format, 'xml', 'input.format of the mapping, whatever the name says')
  t.equal(fromMapping.results[0]?.caseNumber, 'A-1')
  t.equal((await previewSample(mappingWith(''), Buffer.from('[{"BH":"J-1","XM":"x"}]'), 'cases.json')).sample.format, 'json', 'else the file name\'s extension')
  const ndjson = await previewSample(mappingWith(''), Buffer.from('{"BH":"A-1","XM":"x"}\n{broken\n'), 'x.ndjson')
  t.equal(ndjson.summary.records, 2)
  const bad = ndjson.results[1]
  t.equal(bad?.outcome, 'invalid')
  t.equal(bad?.outcome === 'invalid' ? bad.stage : undefined, 'parse')
  t.equal(bad?.line, 2)
  await t.rejects(previewSample(mappingWith(''), Buffer.from('x'), 'export.dat'), { code: 'CB_ERR_UNREADABLE_FILE', message: /cannot tell the file format/ })
})

t.test('the summary counts valid, invalid and skipped records', async t => {
  const m = compileMapping(head + 'skip:\n  draft: { field: ZT, equals: "0" }\n' + fields, '/virtual/preview.yaml')
  const report = await previewSample(m, Buffer.from('BH,XM,ZT\nA-1,张三,1\nA-2,李四,0\nA-3,,1\n'), 'x.csv')
  t.strictSame(report.summary, { records: 3, valid: 0, invalid: 2, skipped: 1, withGaps: 0, gaps: {} })
  t.equal(summaryLine(report.summary), '0 valid, 2 invalid, 1 skipped')
  t.same(report.results.map(r => r.outcome === 'skipped' ? r.rule : r.outcome), ['invalid', 'skip:draft', 'invalid'])
})

t.test('a masked case hides names and ID numbers, and free text whole', async t => {
  const c = {
    schemaVersion: 1, agency: { code: '11320322014165834G', name: '沛县市场监督管理局' }, caseNumber: 'A-1', regionCode: '320322',
    classification: { field: 'market_regulation', procedure: 'general', cause: '测试' }, penalties: [], dates: { filed: '2024-01-31T00:00:00+08:00' }, status: 'filed', transfer: { suspectedCrime: false },
    parties: [{ kind: 'person', name: '欧阳娜娜', idNumber: '32032219921105101X' }, { kind: 'organisation', name: '沛县鑫盛商贸有限公司', creditCode: '91320322MA1XK7Q376', legalRepresentative: '李明' }],
    factsSummary: '当事人欧阳娜娜与李明在沛县销售…',
  } as CanonicalCase
  const masked = maskedCase(c)
  t.same(masked.parties, [{ kind: 'person', name: '欧***', idNumber: '320*************1X' }, { kind: 'organisation', name: '沛县鑫*****公司', creditCode: '[masked: 18 characters]', legalRepresentative: '**' }])
  t.equal(masked.factsSummary, '[masked: 16 characters]')
  t.equal(masked.caseNumber, 'A-1', 'the case number is shown')
  t.equal(masked.agency.code, '11320322014165834G', 'the agency\'s own code is public')
  t.equal(c.parties[0]?.name, '欧阳娜娜', 'the case itself is not changed')
})
