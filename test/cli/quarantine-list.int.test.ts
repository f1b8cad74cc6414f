/**
 * `casebridge quarantine` shows what an operator acts on: the reason whole (cut only to a
 * terminal's width), the offending value (masked), a hint, where the record was read (file
 * and line of a file drop) and times with their zone. The origin is stored with the record
 * and survives a re-processing that leaves it invalid.
 */
import t from 'tap'
import { TOKENS } from '../helpers/operator-hub.js'
import { DROP_AGENCY as AGENCY, DROP_FILE as FILE, startDropHub } from '../helpers/drop-hub.js'
import { runCli } from '../helpers/run-cli.js'

interface Entry { recordKey: string; origin?: { file: string; line: number }; quarantinedAt: string; problems: { reason: string; rule: string; message: string; value?: string }[] }

t.test('the quarantine table and the API show the masked value, the hint, the file and line, and zoned times', async t => {
  const { hub, expected } = await startDropHub(t, 'cli-quarantine-list')
  await hub.pullNow(AGENCY)
  const stored = await hub.ledger.quarantine(AGENCY)
  t.equal(stored.length, expected.summary.invalid, 'the dirty records are quarantined')
  t.ok(stored.every(q => q.origin?.file === FILE && q.origin.line > 1), 'each stored with the file and the line it was read from')

  const api = await fetch(`${hub.adminUrl}/api/agencies/${AGENCY}/quarantine`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } })
  const answer = await api.json() as { entries: Entry[] }
  t.same(answer.entries.map(e => e.origin).sort((a, b) => a!.line - b!.line), stored.map(q => q.origin).sort((a, b) => a!.line - b!.line), 'the API has the origin of every entry')
  const viewer = { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.viewer }
  const json = JSON.parse((await runCli(['quarantine', '--agency', AGENCY, '--json'], { env: viewer })).stdout) as { entries: Entry[] }
  t.same(json.entries.map(e => e.origin), answer.entries.map(e => e.origin), '--json has it too')
  t.ok(answer.entries.every(e => e.problems.every(p => p.value === undefined || p.value.startsWith('[masked'))), 'a viewer sees the values masked')
  const viewerTable = await runCli(['quarantine', '--agency', AGENCY], { env: viewer })
  t.match(viewerTable.stdout, '[masked', 'and so does the viewer\'s table')
  t.match(viewerTable.stdout, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d/, 'while the times are shown to a viewer (they are no personal data)')

  // An operator reads the values as the mapping masked them (personal ones are masked there already).
  const env = { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator }
  const operatorView = await (await fetch(`${hub.adminUrl}/api/agencies/${AGENCY}/quarantine`, { headers: { authorization: `Bearer ${TOKENS.operator}` } })).json() as { entries: Entry[] }

  const table = await runCli(['quarantine', '--agency', AGENCY], { env })
  t.equal(table.code, 0, table.stderr)
  t.match(table.stdout, /记录\s+阶段\s+原因\s+问题值\s+提示\s+来源位置\s+时间/, 'value, hint and origin are columns of the table')
  for (const e of operatorView.entries) {
    const row = table.stdout.split('\n').find(l => l.startsWith(e.recordKey)) ?? ''
    t.match(row, `${FILE} 第 ${e.origin!.line} 行`, `${e.recordKey}: the file and line`)
    t.match(row, e.problems[0]!.reason, `${e.recordKey}: the whole reason, not cut at 60 columns (stdout is no terminal)`)
    t.match(row, e.problems[0]!.rule, `${e.recordKey}: the rule as the hint (the English detail is for English readers)`)
    if (e.problems[0]!.value !== undefined) t.match(row, e.problems[0]!.value, `${e.recordKey}: the offending value as the API gives it`)
    t.match(row, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d$/, `${e.recordKey}: the time carries its zone`)
  }
  t.ok(operatorView.entries.some(e => e.problems.some(p => p.value !== undefined)), 'some problem has a value to show')
  const english = await runCli(['quarantine', '--agency', AGENCY, '--lang', 'en'], { env })
  const first = answer.entries[0]!
  t.match(english.stdout, `${FILE} line ${first.origin!.line}`)
  t.match(english.stdout, first.problems[0]!.message, 'English readers get the engine\'s detail as the hint')

  const summary = await hub.reprocessQuarantine(AGENCY)
  t.equal(summary.stillInvalid, expected.summary.invalid, 'the same mapping leaves them invalid')
  const again = await hub.ledger.quarantine(AGENCY)
  t.same(again.map(q => q.origin).sort((a, b) => a!.line - b!.line), stored.map(q => q.origin).sort((a, b) => a!.line - b!.line), 'a re-processed record keeps its file and line')
})
