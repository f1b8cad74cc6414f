import t from 'tap'
import { readFile } from 'node:fs/promises'
import type { Attachment, CanonicalCase, DateTime, Money, Organisation, Party, Penalty, Person, Transfer } from '../../src/generated/case.js'
import { GENERATED_TYPES, generatedPath, main, renderTypes } from '../../src/schema/generate-types.js'

t.test('the checked-in types are what the generator makes from the current schemas', async t => {
  t.ok(GENERATED_TYPES.length >= 4, 'case, config and adapter schemas are all generated')
  for (const target of GENERATED_TYPES) {
    const onDisk = await readFile(generatedPath(target), 'utf8')
    t.ok(onDisk === await renderTypes(target), `src/generated/${target.output} is up to date with schemas/${target.schema}; if not, run \`npm run build && npm run gen:types\``)
  }
})

t.test('the generator in check mode reports no difference', async t => {
  t.equal(await main(['--check']), 0)
})

t.test('the generated file says it is generated and how to regenerate it', async t => {
  for (const target of GENERATED_TYPES) {
    const firstLine = (await readFile(generatedPath(target), 'utf8')).split('\n')[0]
    t.equal(firstLine, `// generated from schemas/${target.schema} by src/schema/generate-types.ts — do not edit; run \`npm run gen:types\``)
  }
})

t.test('the generated types name the parts of a case', async t => {
  // Type-level: this only compiles (npm run build) if the generator emitted these names and shapes.
  const money: Money = '1500.00'
  const at: DateTime = '2024-01-31T09:30:00+08:00'
  const person: Person = { kind: 'person', name: '张某某', idNumber: '320322198503144213' }
  const organisation: Organisation = { kind: 'organisation', name: '某公司', creditCode: '91320322MA1N2Q7X4C' }
  const parties: Party[] = [person, organisation]
  const penalties: Penalty[] = [{ kind: 'fine' }]
  const attachments: Attachment[] = [{ kind: 'decision_document', uri: 'https://files.example/d.pdf', sha256: 'a'.repeat(64) }]
  const transfer: Transfer = { suspectedCrime: false }
  const record: CanonicalCase = {
    schemaVersion: 1,
    agency: { code: '11320322MB1580421M', name: '沛县市场监督管理局' },
    caseNumber: '沛市监罚〔2024〕17号',
    regionCode: '320322',
    classification: { field: 'market_regulation', procedure: 'general', cause: '销售过期食品' },
    parties,
    penalties,
    amounts: { fine: money },
    dates: { filed: at, decided: at },
    status: 'decided',
    transfer,
    attachments,
  }
  t.equal(record.parties.length, 2)
})
