import t, { type Test } from 'tap'
import { dirname, join, relative } from 'node:path'
import { mkdirSync, symlinkSync } from 'node:fs'
import { compileMapping, loadMapping } from '../../src/mapping/load-mapping.js'
import { tempDir } from '../helpers/temp-files.js'

const head = 'version: "1"\nagency: test-agency\ncaseNumberField: AJBH\n'
const PENALTIES = 'description: 处罚种类 (national codes)\ncodes:\n  "01": warning\n  "02": fine\nunknown: reject\n'

function setup (t: Test, table = PENALTIES): { dir: string; write: (name: string, text: string) => string } {
  const files = tempDir(t)
  mkdirSync(join(files.dir, 'tables'))
  files.write('tables/penalty-kinds.yaml', table)
  return files
}

t.test('a shared table file is used like an inline table, and the compiled mapping lists it among its files', async t => {
  const files = setup(t)
  const file = files.write('a.yaml', head + 'tables:\n  penalty: { file: tables/penalty-kinds.yaml }\nfields:\n  /penalties: { from: CFZL, split: ",", table: penalty, as: /kind }\n')
  const m = await loadMapping(file)
  t.same(m.map({ CFZL: '02,01' }), { kind: 'mapped', caseNumber: undefined, value: { penalties: [{ kind: 'fine' }, { kind: 'warning' }] } })
  t.same(m.files, [file, join(files.dir, 'tables', 'penalty-kinds.yaml')])
  const failed = m.map({ CFZL: '09' })
  t.match(failed.kind === 'failed' ? failed.problems[0]?.message : '', `add the code at ${join(files.dir, 'tables', 'penalty-kinds.yaml')}:2:1`, 'an unknown code points at the shared file')
})

t.test('the mapping may choose its own rule for unknown codes over the file\'s', async t => {
  const files = setup(t)
  const file = files.write('a.yaml', head + 'tables:\n  penalty: { file: tables/penalty-kinds.yaml, unknown: default, default: warning }\nfields:\n  /penalties: { from: CFZL, split: ",", table: penalty, as: /kind }\n')
  t.same((await loadMapping(file)).map({ CFZL: '09' }), { kind: 'mapped', caseNumber: undefined, value: { penalties: [{ kind: 'warning' }] } })
})

t.test('a shared table without any unknown rule must get one from the mapping', async t => {
  const files = setup(t, 'codes:\n  "01": warning\n')
  const file = files.write('a.yaml', head + 'tables:\n  penalty: { file: tables/penalty-kinds.yaml }\nfields:\n  /penalties: { from: CFZL, split: ",", table: penalty, as: /kind }\n')
  await t.rejects(loadMapping(file), { message: `${file}:5:12: table penalty: neither this entry nor tables/penalty-kinds.yaml says what to do with unknown codes (add unknown: reject, pass or default here)` })
})

t.test('problems in a shared table file are reported at their line in that file', async t => {
  const files = setup(t, 'codes:\n  "01": warning\n  "01": fine\nunknown: reject\n')
  const file = files.write('a.yaml', head + 'tables:\n  penalty: { file: tables/penalty-kinds.yaml }\nfields:\n  /penalties: { from: CFZL, table: penalty }\n')
  const shared = join(files.dir, 'tables', 'penalty-kinds.yaml')
  await t.rejects(loadMapping(file), { message: `${shared}:3:3: YAML syntax error: Map keys must be unique` })
  files.write('tables/penalty-kinds.yaml', 'codes:\n  "01": warning\nunknwon: reject\n')
  await t.rejects(loadMapping(file), { message: `${shared}:3:1: unknown key "unknwon" (allowed: description, codes, unknown, default)` })
})

t.test('a missing shared table file is reported at the entry that names it', async t => {
  const files = tempDir(t)
  const file = files.write('a.yaml', head + 'tables:\n  penalty: { file: tables/nope.yaml }\nfields:\n  /penalties: { from: CFZL, table: penalty }\n')
  await t.rejects(loadMapping(file), { message: `${file}:5:20: cannot read the shared table file tables/nope.yaml in the mappings folder (ENOENT)` })
})

