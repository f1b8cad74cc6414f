import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot, schemaPath } from '../../src/paths.js'
import { createAjv } from '../../src/schema/ajv.js'
import { FORMAT_WORDS, PATTERN_WORDS } from '../../src/schema/field-problems.js'
import type { FieldProblem } from '../../src/schema/field-problems.js'
import { validateCase } from '../../src/schema/validate-case.js'
import { completenessGaps, expectedFields } from '../../src/schema/completeness.js'

const VALID_DIR = join(projectRoot, 'fixtures', 'cases', 'valid')
const INVALID_DIR = join(projectRoot, 'fixtures', 'cases', 'invalid')
/** Cases lacking expected fields: valid, delivered, each absence a completeness gap. */
const GAPS_DIR = join(projectRoot, 'fixtures', 'cases', 'gaps')

type Json = Record<string, unknown>
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json
const jsonFiles = (dir: string): string[] => readdirSync(dir).filter(f => f.endsWith('.json') && f !== 'expected.json').sort()
const schema = readJson(schemaPath('case.schema.json'))
const expected = readJson(join(INVALID_DIR, 'expected.json')) as Record<string, { path: string, rule: string }>

/** A valid case to vary one field at a time. */
const base = (): Json => structuredClone(readJson(join(VALID_DIR, 'person-party-fine-decided.json')))

function problemsOf (value: unknown): FieldProblem[] {
  const result = validateCase(value)
  return result.ok ? [] : result.problems
}

/** Every schema node with its JSON pointer, and whether it sits inside a cross-field rule. */
function * schemaNodes (node: unknown, at = '', inRule = false): Generator<{ node: Json, at: string, inRule: boolean }> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return
  yield { node: node as Json, at, inRule }
  for (const [k, v] of Object.entries(node)) {
    const nowInRule = inRule || ['if', 'then', 'else', 'dependentSchemas', 'contains', 'x-completeness'].includes(k)
    if (k === 'properties' || k === '$defs' || k === 'dependentSchemas') {
      for (const [name, sub] of Object.entries(v as Json)) yield * schemaNodes(sub, `${at}/${k}/${name}`, nowInRule)
    } else if (Array.isArray(v)) {
      for (const [i, sub] of v.entries()) yield * schemaNodes(sub, `${at}/${k}/${i}`, nowInRule)
    } else if (k !== 'enum' && k !== 'const' && k !== 'discriminator') {
      yield * schemaNodes(v, `${at}/${k}`, nowInRule)
    }
  }
}

t.test('the case schema compiles in strict mode', async t => {
  const ajv = createAjv({ keywords: ['x-completeness'] })
  t.doesNotThrow(() => ajv.compile(schema))
  t.equal(schema.$id, 'https://casebridge.local/schemas/case.schema.json')
  t.equal(schema.title, 'CanonicalCase')
  t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema')
})

t.test('every object in the schema refuses unknown properties and every property is described', async t => {
  for (const { node, at, inRule } of schemaNodes(schema)) {
    if (inRule) continue
    if (node.type === 'object' && !('oneOf' in node)) t.equal(node.additionalProperties, false, `${at || '/'} has additionalProperties: false`)
    if (/\/properties\/[^/]+$/.test(at)) t.type(node.description, 'string', `${at} has a description`)
  }
})

t.test('every pattern and format in the schema has words for its error message', async t => {
  for (const { node, at } of schemaNodes(schema)) {
    if (typeof node.pattern === 'string') t.type(PATTERN_WORDS[node.pattern], 'string', `pattern at ${at}`)
    if (typeof node.format === 'string') t.type(FORMAT_WORDS[node.format], 'string', `format at ${at}`)
  }
})

