import t from 'tap'
import { createServer } from 'node:net'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { runCli } from '../helpers/run-cli.js'
import { waitFor } from '../helpers/wait-for.js'
import { displayWidth } from '../../src/cli/table.js'
import type { AgencyStatus } from '../../src/admin/agency-status.js'

t.test('after a sync, casebridge status shows every agency with lag and counts, and --json has the numbers of /api/agencies', async t => {
  const h = await startOperatorHub(t, 'cli-status', { agency: { records: 120, seed: 9 } })
  await h.hub.pullNow(AGENCY)
  await waitFor('every valid case acknowledged', async () => {
    const c = await h.hub.ledger.counters(AGENCY)
    return c.pushed === c.valid && c.valid > 0
  })
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.viewer }

  const json = await runCli(['status', '--json'], { env })
  t.equal(json.code, 0, `status --json exits 0 ${json.stderr}`)
  const fromCli = JSON.parse(json.stdout) as { agencies: AgencyStatus[] }
  const fromApi = (await h.call('/api/agencies', { role: 'viewer' })).body as { agencies: AgencyStatus[] }
  const numbers = (list: AgencyStatus[]): unknown => list.map(a => ({ id: a.id, counts: a.counts, lagSeconds: a.lagSeconds, lastPullOkAt: a.lastPullOkAt, openAlarms: a.openAlarms }))
  t.same(numbers(fromCli.agencies), numbers(fromApi.agencies), 'the CLI\'s JSON has exactly the API\'s numbers')
  t.equal(fromCli.agencies.length, h.hub.config.agencies.length, 'every configured agency is there')

  const table = await runCli(['status'], { env })
  t.equal(table.code, 0, `status exits 0 ${table.stderr}`)
  const lines = table.stdout.trimEnd().split('\n')
  t.match(lines[0], `枢纽 ${h.hub.config.hub.name}：1 个机构`, 'the header is in the hub\'s language (zh-CN by default)')
  const header = lines.find(l => l.startsWith('机构')) ?? ''
  t.match(header, /机构\s+名称\s+最近成功拉取\s+拉取\s+推送目标\s+延迟\s+未拉取\s+已拉取\s+已推送\s+已隔离\s+推送失败\s+未处理告警/, 'Chinese column headers')
  const row = lines.find(l => l.startsWith(AGENCY)) ?? ''
  const a = fromApi.agencies[0]!
  const cells = row.split(/\s{2,}/)
  t.same(cells.slice(-5), [a.counts.pulled, a.counts.pushed, a.counts.quarantined, a.counts.deadLettered, a.openAlarms ?? '-'].map(String), 'the row shows pulled, pushed, quarantined, dead letters, alarms')
  t.match(row, /\s0 秒\s/, 'the lag is shown')
  t.equal(displayWidth(row.slice(0, row.indexOf(String(a.counts.pulled)) + String(a.counts.pulled).length)), displayWidth(header.slice(0, header.indexOf('已拉取') + '已拉取'.length)), 'numbers line up under their wide-character header')

  const english = await runCli(['status', '--lang', 'en'], { env })
  t.match(english.stdout, /Agency\s+Name\s+Last good pull\s+Pull\s+Target\s+Lag\s+Unpulled\s+Pulled\s+Pushed\s+Quarantined\s+Dead letters\s+Open alarms/, '--lang en gives English headers')
})

t.test('the CLI says in the operator\'s language what went wrong, and exits 1', async t => {
  const h = await startOperatorHub(t, 'cli-errors')
  const badToken = await runCli(['status', '--url', h.hub.adminUrl, '--token', 'wrong'], { env: { CASEBRIDGE_LOCALE: 'zh-CN' } })
  t.equal(badToken.code, 1)
  t.match(badToken.stderr, '枢纽拒绝了令牌（401）')
  const forbidden = await runCli(['dead-letters', 'discard', '--agency', AGENCY, 'x', '--url', h.hub.adminUrl, '--token', TOKENS.operator], { env: { CASEBRIDGE_LOCALE: 'en' } })
  t.equal(forbidden.code, 1)
  t.match(forbidden.stderr, 'this token\'s role may not do that (403)')
  const closed = await new Promise<number>(resolve => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)) }) })
  const down = await runCli(['status', '--url', `http://127.0.0.1:${closed}`, '--token', 'x', '--lang', 'en'])
  t.equal(down.code, 1)
  t.match(down.stderr, `cannot reach the hub at http://127.0.0.1:${closed} (ECONNREFUSED)`)
  const usage = await runCli(['quarantine', 'discard', '--agency', AGENCY, '--url', h.hub.adminUrl, '--token', TOKENS.admin])
  t.equal(usage.code, 2, 'a usage mistake exits 2')
  t.match(usage.stderr, 'quarantine discard 需要记录键，或 --all', 'said in the default language, zh-CN')
})
