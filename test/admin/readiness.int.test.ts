import t from 'tap'
import { join } from 'node:path'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { silentLogger } from '../../src/logging/logger.js'
import { TargetHealth } from '../../src/metrics/target-health.js'
import { TargetProbes } from '../../src/admin/target-probes.js'
import type { Readiness } from '../../src/admin/readiness.js'
import { sftpTarget } from '../../adapters/sftp-target.js'
import { AGENCY, startOperatorHub } from '../helpers/operator-hub.js'
import { startSshd } from '../helpers/sshd.js'
import { TEST_PLATFORM_TOKEN } from '../helpers/world.js'
import { waitFor } from '../helpers/wait-for.js'

const targetCheck = (r: Readiness): { ok: boolean; detail: string } | undefined => r.checks.find(c => c.name === 'target:platform')

t.test('readyz asks the platform itself: 200 before any push, one probe per cache interval', async t => {
  const h = await startOperatorHub(t, 'ready-probe', { adminOverrides: { readiness: { cacheMs: 60_000, probeTimeoutMs: 2000 } } })
  const before = h.world.platform.stats().totals.requests
  const res = await h.call('/readyz')
  t.equal(res.status, 200)
  const body = res.body as Readiness
  t.same(body.checks.map(c => [c.name, c.ok]), [['redis', true], ['config', true], [`mapping:${AGENCY}`, true], ['target:platform', true]], 'Redis, config, the agency\'s mapping and the target are checked')
  t.match(body.checks.find(c => c.name === `mapping:${AGENCY}`)?.detail, /^version \S+ active \(.*market-regulation-peixian\.yaml\)$/)
  t.match(targetCheck(body)?.detail, /^answered the probe in \d+ ms$/)
  t.equal(h.world.platform.stats().totals.stored, 0, 'nothing was pushed: the answer comes from the probe')
  t.equal(h.world.platform.stats().totals.requests, before + 1, 'the probe was one request to the platform')
  for (let i = 0; i < 5; i++) t.equal((await h.call('/readyz')).status, 200)
  await h.call('/metrics')
  t.equal(h.world.platform.stats().totals.requests, before + 1, 'readyz and scrapes within the cache interval reuse the answer')
})

t.test('readyz is 503 naming the target while the platform is down, refusing the token or in an outage, and 200 when it is back', async t => {
  const h = await startOperatorHub(t, 'ready-down', { adminOverrides: { readiness: { cacheMs: 50, probeTimeoutMs: 1000 } } })
  const readyz = async (): Promise<{ status: number; body: Readiness }> => {
    const res = await h.call('/readyz')
    return { status: res.status, body: res.body as Readiness }
  }
  const until = async (what: string, status: number, detail: RegExp): Promise<Readiness> => await waitFor(what, async () => {
    const r = await readyz()
    return r.status === status && detail.test(targetCheck(r.body)?.detail ?? '') ? r.body : undefined
  }, { timeoutMs: 15_000, describe: async () => JSON.stringify(await readyz()) })

  await until('ready while the platform answers', 200, /^answered/)
  const port = h.world.platform.port
  await fetch(`${h.world.platform.url}/__sim/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ durationMs: 600_000 }) })
  const outage = await until('not ready during an outage', 503, /HTTP 503/)
  t.same(outage.checks.filter(c => !c.ok).map(c => c.name), ['target:platform'], 'only the target fails, and it is named')
  t.match(targetCheck(outage)?.detail, `probe failed: CB_ERR_REMOTE_UNAVAILABLE: platform target platform (http://127.0.0.1:${port}) answered HTTP 503`)

  await h.world.platform.close()
  const down = await until('not ready while the platform is down', 503, /ECONNREFUSED/)
  t.equal(down.ready, false)
  t.equal((await readyz()).status, 503, 'still not ready')

  const wrongToken = await startPlatformSimulator({ port, tokens: ['some-other-token'] })
  t.teardown(async () => await wrongToken.close())
  t.match(targetCheck(await until('not ready while the platform refuses the token', 503, /HTTP 401/))?.detail, 'CB_ERR_REMOTE_REFUSED')
  await wrongToken.close()

  const back = await startPlatformSimulator({ port, tokens: [TEST_PLATFORM_TOKEN] })
  t.teardown(async () => await back.close())
  const ready = await until('ready again once the platform is back', 200, /^answered/)
  t.ok(ready.checks.every(c => c.ok), 'every check passes')
})

t.test('a platform slower than the probe time limit is not reachable', async t => {
  const h = await startOperatorHub(t, 'ready-slow', { adminOverrides: { readiness: { cacheMs: 0, probeTimeoutMs: 300 } } })
  const faults = async (latencyMs: number): Promise<void> => { await fetch(`${h.world.platform.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs }) }) }
  await faults(3000)
  const started = Date.now()
  const slow = await h.call('/readyz')
  t.equal(slow.status, 503)
  t.equal(targetCheck(slow.body as Readiness)?.detail, 'probe failed: no answer within 300 ms')
  t.ok(Date.now() - started < 2500, 'readyz answers within about the probe limit, not the platform\'s delay')
  await faults(0)
  t.equal((await h.call('/readyz')).status, 200, 'ready once the platform answers in time')
})

t.test('an sftp target is probed by a stat of its inbox: missing inbox refused, stopped server unreachable, restarted server fine', async t => {
  const sshd = await startSshd(t)
  const make = (directory: string) => sftpTarget.create({ kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory, timeoutMs: 3000 }, { logger: silentLogger(), name: 'inbox', input: () => ({ encoding: 'utf-8' }) })
  const good = make(sshd.root)
  const missing = make(join(sshd.root, 'no-such-inbox'))
  t.teardown(async () => { await good.close(); await missing.close() })
  const probes = new TargetProbes(new Map([['inbox', good], ['missing', missing]]), new TargetHealth(['inbox', 'missing']), { cacheMs: 0, probeTimeoutMs: 2500 })

  const first = await probes.checkAll()
  t.same(first.map(c => [c.name, c.ok]), [['target:inbox', true], ['target:missing', false]])
  t.match(first[1]?.detail, `CB_ERR_REMOTE_REFUSED: platform target inbox (sftp://127.0.0.1:${sshd.port}${join(sshd.root, 'no-such-inbox')}): the inbox directory does not exist`)

  await sshd.stop()
  const stopped = await probes.checkAll()
  t.equal(stopped[0]?.ok, false, 'a stopped server is not reachable')
  t.match(stopped[0]?.detail, /^probe failed: (CB_ERR_REMOTE_UNAVAILABLE|no answer within)/)
  await sshd.start()
  await waitFor('the inbox reachable again', async () => (await probes.checkAll())[0]?.ok === true, { timeoutMs: 15_000 })
  t.pass('reachable again after the restart, over a new connection')
})