t.test('every valid example validates', async t => {
  const files = jsonFiles(VALID_DIR)
  t.ok(files.length >= 5, 'at least five valid examples')
  for (const file of files) {
    const value = readJson(join(VALID_DIR, file))
    const result = validateCase(value)
    t.same(result, { ok: true, value }, file)
    if (result.ok) t.equal(result.value, value, `${file} comes back as the same object`)
  }
})

t.test('every invalid example is listed in expected.json and every listed example exists', async t => {
  const files = jsonFiles(INVALID_DIR)
  t.ok(files.length >= 12, 'at least twelve invalid examples')
  t.same(files, Object.keys(expected).sort())
})

t.test('every invalid example fails with its expected path and rule', async t => {
  for (const file of jsonFiles(INVALID_DIR)) {
    const want = expected[file]
    if (want === undefined) continue
    const problems = problemsOf(readJson(join(INVALID_DIR, file)))
    t.ok(problems.length > 0, `${file} is refused`)
    t.ok(problems.some(p => p.path === want.path && p.rule === want.rule),
      `${file}: expected ${want.path} [${want.rule}], got ${problems.map(p => `${p.path} [${p.rule}]`).join('; ')}`)
    t.equal(`${problems[0]?.path} [${problems[0]?.rule}]`, `${want.path} [${want.rule}]`, `${file}: the expected problem comes first`)
  }
})

t.test('problems are sorted by path, unique per path and rule, and carry no wrapper noise', async t => {
  for (const file of jsonFiles(INVALID_DIR)) {
    const problems = problemsOf(readJson(join(INVALID_DIR, file)))
    const keys = problems.map(p => `${p.path} ${p.rule}`)
    t.equal(new Set(keys).size, keys.length, `${file}: no duplicates`)
    for (const p of problems) {
      t.notOk(['if', 'then', 'oneOf', 'anyOf', 'allOf'].includes(p.rule), `${file}: no ${p.rule} noise`)
      t.notMatch(p.message, /must match "then" schema|must match exactly one schema/, `${file}: no ajv wrapper message`)
      t.match(p.path, /^(\/[^/]+)*$/, `${file}: ${p.path} is a JSON pointer`)
    }
  }
  const many = base()
  many.parties = Array.from({ length: 12 }, (_, i) => ({ kind: 'person', name: `当事人${i}`, idNumber: i % 5 === 0 ? 'bad' : '320322198503144213' }))
  many.regionCode = '0'
  many.caseNumber = 'A\u0007'
  const paths = problemsOf(many).map(p => p.path)
  t.same(paths, ['/caseNumber', '/parties/0/idNumber', '/parties/5/idNumber', '/parties/10/idNumber', '/regionCode'],
    'array indexes sort numerically')
})

t.test('problem messages never contain the offending value', async t => {
  for (const file of jsonFiles(INVALID_DIR)) {
    const value = readJson(join(INVALID_DIR, file))
    const parties = (value.parties ?? []) as Json[]
    const personal = parties.flatMap(p => [p.idNumber, p.name, p.creditCode]).filter((v): v is string => typeof v === 'string')
    for (const p of problemsOf(value)) {
      for (const secret of personal) t.notOk(p.message.includes(secret), `${file}: ${p.path} message does not quote party data`)
    }
  }
  const idNumber = '320322198503144214'
  const record = base()
  record.parties = [{ kind: 'person', name: '张某某', idNumber }]
  const problems = problemsOf(record)
  t.same(problems.map(p => p.rule), ['format:cn-resident-id'])
  t.notOk(JSON.stringify(problems).includes(idNumber), 'the ID number appears nowhere in the problems')
  t.notOk(JSON.stringify(problems).includes('19850314'), 'not even the birth date')
})

t.test('a format problem names the format in words', async t => {
  const record = base()
  record.parties = [{ kind: 'person', name: '张某某', idNumber: '320322198503144214' }]
  const [problem] = problemsOf(record)
  t.match(problem?.message, /^must be an 18-character resident ID number with a valid ISO 7064 check digit/)
})

