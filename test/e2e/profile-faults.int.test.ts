/**
 * The new targets misbehave the ways real ones do, and the hub still delivers exactly the
 * valid cases: the provincial exchange's answer codes each drive their outcome (0000
 * accepted, 1xxx a dead letter carrying the platform's message, 9001 busy → wait and retry,
 * 9002 stored-then-failed → sent again, harmless), a refused signature or a stale timestamp
 * is an authentication error naming the target that is not retried forever. (Outages, busy
 * answers, slow answers, failures after storing and poison records are the platform-fault
 * scenarios, run against every target kind: platform-faults.int.test.ts.)
 */
import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld, type World } from '../helpers/world.js'
import { startTarget, type StartedTarget, type TargetKind, type TargetOptions } from '../helpers/targets.js'
import { waitFor } from '../helpers/wait-for.js'
import type { Alarm } from '../../src/alarms/alarm-kinds.js'

const AGENCY = 'market-regulation-peixian'

async function scenario (t: Test, kind: TargetKind, label: string, records: number, opts: TargetOptions, push: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<{ world: World; target: StartedTarget; hub: Hub; expected: number }> {
  const world = await startWorld(t, label, { agency: { records, seed: 77 } })
  const target = await startTarget(t, kind, label.replace(/-/g, '_'), opts)
  Object.assign(process.env, env)
  const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  const config = await loadConfig(world.writeConfig({ target: target.section, pageSize: 100, push: { batchSize: 25, attempts: 30, backoff: { delayMs: 100, jitter: 0.5, maxDelayMs: 2000 }, ...push } }), builtInRegistry(), { ...world.env, ...target.env })
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger() })
  t.teardown(async () => await hub.close())
  return { world, target, hub, expected: source.records - source.invalidByDesign }
}

t.test('province: each class of answer code drives its outcome', async t => {
  // The poison case: the first valid case number of the agency (the simulator's records are seeded).
  const probe = await startWorld(t, 'codes-probe', { agency: { records: 150, seed: 77 } })
  const page = await (await fetch(`${probe.agency.url}/api/cases?pageSize=20`)).json() as { data: { list: { AJBH?: string; ajbh?: string }[] } }
  const first = page.data.list.map(r => r.AJBH ?? r.ajbh).find((n): n is string => typeof n === 'string')
  t.ok(first !== undefined, `a case number to poison (${first ?? 'none'})`)
  const { target, hub, expected } = await scenario(t, 'province', 'codes', 150, { http: { poisonCaseNumbers: [first as string], failAfterStoreRate: 0.2, rateLimit: { capacity: 3, refillPerSecond: 4 } } })
  await waitFor('every valid case stored but the poisoned one', async () => (await target.totals()).stored === expected - 1, { timeoutMs: 90_000, intervalMs: 200, describe: async () => JSON.stringify(await target.totals()) })
  await waitFor('the poisoned case a dead letter', async () => (await hub.ledger.deadLetters(AGENCY)).length === 1, { timeoutMs: 30_000 })
  const dead = await hub.ledger.deadLetters(AGENCY)
  t.equal(dead[0]?.caseNumber, first, '1099 (a 1xxx code) → a dead letter, at once')
  t.match(dead[0]?.reason ?? '', /1099/, "the dead letter carries the platform's code and message")
  const totals = await target.totals()
  t.equal(totals.applied, expected - 1, 'each other case applied once: 9001 busy and 9002 after store were retried, the repeat of a stored record is no second version')
  t.equal(totals.reapplied, 0, 'no version went back')
  t.ok((await hub.ledger.ackedCount(AGENCY)) >= expected - 1, 'the ledger acknowledged them')
})

for (const [label, opts] of [['a wrong app secret', { wrongSecret: true }], ['a hub clock 400 s off the platform’s', { http: { clockOffsetMs: 400_000 } }]] as const) {
  t.test(`province: ${label} is an authentication error naming the target, not retried forever`, async t => {
    const wrong: Record<string, string> = 'wrongSecret' in opts ? { PROVINCE_APP_SECRET: 'not-the-secret-the-exchange-issued' } : {}
    const { target, hub } = await scenario(t, 'province', `auth-${'wrongSecret' in opts ? 'key' : 'clock'}`, 40, 'http' in opts ? { http: opts.http } : {}, { attempts: 30 }, wrong)
    await waitFor('the cases dead-lettered', async () => (await hub.ledger.deadLetters(AGENCY)).length > 0, { timeoutMs: 30_000 })
    const dead = await hub.ledger.deadLetters(AGENCY)
    t.ok(dead.every(d => /platform target platform/.test(d.reason) && /refused the hub's credentials or signature/.test(d.reason)), 'the reason names the target and says what was refused')
    t.ok(dead.every(d => d.attempts === 1), 'tried once, not retried')
    t.equal((await target.totals()).stored, 0, 'nothing stored')
    // It alarms: the watchdog after the next pull opens dead_letters, worded as a key problem, naming the target.
    // (More batches may still be giving up: the alarm counts what the last pull's check saw, so wait until it caught up.)
    const openAlarm = async (): Promise<Alarm | undefined> => (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'dead_letters' && a.state === 'open')
    await waitFor('the dead-letter alarm open, counting every dead letter', async () => (await openAlarm())?.count === (await hub.ledger.deadLetters(AGENCY)).length, { timeoutMs: 30_000 })
    const alarm = await openAlarm()
    t.equal(alarm?.detail?.cause, 'target_auth', 'the alarm says the credentials were refused, not the records')
    t.match(String(alarm?.detail?.reason), /platform target platform/, "the alarm's reason names the target")
    t.ok((alarm?.count ?? 0) >= dead.length, `the alarm counts the dead letters (${alarm?.count ?? 0} ≥ ${dead.length} seen earlier)`)
    t.ok((alarm?.samples.length ?? 0) > 0 && alarm?.samples.every(n => dead.some(d => d.caseNumber === n)), 'its samples are dead-lettered case numbers')
    // Once an operator has dealt with them (here: discarded), the alarm resolves by itself.
    await hub.ledger.discardDeadLetters(AGENCY, (await hub.ledger.deadLetters(AGENCY)).map(d => d.caseNumber))
    await waitFor('the dead-letter alarm resolved', async () => (await hub.alarms.list({ agencyId: AGENCY })).some(a => a.kind === 'dead_letters' && a.state === 'resolved'), { timeoutMs: 30_000, describe: async () => JSON.stringify(await hub.alarms.list({ agencyId: AGENCY })) })
  })
}
