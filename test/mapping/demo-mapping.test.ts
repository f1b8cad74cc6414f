import t from 'tap'
import { generateAgencyCase, DEMO_AGENCY_CODE, DEMO_AGENCY_NAME } from '../../fixtures/agency-sim/index.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { projectRoot } from '../../src/paths.js'
import { validateCase } from '../../src/schema/validate-case.js'
import { join } from 'node:path'

const file = join(projectRoot, 'mappings', 'market-regulation-peixian.yaml')
const mapping = await loadMapping(file)

/** A transferred case of the demo agency: an organisation and a person, fine and confiscation, decision document. */
const record = {
  AJBH: 'SCJG-320322-2024-000001',
  AJMC: '沛县鑫盛商贸有限公司销售不合格产品案',
  AY: '销售不合格产品',
  CXLX: '1',
  XZQH: '320322',
  DSR: [
    { DSRLX: '2', DSRXM: '沛县鑫盛商贸有限公司', ZJHM: '91320322MA1XK7Q376', FDDBR: '李明' },
    { DSRLX: '1', DSRXM: '张三', ZJHM: '32032219921105101x' },
  ],
  AQZY: '经查，当事人于2024年1月在其经营场所销售经抽样检验不合格的电线电缆，涉案货值金额1234567.80元。',
  WFYJ: '《中华人民共和国产品质量法》第四十九条',
  CFZL: '02,03',
  CFJE: '50000.00',
  SAJE: '1234567.80',
  WFSDJE: '23456.00',
  LASJ: '20240131',
  CFJDRQ: '20240215',
  JASJ: '',
  AJZT: '50',
  SFSXFZ: '1',
  YSRQ: '20240310',
  JSDW: '沛县公安局',
  JCYBARQ: '20240311',
  CFJDS: {
    WJMC: 'decision-SCJG-320322-2024-000001.pdf',
    URL: 'https://files.example.gov.cn/scjg/320322/2024/decision-SCJG-320322-2024-000001.pdf',
    SHA256: '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
  },
  GXSJ: '2024-03-11 10:20:30',
}

const expected = {
  schemaVersion: 1,
  agency: { code: '11320322014165834G', name: '沛县市场监督管理局' },
  caseNumber: 'SCJG-320322-2024-000001',
  regionCode: '320322',
  classification: {
    field: 'market_regulation',
    procedure: 'general',
    cause: '销售不合格产品',
    legalBasis: [{ law: '中华人民共和国产品质量法', article: '第四十九条' }],
  },
  parties: [
    { kind: 'organisation', name: '沛县鑫盛商贸有限公司', creditCode: '91320322MA1XK7Q376', legalRepresentative: '李明' },
    { kind: 'person', name: '张三', idNumber: '32032219921105101X' },
  ],
  factsSummary: '经查，当事人于2024年1月在其经营场所销售经抽样检验不合格的电线电缆，涉案货值金额1234567.80元。',
  penalties: [{ kind: 'fine' }, { kind: 'confiscate_illegal_gains' }],
  amounts: { fine: '50000.00', involved: '1234567.80', illegalGains: '23456.00' },
  dates: { filed: '2024-01-31T00:00:00+08:00', decided: '2024-02-15T00:00:00+08:00' },
  status: 'transferred',
  transfer: {
    suspectedCrime: true,
    transferDate: '2024-03-10T00:00:00+08:00',
    receivingUnit: '沛县公安局',
    procuratorateCopyDate: '2024-03-11T00:00:00+08:00',
  },
  attachments: [{
    kind: 'decision_document',
    uri: 'https://files.example.gov.cn/scjg/320322/2024/decision-SCJG-320322-2024-000001.pdf',
    sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    name: 'decision-SCJG-320322-2024-000001.pdf',
  }],
  sourceUpdatedAt: '2024-03-11T10:20:30+08:00',
}

t.test('the demo mapping names its agency, version and file', async t => {
  t.equal(mapping.agency, 'market-regulation-peixian')
  t.equal(mapping.version, '2024.1')
  t.equal(mapping.file, file)
})