t.test('a shared table file outside the mappings folder is refused, whether absolute, climbing with .. or through a symbolic link, naming it as written', async t => {
  const outside = tempDir(t)
  const secret = outside.write('leak.yaml', 'codes:\n  "01": secret\nunknown: pass\n')
  const files = setup(t)
  symlinkSync(secret, join(files.dir, 'tables', 'link.yaml'))
  symlinkSync(outside.dir, join(files.dir, 'out'))
  const cases: Array<[string, RegExp]> = [
    [secret, /shared table file refused: ".*leak\.yaml" is not a file under the mappings folder: it is an absolute path/],
    ['/etc/compose.yaml', /it is an absolute path/],
    ['../' + relative(dirname(files.dir), secret), /it climbs out with "\.\."/],
    ['tables/../../x.yaml', /it climbs out with "\.\."/],
    ['tables/link.yaml', /"tables\/link\.yaml" is not a file under the mappings folder: a symbolic link leads out of it/],
    ['out/leak.yaml', /a symbolic link leads out of it/],
  ]
  for (const [name, message] of cases) {
    const file = files.write('a.yaml', head + `tables:\n  leak: { file: ${JSON.stringify(name)}, unknown: pass }\nfields:\n  /a: { from: X, table: leak }\n`)
    await t.rejects(loadMapping(file), { code: 'CB_ERR_MAPPING_FILE', message }, name)
    const error = await loadMapping(file).catch((err: Error) => err.message)
    t.notMatch(error, /secret|ENOENT/, `${name}: nothing of the file, not even whether it exists`)
  }
})

t.test('a code a condition tests for must be in the table that always converts that field', async t => {
  const body = 'tables:\n  partyKind: { codes: { "1": person, "2": organisation }, unknown: reject }\nfields:\n  /parties:\n    each: DSR\n    fields:\n' +
    '      /kind: { from: DSRLX, table: partyKind }\n' +
    '      /idNumber: { from: ZJHM, when: { field: DSRLX, equals: "1" } }\n' +
    '      /creditCode: { from: ZJHM, when: { field: DSRLX, in: ["2", "3"] } }\n'
  t.throws(() => compileMapping(head + body, '/virtual/codes.yaml'),
    { message: '/virtual/codes.yaml:12:66: code "3" of DSRLX is used here, but table partyKind (/virtual/codes.yaml:5:16) does not have it; add the code to the table or correct the condition' })
  t.throws(() => compileMapping(head + body.replace('"1": person, ', ''), '/virtual/codes.yaml'), { message: /^\/virtual\/codes\.yaml:11:62: code "1" of DSRLX is used here, but table partyKind/ })
  t.doesNotThrow(() => compileMapping(head + body.replace(', "3"', ''), '/virtual/codes.yaml'), 'every code tested is in the table')
  t.doesNotThrow(() => compileMapping(head + body.replace('unknown: reject', 'unknown: pass'), '/virtual/codes.yaml'), 'a table that passes unknown codes through does not refuse them')
})

t.test('codes handled before the table by choose, or skipped, may be missing from the table', async t => {
  t.doesNotThrow(() => compileMapping(head + 'tables:\n  procedure: { codes: { "1": general }, unknown: reject }\n' +
    'skip:\n  draft: { field: CXLX, equals: "0" }\n' +
    'fields:\n  /classification/procedure:\n    choose:\n      - { when: { field: CXLX, equals: "9" }, const: summary }\n      - { from: CXLX, table: procedure }\n', '/virtual/codes.yaml'))
})

t.test('a table value the canonical schema does not allow where the table writes is refused at that value', async t => {
  t.throws(() => compileMapping(head + 'tables:\n  status:\n    codes:\n      "10": filed\n      "30": decidd\n    unknown: reject\nfields:\n  /status: { from: AJZT, table: status }\n', '/virtual/values.yaml'),
    { message: '/virtual/values.yaml:8:13: table status maps code "30" to "decidd", which /status does not allow (allowed: filed, investigating, decided, closed, transferred, withdrawn)' })
  t.throws(() => compileMapping(head + 'tables:\n  penalty: { codes: { "01": warn }, unknown: reject }\nfields:\n  /penalties: { from: CFZL, split: ",", table: penalty, as: /kind }\n', '/virtual/values.yaml'),
    { message: /^\/virtual\/values\.yaml:5:29: table penalty maps code "01" to "warn", which \/penalties\/\*\/kind does not allow \(allowed: warning, fine, / })
  t.throws(() => compileMapping(head + 'tables:\n  kind: { codes: { "1": person }, unknown: default, default: company }\nfields:\n  /parties:\n    each: DSR\n    fields:\n      /kind: { from: LX, table: kind }\n', '/virtual/values.yaml'),
    { message: '/virtual/values.yaml:5:11: table kind has default "company", which /parties/*/kind does not allow (allowed: person, organisation)' })
})
