import t from 'tap'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { runCli } from '../helpers/run-cli.js'
import { waitFor } from '../helpers/wait-for.js'

t.test('casebridge alarms shows alarms in the operator\'s language and ack acknowledges one, once', async t => {
  const h = await startOperatorHub(t, 'cli-alarms')
  await h.hub.alarms.report(AGENCY, 'missing_in_target', { count: 17, samples: ['SCJG-1', 'SCJG-2'] })
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator }

  const zh = await runCli(['alarms'], { env: { ...env, CASEBRIDGE_LOCALE: 'zh-CN' } })
  t.equal(zh.code, 0, zh.stderr)
  t.match(zh.stdout, /机构\s+告警\s+状态\s+案件数\s+时间/)
  t.match(zh.stdout, '平台缺少案件 (missing_in_target)')
  t.match(zh.stdout, `${AGENCY} 有 17 件案件在执法机关系统中存在，但平台上没有（漏录）。 SCJG-1, SCJG-2`)
  const en = await runCli(['alarms', '--lang', 'en'], { env })
  t.match(en.stdout, `17 case(s) of ${AGENCY} exist in the agency system but not on the platform (missed entry).`)

  const json = JSON.parse((await runCli(['alarms', '--json'], { env })).stdout) as { alarms: { kind: string; count: number; state: string }[] }
  const api = (await h.call('/api/alarms', { role: 'viewer' })).body as { alarms: { kind: string; count: number; state: string }[] }
  t.same(json.alarms.map(a => [a.kind, a.count, a.state]), api.alarms.map(a => [a.kind, a.count, a.state]), '--json has the API\'s alarms')
  t.same(json.alarms.map(a => [a.kind, a.count, a.state]), [['missing_in_target', 17, 'open']])

  const ack = await runCli(['ack', '--agency', AGENCY, '--kind', 'missing_in_target', '--note', '正在核查', '--lang', 'zh-CN'], { env })
  t.equal(ack.code, 0, ack.stderr)
  t.match(ack.stdout, `${AGENCY}：告警“平台缺少案件”已确认`)
  const [alarm] = await h.hub.alarms.list({ agencyId: AGENCY })
  t.match(alarm, { state: 'acknowledged', acknowledgedBy: 'operator-1', note: '正在核查' }, 'the alarm records who acknowledged it, from the token')
  const again = await runCli(['ack', '--agency', AGENCY, '--kind', 'missing_in_target', '--lang', 'en'], { env })
  t.equal(again.code, 1, 'an alarm cannot be acknowledged twice')
  t.match(again.stderr, 'the hub answered 409')
  t.equal((await runCli(['alarms', '--state', 'open', '--json'], { env }).then(r => JSON.parse(r.stdout) as { alarms: unknown[] })).alarms.length, 0, 'no open alarm is left')
})

t.test('casebridge reconcile runs a reconciliation through the hub and prints its findings', async t => {
  const h = await startOperatorHub(t, 'cli-reconcile')
  await h.hub.pullNow(AGENCY)
  await waitFor('every valid case acknowledged', async () => { const c = await h.hub.ledger.counters(AGENCY); return c.pushed === c.valid && c.valid > 0 })
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator }
  const json = await runCli(['reconcile', '--agency', AGENCY, '--json'], { env })
  t.equal(json.code, 0, json.stderr)
  const result = JSON.parse(json.stdout) as { runId: string; agencyId: string; counts: { sourceRecords: number }; findings: Record<string, { count: number }> }
  t.equal(result.agencyId, AGENCY)
  t.equal(result.counts.sourceRecords, (await h.hub.ledger.counters(AGENCY)).pulled, 'the whole source was listed')
  t.ok(Object.keys(result.findings).includes('missing_in_target'), 'findings are reported per kind')
  const table = await runCli(['reconcile', '--agency', AGENCY, '--lang', 'en'], { env })
  t.equal(table.code, 0, table.stderr)
  t.match(table.stdout, new RegExp(`${AGENCY}: reconciled in [\\d.]+ s \\(${result.counts.sourceRecords} source records`))
  const audit = (await h.call('/api/audit', { role: 'admin' })).body as { entries: { who: string; what: string; result: string }[] }
  t.same(audit.entries.filter(e => e.what === 'agency.reconcile').map(e => [e.who, e.result]), [['operator-1', 'ok'], ['operator-1', 'ok']], 'both runs are audited')
  const viewer = await runCli(['reconcile', '--agency', AGENCY], { env: { ...env, CASEBRIDGE_ADMIN_TOKEN: TOKENS.viewer } })
  t.equal(viewer.code, 1, 'a viewer may not reconcile')
})