t.test('identity tier: a case without what identifies it is refused', async t => {
  for (const [pointer, drop] of [['/caseNumber', (c: Json) => { delete c.caseNumber }], ['/status', (c: Json) => { delete c.status }], ['/agency/name', (c: Json) => { delete (c.agency as Json).name }], ['/parties', (c: Json) => { delete c.parties }]] as const) {
    const record = base()
    drop(record)
    t.same(problemsOf(record).map(p => `${p.path} ${p.rule}`), [`${pointer} required`], `without ${pointer}: refused`)
  }
})

t.test('expected tier: every case of fixtures/cases/gaps is valid and lacks exactly its expected fields', async t => {
  const wanted = readJson(join(GAPS_DIR, 'expected.json')) as Record<string, string[]>
  t.same(jsonFiles(GAPS_DIR), Object.keys(wanted).sort(), 'every example is listed')
  for (const file of jsonFiles(GAPS_DIR)) {
    const result = validateCase(readJson(join(GAPS_DIR, file)))
    t.ok(result.ok, `${file} is delivered${result.ok ? '' : `, not refused: ${result.problems.map(p => `${p.path} [${p.rule}]`).join('; ')}`}`)
    if (result.ok) t.same(completenessGaps(result.value).map(g => g.field), wanted[file], `${file}: gaps ${(wanted[file] ?? []).join(', ')}`)
  }
  t.same(completenessGaps(base() as never), [], 'a complete case has no gap')
})

t.test('a status-implied absence is a gap that says why, not a refusal', async t => {
  const record = base()
  record.status = 'closed'
  t.same(problemsOf(record), [], 'a closed case without a closing date is delivered')
  t.same(completenessGaps(record as never), [{ field: '/dates/closed', rule: 'closingDate', why: 'a closed case has a closing date' }])
})

t.test('a field the mapping declares absent is not a gap of the record', async t => {
  const record = base()
  delete record.regionCode
  t.same(completenessGaps(record as never).map(g => g.field), ['/regionCode'])
  t.same(completenessGaps(record as never, new Set(['/regionCode'])), [])
  t.ok(expectedFields().has('/regionCode') && !expectedFields().has('/caseNumber'), 'the expected fields are the ones a case can be delivered without')
})

t.test('contradictions are refused with the rule: dates out of order, a transfer of a case not suspected', async t => {
  const record = base()
  ;(record.dates as Json).decided = '2024-03-05T00:00:00+08:00'
  t.same(problemsOf(record), [], 'a decision at 00:00 on the day of filing (09:30) is the same day, not a contradiction')
  ;(record.dates as Json).decided = '2024-03-04T23:00:00+08:00'
  t.same(problemsOf(record).map(p => `${p.path} ${p.rule}`), ['/dates/decided date-order'], 'a decision the day before filing')
  const transfer = base()
  transfer.transfer = { suspectedCrime: false, transferDate: '2024-05-01T00:00:00+08:00', receivingUnit: '沛县公安局' }
  t.same(problemsOf(transfer).map(p => p.path), ['/transfer/suspectedCrime'], 'a transfer date on a case flagged not a suspected crime')
})

t.test('money is accepted only as a two-decimal yuan string', async t => {
  const amount = (fine: unknown): FieldProblem[] => {
    const record = base()
    record.amounts = { fine }
    return problemsOf(record)
  }
  for (const ok of ['0.00', '0.05', '5000.00', '99999999999999.99']) t.same(amount(ok), [], `${ok} is money`)
  for (const bad of ['00.50', '5000', '5000.0', '5000.000', '+5000.00', '-1.00', '5,000.00', '5000.00 ', '999999999999999.00', '１.00']) {
    t.same(amount(bad).map(p => `${p.path} ${p.rule}`), ['/amounts/fine pattern'], `${JSON.stringify(bad)} is not money`)
  }
  for (const bad of [5000, 5000.5, null, true]) t.same(amount(bad).map(p => p.rule), ['type'], `${JSON.stringify(bad)} is not a string`)
})

