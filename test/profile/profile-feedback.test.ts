/**
 * The `feedback:` section of a target profile: checked at file:line:column, and the
 * platform's decision records read into the hub's decisions — an unreadable one never skipped.
 */
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { compileProfileText, loadProfile } from '../../src/profile/load-profile.js'
import { projectRoot } from '../../src/paths.js'

const ENV = { PROVINCE_APP_KEY: 'hub-1', PROVINCE_APP_SECRET: 's3cret' }
const HEAD = 'name: t\nversion: "1"\ntimezone: "+08:00"\nrecord: identity\n'
const SECTION = [
  'feedback:',
  '  listPath: /fb',
  '  query: { after: SEQ_BEGIN, limit: PAGE_SIZE }',
  '  maxPageSize: 50',
  '  list: /data/LIST',
  '  fields: { id: /FKID, cursor: /SEQ, caseNumber: /AJBH, agencyCode: /XZJGDM, decision: /CLJG, decidedAt: /CLSJ, note: /CLYJ }',
  '  decidedAtDate: yyyyMMddHHmmss',
  '  codes:',
  '    "01": accepted',
  '    "02": filed',
].join('\n') + '\n'

const refused = (t: Test, text: string, pattern: RegExp, what: string): void => {
  t.throws(() => compileProfileText(text, '/x/p.yaml'), { name: 'ProfileFileError', code: 'CB_ERR_PROFILE_FILE', message: pattern }, what)
}

t.test('a broken feedback section is refused at file:line:column', async t => {
  const compiled = compileProfileText(HEAD + SECTION, '/x/p.yaml').feedback
  t.ok(compiled, 'the section as written compiles')
  t.equal(compiled?.allPath, undefined, 'no full listing unless named: reconciliation reads the incremental one from the start')
  t.same(compiled?.query('4', 10), { SEQ_BEGIN: '4', PAGE_SIZE: '10' })
  t.equal(compileProfileText(HEAD, '/x/p.yaml').feedback, undefined, 'without it the profile has no feedback listing')
  refused(t, HEAD + SECTION.replace('"02": filed', '"02": admitted'), /^\/x\/p\.yaml:14:11: "02" has an unknown value \(allowed: accepted, filed, declined, returned, supervised_filing, supervised_transfer\)/, 'a code mapped to no decision of the hub: the line and column of the value')
  refused(t, HEAD + SECTION.replace('  decidedAtDate: yyyyMMddHHmmss', '  decidedAtDate: yyyy年MM月'), /^\/x\/p\.yaml:11:18: unknown date format "yyyy年MM月"/, 'an unknown date format')
  refused(t, HEAD + SECTION.replace('cursor: /SEQ, ', ''), /^\/x\/p\.yaml:10:11: .*cursor/, 'a field left out of fields')
  refused(t, HEAD + SECTION.replace('  codes:\n    "01": accepted\n    "02": filed\n', ''), /^\/x\/p\.yaml:6:3: missing required key "codes"/, 'no code table')
  refused(t, HEAD + SECTION.replace('  maxPageSize: 50', '  maxPageSise: 50'), /^\/x\/p\.yaml:8:3: .*maxPageSise/, 'an unknown key')
})

t.test('the province profile reads the exchange\'s decisions: codes, Beijing time, note, cursor, page size', async t => {
  const p = await loadProfile(join(projectRoot, 'mappings', 'profiles', 'province.yaml'), { env: ENV })
  const f = p.feedback
  if (f === undefined) throw new Error('the province profile has no feedback section')
  t.equal(f.path, '/gateway/feedback/query')
  t.equal(f.allPath, '/gateway/feedback/all')
  t.same(f.query(null, 200), { PAGE_SIZE: '100' }, 'no cursor on the first read; at most the exchange\'s page size')
  t.same(f.query('7', 20), { SEQ_BEGIN: '7', PAGE_SIZE: '20' })
  const rec = (seq: number, cljg: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ FKID: `FK${seq}`, SEQ: seq, AJBH: `A-${seq}`, XZJGDM: '11320322014166079X', CLJG: cljg, CLSJ: '20240418151002', ...extra })
  const page = f.page({ code: '0000', data: { LIST: [rec(1, '01', { CLYJ: '材料齐全' }), rec(2, '06')], NEXT: 2 } }, null, 'the listing')
  t.same(page, {
    items: [
      { id: 'FK1', agencyCode: '11320322014166079X', caseNumber: 'A-1', decision: 'accepted', decidedAt: '2024-04-18T15:10:02+08:00', note: '材料齐全' },
      { id: 'FK2', agencyCode: '11320322014166079X', caseNumber: 'A-2', decision: 'supervised_transfer', decidedAt: '2024-04-18T15:10:02+08:00' },
    ],
    next: '2',
  })
  t.same(f.page({ data: { LIST: [] } }, '2', 'the listing'), { items: [], next: null }, 'an empty page: the cursor stays')

  // 09 补正材料 is not in the table: the decisions before it go on, the cursor stops before it, and read first it refuses the page by name.
  const stopped = f.page({ data: { LIST: [rec(3, '02'), rec(4, '09'), rec(5, '01')] } }, '2', 'the listing')
  t.same(stopped.items.map(d => d.id), ['FK3'], 'nothing after the unreadable decision is passed on')
  t.equal(stopped.next, '3', 'the cursor ends just before it')
  t.throws(() => f.page({ data: { LIST: [rec(4, '09'), rec(5, '01')] } }, '3', 'the listing'),
    { code: 'CB_ERR_REMOTE_REFUSED', message: /^the listing: decision "FK4" cannot be read — field \/CLJG: decision code "09" is not in the profile's feedback code table \(01, 02, 03, 04, 05, 06\); map it to one of accepted, filed, declined, returned, supervised_filing, supervised_transfer; the feedback cursor stays before it/ },
    'read first, it refuses the page naming the decision and the field')
  t.throws(() => f.page({ data: { LIST: [rec(6, '01', { CLSJ: '2024-04-18' })] } }, '5', 'the listing'), /decision "FK6" cannot be read — field \/CLSJ/, 'a time not in its format')
  t.throws(() => f.page({ data: { LIST: [rec(7, '01', { AJBH: '' })] } }, '6', 'the listing'), /field \/AJBH \(caseNumber\) is missing/, 'a missing case number')
  t.throws(() => f.page({ data: {} }, null, 'the listing'), /no list of decisions at \/data\/LIST/)
})

t.test('codes are read as written: an unquoted 01 is the platform\'s "01", not the number 1', async t => {
  const unquoted = compileProfileText(HEAD + SECTION.replace('    "01": accepted\n    "02": filed\n', '    01: accepted\n    02: filed\n'), '/x/p.yaml').feedback
  if (unquoted === undefined) throw new Error('the section did not compile')
  const page = unquoted.page({ data: { LIST: [{ FKID: 'FK1', SEQ: 1, AJBH: 'A-1', XZJGDM: '11320322014166079X', CLJG: '01', CLSJ: '20240418151002' }] } }, null, 'the listing')
  t.same(page.items.map(d => d.decision), ['accepted'], 'CLJG "01" is the unquoted 01 of the table')
  t.throws(() => unquoted.page({ data: { LIST: [{ FKID: 'FK2', SEQ: 2, AJBH: 'A-2', XZJGDM: '11320322014166079X', CLJG: '1', CLSJ: '20240418151002' }] } }, null, 'the listing'),
    /decision code "1" is not in the profile's feedback code table \(01, 02\)/, 'and "1" is not a code the table has')
})
