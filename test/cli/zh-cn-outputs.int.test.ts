/**
 * Issue 21: zh-CN output mixed English into Chinese. Every main command's real output in
 * zh-CN (the default language), against running hubs, holds no Latin sentence (see
 * test/helpers/latin-sentences.ts for the precise rule: identifiers, field paths, option
 * names, codes and units excepted).
 */
import t, { type Test } from 'tap'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { DROP_AGENCY, startDropHub } from '../helpers/drop-hub.js'
import { runCli } from '../helpers/run-cli.js'
import { waitFor } from '../helpers/wait-for.js'
import { latinSentences } from '../helpers/latin-sentences.js'
import { COMMAND_NAMES, commandHelp } from '../../src/cli/help.js'
import { translator } from '../../src/i18n/translate.js'

type Run = { code: number | null; stdout: string; stderr: string }

function fullyChinese (t: Test, what: string, r: Run, code: number): void {
  t.equal(r.code, code, `${what}: exit ${code} ${r.stderr}`)
  t.ok(/[\u4e00-\u9fff]/.test(r.stdout + r.stderr), `${what}: says something in Chinese`)
  t.same(latinSentences(r.stdout + r.stderr), [], `${what}: no English sentence in the zh-CN output`)
}

t.test('the main commands speak Chinese only, in zh-CN, against a running hub', async t => {
  const h = await startOperatorHub(t, 'cli-zh-texts', { agency: { records: 80, seed: 11 } })
  await h.hub.pullNow(AGENCY)
  await waitFor('every valid case acknowledged', async () => {
    const c = await h.hub.ledger.counters(AGENCY)
    return c.pushed === c.valid && c.valid > 0
  })
  await h.hub.alarms.report(AGENCY, 'late_entry', { count: 3, samples: ['A-1', 'A-2', 'A-3'] })
  await h.hub.alarms.report(AGENCY, 'missing_in_target', { count: 2, samples: ['B-1', 'B-2'] })
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator }
  t.ok((await h.hub.ledger.quarantine(AGENCY)).length > 0, 'the simulator\'s dirty records are in quarantine')

  fullyChinese(t, 'status', await runCli(['status'], { env }), 0)
  fullyChinese(t, 'alarms', await runCli(['alarms'], { env }), 0)
  fullyChinese(t, 'quarantine', await runCli(['quarantine', '--agency', AGENCY], { env }), 0)
  fullyChinese(t, 'dead-letters', await runCli(['dead-letters', '--agency', AGENCY], { env }), 0)
  fullyChinese(t, 'completeness', await runCli(['completeness', '--agency', AGENCY], { env }), 0)
  const reconcile = await runCli(['reconcile', '--agency', AGENCY], { env })
  fullyChinese(t, 'reconcile by digest', reconcile, 0)
  t.match(reconcile.stdout, /按摘要比对了 \d+ 个分桶：\d+ 个一致/, 'the digest summary says what was compared and how')
  const unknown = await runCli(['sync', '--agency', 'nosuch'], { env })
  fullyChinese(t, 'sync of an unknown agency', unknown, 2)
  t.match(unknown.stderr, `本枢纽没有机构“nosuch”；现有：${AGENCY}`)
  const notFound = await runCli(['completeness', '--agency', 'nosuch'], { env })
  fullyChinese(t, 'a 404', notFound, 1)
  t.match(notFound.stderr, '未找到（404）：GET /api/agencies/nosuch/completeness', 'the request refused, not the hub\'s English sentence')
  fullyChinese(t, 'a 403', await runCli(['quarantine', 'discard', '--agency', AGENCY, '--all'], { env }), 1)
  fullyChinese(t, 'pause', await runCli(['pause', '--agency', AGENCY], { env }), 0)
  fullyChinese(t, 'sync of a paused agency', await runCli(['sync', '--agency', AGENCY], { env }), 1)
  fullyChinese(t, 'resume', await runCli(['resume', '--agency', AGENCY], { env }), 0)
  fullyChinese(t, 'ack', await runCli(['ack', '--agency', AGENCY, '--kind', 'late_entry'], { env }), 0)
  fullyChinese(t, 'ack of an alarm acknowledged already', await runCli(['ack', '--agency', AGENCY, '--kind', 'late_entry'], { env }), 1)
  fullyChinese(t, 'a usage mistake', await runCli(['alarms', '--state', 'everything'], { env }), 2)
})

t.test('a reconciliation that did not compare the platform says so in Chinese', async t => {
  const { hub } = await startDropHub(t, 'cli-zh-blind', { drop: false })
  const r = await runCli(['reconcile', '--agency', DROP_AGENCY], { env: { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator } })
  fullyChinese(t, 'reconcile, not compared', r, 0)
  t.match(r.stdout, '说明：平台未比对：机构代码未知', 'the note is worded in Chinese from its code')
})

t.test('help, usage mistakes and the commands run on the box speak Chinese only', async t => {
  fullyChinese(t, 'help', await runCli(['help']), 0)
  for (const name of COMMAND_NAMES) t.same(latinSentences(commandHelp(translator('zh-CN'), name)), [], `help ${name}: no English sentence`)
  fullyChinese(t, 'status --help', await runCli(['status', '--help']), 0)
  fullyChinese(t, 'a typo', await runCli(['stauts']), 2)
  fullyChinese(t, 'an unknown option', await runCli(['sync', '--agnecy', 'x']), 2)
  fullyChinese(t, 'check-config without a file', await runCli(['check-config']), 2)
  fullyChinese(t, 'mapping test without files', await runCli(['mapping', 'test']), 2)
  const invalid = await runCli(['mapping', 'test', 'mappings/urban-management-peixian.yaml', 'fixtures/agencies/urban-management/sample.csv', '--invalid-only'])
  fullyChinese(t, 'mapping test with invalid records', invalid, 1)
  t.match(invalid.stdout, /cfjdrq → \/dates\/decided {2}\[date:unixMs\] {2}无法识别的日期/, 'the problem: where, the rule, the reason in Chinese (no English detail)')
  fullyChinese(t, 'profile test without files', await runCli(['profile', 'test']), 2)
})
