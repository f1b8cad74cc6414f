import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { agencyLag } from '../../src/lag/agency-lag.js'
import { builtInRegistry } from '../../adapters/index.js'
import { waitFor } from '../helpers/wait-for.js'
import { AGENCY, sim, startReconcileWorld, type ReconcileWorld } from '../reconcile/reconcile-world.js'

async function pullingHub (t: Test, world: ReconcileWorld, reconcile: Record<string, unknown>): Promise<Hub> {
  const file = world.writeConfig(reconcile, { schedule: '* * * * * *' })
  const hub = await startHub({ config: await loadConfig(file, builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger() })
  t.teardown(async () => await hub.close())
  await waitFor('the first sync', async () => await hub.ledger.ackedCount(AGENCY) === world.records.length, { timeoutMs: 20_000 })
  return hub
}

const stateOf = async (hub: Hub, kind: 'agency_unreachable' | 'agency_silent'): Promise<string | undefined> =>
  (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === kind)?.state

t.test('an agency system failing for longer than the limit raises agency_unreachable, and the next good pull resolves it', async t => {
  const world = await startReconcileWorld(t, 'unreachable', 20)
  const hub = await pullingHub(t, world, { unreachableAfterSeconds: 1, silentAfterSeconds: 3600 })
  await sim('POST', `${world.agency.url}/__sim/faults`, { errorRate: 1 })
  await waitFor('the unreachable alarm', async () => await stateOf(hub, 'agency_unreachable') === 'open', { timeoutMs: 15_000 })
  const lag = await agencyLag(hub.ledger, AGENCY)
  t.ok(lag.pullFailingSince !== null, 'the lag shows since when pulls fail')
  t.ok(lag.sinceLastPullOkSeconds !== null && lag.sinceLastPullOkSeconds >= 1, `and how long ago the last good pull was (${lag.sinceLastPullOkSeconds} s)`)
  await sim('POST', `${world.agency.url}/__sim/faults`, { errorRate: 0 })
  await waitFor('the alarm to resolve', async () => await stateOf(hub, 'agency_unreachable') === 'resolved', { timeoutMs: 15_000 })
  t.equal((await agencyLag(hub.ledger, AGENCY)).pullFailingSince, null, 'no longer failing')
  await waitFor('both notifications', () => world.webhook.deliveries.length >= 2)
  t.same(world.webhook.deliveries.map(d => `${d.json.event}:${d.json.alarm.kind}`).sort(), ['opened:agency_unreachable', 'resolved:agency_unreachable'], 'opened and resolved, each notified')
  const opened = world.webhook.deliveries.find(d => d.json.event === 'opened')
  t.equal(opened?.json.alarm.detail?.cause, 'not_answering', 'answers 500: the cause is "not answering"')
  t.match(opened?.json.description, /has not answered for \d+ minute\(s\) \(timeout, or the connection was refused\)/, 'and the description says so')
})

t.test('an agency system refusing the hub (401) raises agency_unreachable saying "refused", from the error\'s class', async t => {
  const world = await startReconcileWorld(t, 'refused', 20)
  await pullingHub(t, world, { unreachableAfterSeconds: 1, silentAfterSeconds: 3600 })
  // The next six pulls (one a second) are answered 401: a refusal, never retried within a pull.
  for (let i = 0; i < 6; i++) world.agency.serveRaw({ body: '{"code":401,"msg":"wrong X-Api-Key"}', status: 401 })
  await waitFor('the unreachable alarm to be notified', () => world.webhook.deliveries.some(d => d.json.event === 'opened'), { timeoutMs: 15_000 })
  const opened = world.webhook.deliveries.find(d => d.json.event === 'opened')
  t.equal(opened?.json.alarm.kind, 'agency_unreachable')
  t.equal(opened?.json.alarm.detail?.cause, 'refused', 'the cause is "refused"')
  t.match(opened?.json.description, /has refused the hub for \d+ minute\(s\) \(permission denied or authentication failed\)/, 'and the description says so')
  await waitFor('the alarm to resolve once the system answers again', () => world.webhook.deliveries.some(d => d.json.event === 'resolved'), { timeoutMs: 15_000 })
})

t.test('an agency that usually has changes and has had none for longer than the limit raises agency_silent', async t => {
  const world = await startReconcileWorld(t, 'silent', 20)
  const hub = await pullingHub(t, world, { unreachableAfterSeconds: 3600, silentAfterSeconds: 2 })
  t.not(await stateOf(hub, 'agency_silent'), 'open', 'not silent right after changes')
  await waitFor('the silent alarm', async () => await stateOf(hub, 'agency_silent') === 'open', { timeoutMs: 15_000 })
  await sim('POST', `${world.agency.url}/__sim/cases`, { count: 1 })
  await waitFor('the alarm to resolve on the next change', async () => await stateOf(hub, 'agency_silent') === 'resolved', { timeoutMs: 15_000 })
  t.pass('resolved by a new case')
})