t.test('the demo mapping uses the agency code and name of the agency simulator', async t => {
  const outcome = mapping.map(record)
  t.equal(outcome.kind, 'mapped')
  if (outcome.kind !== 'mapped') return
  t.same(outcome.value.agency, { code: DEMO_AGENCY_CODE, name: DEMO_AGENCY_NAME })
})

t.test('a realistic demo record maps to exactly the expected canonical case', async t => {
  t.strictSame(mapping.map(record), { kind: 'mapped', caseNumber: 'SCJG-320322-2024-000001', value: expected })
})

t.test('the mapped demo record passes validateCase', async t => {
  const outcome = mapping.map(record)
  if (outcome.kind !== 'mapped') return t.fail('not mapped')
  const result = validateCase(outcome.value)
  t.same(result.ok ? [] : result.problems, [])
})

t.test('a case under investigation maps with no penalties, amounts, decision or attachments', async t => {
  const open = { ...record, CFZL: '', CFJE: '', SAJE: '', WFSDJE: '', CFJDRQ: '', AJZT: '20', SFSXFZ: '0', YSRQ: '', JSDW: '', JCYBARQ: '', CFJDS: null }
  const outcome = mapping.map(open)
  if (outcome.kind !== 'mapped') return t.fail('not mapped')
  t.same(outcome.value.penalties, [])
  t.notOk('amounts' in outcome.value)
  t.notOk('attachments' in outcome.value)
  t.same(outcome.value.dates, { filed: '2024-01-31T00:00:00+08:00' })
  t.same(outcome.value.transfer, { suspectedCrime: false })
  t.same(validateCase(outcome.value).ok, true)
})

t.test('every valid simulator record maps and validates; every planted defect is reported on its field', async t => {
  let valid = 0
  let defects = 0
  for (let index = 0; index < 1000; index++) {
    const generated = generateAgencyCase(20240131, index)
    const outcome = mapping.map(generated.record as unknown as Record<string, unknown>)
    t.equal(outcome.caseNumber, generated.record.AJBH)
    let fields: string[]
    if (outcome.kind === 'failed') fields = outcome.problems.map(p => p.canonicalField)
    else if (outcome.kind === 'mapped') {
      const result = validateCase(outcome.value)
      fields = result.ok ? [] : result.problems.map(p => p.path)
    } else fields = ['skipped']
    if (generated.invalid === undefined) {
      valid++
      if (fields.length > 0) t.fail(`record ${index} should be valid`, { fields })
    } else {
      defects++
      if (!fields.includes(generated.invalid.field)) t.fail(`record ${index} (${generated.invalid.kind}) should be reported on ${generated.invalid.field}`, { fields })
    }
  }
  t.ok(valid > 900 && defects > 10, `${valid} valid, ${defects} with defects`)
})

t.test('a later validation failure is traced back to its source field', async t => {
  t.equal(mapping.sourceFieldFor('/parties/0/idNumber'), 'DSR[0].ZJHM')
  t.equal(mapping.sourceFieldFor('/transfer/receivingUnit'), 'JSDW')
  t.equal(mapping.sourceFieldFor('/dates/decided'), 'CFJDRQ')
  t.equal(mapping.sourceFieldFor('/attachments/0/sha256'), 'CFJDS[0].SHA256')
  t.equal(mapping.sourceFieldFor('/agency/code'), undefined)
})

t.test('a bad demo record reports every problem, masking the ID number', async t => {
  const bad = { ...record, LASJ: '20240230', AJZT: '60', CFJE: '5,00.00', DSR: [{ DSRLX: '1', DSRXM: '张三', ZJHM: '' }] }
  const outcome = mapping.map(bad)
  if (outcome.kind !== 'failed') return t.fail('should fail')
  t.same(outcome.problems.map(p => `${p.canonicalField} ${p.sourceField} ${p.rule}`), [
    '/parties/0/idNumber DSR[0].ZJHM required',
    '/amounts/fine CFJE money:yuan',
    '/dates/filed LASJ date:yyyyMMdd',
    '/status AJZT table:status',
  ])
})
