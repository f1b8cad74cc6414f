/**
 * The status says why: during an agency system's HTTP 500s and during a platform outage,
 * GET /api/agencies and `casebridge status` show the failing side, its error (code, class,
 * message) and since when, and it clears when the fault ends. Real simulators and Redis.
 */
import t from 'tap'
import type { AgencyStatus } from '../../src/admin/agency-status.js'
import { AGENCY, startOperatorHub, TOKENS, type OperatorHub } from '../helpers/operator-hub.js'
import { runCli } from '../helpers/run-cli.js'
import { waitFor } from '../helpers/wait-for.js'

async function status (h: OperatorHub): Promise<AgencyStatus> {
  const res = await h.call(`/api/agencies/${AGENCY}`, { role: 'viewer' })
  if (res.status !== 200) throw new Error(`status answered ${res.status}`)
  return res.body as AgencyStatus
}

async function agencyFaults (h: OperatorHub, faults: { errorRate: number }): Promise<void> {
  const res = await fetch(`${h.world.agency.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) })
  if (res.status !== 200) throw new Error(`agency faults: ${res.status}`)
}

t.test('an agency system answering HTTP 500: the pull side shows the error and the first failure, and clears after a good pull', async t => {
  const h = await startOperatorHub(t, 'status-cause-pull', { agency: { records: 20, seed: 3 } })
  await h.hub.pullNow(AGENCY)
  const before = await status(h)
  t.match(before.pull, { state: 'ok', failingSince: null, lastError: null }, 'a good pull: nothing to explain')

  await agencyFaults(h, { errorRate: 1 })
  const faultAt = Date.now()
  await h.hub.pullNow(AGENCY)
  const failing = await status(h)
  t.equal(failing.pull.state, 'failing')
  t.ok(failing.pull.failingSince !== null && Date.parse(failing.pull.failingSince) >= faultAt - 1000, `failing since ${failing.pull.failingSince}`)
  t.match(failing.pull.lastError, { code: 'CB_ERR_REMOTE_UNAVAILABLE', error: 'RemoteUnavailableError', message: /HTTP 500/ }, 'the error: code, class and message')
  t.equal(failing.pull.lastOkAt, before.pull.lastOkAt, 'the last good pull stays where it was')

  await h.hub.pullNow(AGENCY)
  t.equal((await status(h)).pull.failingSince, failing.pull.failingSince, 'a second failure keeps the first failure of the streak')

  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.viewer }
  const en = await runCli(['status', '--lang', 'en'], { env })
  t.equal(en.code, 0, en.stderr)
  t.match(en.stdout, new RegExp(`${AGENCY}: pulls failing since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d\\d:\\d\\d: CB_ERR_REMOTE_UNAVAILABLE .*HTTP 500`), 'the CLI says why and since when')
  const zh = await runCli(['status'], { env })
  t.match(zh.stdout, new RegExp(`${AGENCY}：自 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d\\d:\\d\\d 起拉取失败：CB_ERR_REMOTE_UNAVAILABLE`), 'in Chinese too')

  await agencyFaults(h, { errorRate: 0 })
  await h.hub.pullNow(AGENCY)
  const healed = await status(h)
  t.match(healed.pull, { state: 'ok', failingSince: null, lastError: null }, 'cleared once a pull succeeds')
  t.ok(Date.parse(healed.pull.lastOkAt ?? '') >= faultAt, 'a new last good pull')
  const quiet = await runCli(['status', '--lang', 'en'], { env })
  t.notMatch(quiet.stdout, 'pulls failing', 'the CLI has nothing to explain any more')
})

t.test('a platform outage: the push side shows the target unreachable with the error and since when, the agency not ready, and clears when the outage ends', async t => {
  const h = await startOperatorHub(t, 'status-cause-push', {
    agency: { records: 30, seed: 4 },
    push: { batchSize: 10, concurrency: 1, backoff: { delayMs: 100, jitter: 0, maxDelayMs: 500 } },
    adminOverrides: { readiness: { cacheMs: 0, probeTimeoutMs: 1000 } },
  })
  const outage = await fetch(`${h.world.platform.url}/__sim/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ durationMs: 4000 }) })
  t.equal(outage.status, 200, 'the platform is down for 4 s')
  const outageAt = Date.now()
  await h.hub.pullNow(AGENCY)

  const down = await waitFor('the push side to show the outage', async () => {
    const s = await status(h)
    return s.push.state === 'unreachable' && s.push.lastError !== null ? s : undefined
  }, { timeoutMs: 10_000 })
  t.equal(down.push.target, 'platform')
  t.ok(down.push.failingSince !== null && Date.parse(down.push.failingSince) >= outageAt - 1000, `failing since ${down.push.failingSince}`)
  t.match(down.push.lastError, { code: 'CB_ERR_REMOTE_UNAVAILABLE', message: /503/ }, 'the error says what the platform answered')
  t.equal(down.ready, false, 'the agency is not ready')
  t.match(down.readiness.find(c => c.name === 'target:platform'), { ok: false }, 'because of its target')
  t.match(down.pull, { state: 'ok' }, 'the pull side is fine: the cause is the platform, not the agency')

  const cli = await runCli(['status', '--lang', 'en'], { env: { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.viewer } })
  t.match(cli.stdout, new RegExp(`${AGENCY}: target platform unreachable since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d\\d:\\d\\d: CB_ERR_REMOTE_UNAVAILABLE`), 'the CLI says why and since when')
  t.match(cli.stdout, `${AGENCY}: not ready: target:platform`)

  const up = await waitFor('the outage to end and the cases to be delivered', async () => {
    const s = await status(h)
    return s.push.state === 'reachable' && s.counts.pushed === s.counts.valid ? s : undefined
  }, { timeoutMs: 30_000 })
  t.match(up.push, { state: 'reachable', failingSince: null, lastError: null }, 'cleared when the outage ends')
  t.equal(up.ready, true, 'ready again')
  t.ok(Date.parse(up.push.lastOkAt ?? '') >= outageAt, 'a push got through after the outage')
})