t.test('date-times need an explicit offset', async t => {
  const filed = (value: string): string[] => {
    const record = base()
    record.dates = { ...(record.dates as Json), filed: value }
    return problemsOf(record).map(p => p.rule)
  }
  for (const ok of ['2024-03-05T09:30:00+08:00', '2024-03-05T01:30:00Z', '2024-03-05T01:30:00.123Z', '2024-03-05T09:30:00.123456+08:00', '2024-03-05T07:15:00+05:45']) {
    t.same(filed(ok), [], ok)
  }
  t.same(filed('2024-03-05T09:30:00'), ['pattern', 'format:date-time'], 'local time without offset')
  t.same(filed('2024-03-05'), ['pattern', 'format:date-time'], 'a date alone')
  t.same(filed('2024-03-05t09:30:00z'), ['pattern'], 'lowercase t and z, which RFC 3339 allows but we do not')
  t.same(filed('2024-03-05T09:30:00.1234567+08:00'), ['pattern'], 'more than microsecond precision')
  t.same(filed('2024-02-30T09:30:00+08:00'), ['format:date-time'], 'a day that does not exist')
})

t.test('a party is checked against the schema its kind names, and nothing else', async t => {
  const record = base()
  record.parties = [{ kind: 'organisation', name: '某公司', idNumber: '320322198503144213' }]
  t.same(problemsOf(record).map(p => `${p.path} ${p.rule}`), [
    '/parties/0/creditCode required',
    '/parties/0/idNumber additionalProperties',
  ])
})

t.test('a transfer block may carry only the suspected-crime flag, with or without suspicion', async t => {
  for (const suspectedCrime of [true, false]) {
    const record = base()
    record.transfer = { suspectedCrime }
    t.same(problemsOf(record), [], `suspectedCrime ${suspectedCrime}`)
  }
})

t.test('anything that is not an object is refused with a problem at the root', async t => {
  for (const value of [null, 'case', 42, [], undefined]) {
    const result = validateCase(value)
    t.equal(result.ok, false, JSON.stringify(value) ?? 'undefined')
    if (!result.ok) t.same(result.problems.map(p => `${p.path}|${p.rule}`), ['|type'])
  }
})

t.test('validation does not modify the record', async t => {
  const record = base()
  const before = JSON.stringify(record)
  validateCase(record)
  record.status = 'closed'
  validateCase(record)
  record.status = 'decided'
  t.equal(JSON.stringify(record), before)
})

t.test('canonical text refuses control characters, undecodable bytes (U+FFFD) and names that start like a spreadsheet formula', async t => {
  const base = JSON.parse(readFileSync(join(projectRoot, 'fixtures/cases/valid/person-party-fine-decided.json'), 'utf8')) as Record<string, unknown> & { parties: Record<string, unknown>[] }
  t.equal(validateCase(base).ok, true, 'the base case is valid')
  const withName = (name: string): unknown => ({ ...base, parties: [{ ...base.parties[0], name }] })
  for (const [name, rule] of [['张\u0000三', 'text'], ['张\ufffd', 'text'], ['李\u001b[31m四', 'text'], ["=cmd|' /C calc'!A0", 'text:formula'], ['+1+1', 'text:formula'], ['@SUM(A1)', 'text:formula'], ['\t=1', 'text:formula']]) {
    const result = validateCase(withName(name as string))
    t.same(result.ok ? [] : result.problems.map(p => [p.path, p.rule]), [['/parties/0/name', rule]], JSON.stringify(name))
  }
  t.equal(validateCase({ ...base, factsSummary: '第一行\n第二行\t缩进\r\n' }).ok, true, 'line breaks and tabs are text')
  t.equal(validateCase({ ...base, factsSummary: '=== 案情 ===' }).ok, true, 'only names are checked for formulas')
})
