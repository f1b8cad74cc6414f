/**
 * Feedback through a target profile: one hub, one agency whose target is the provincial
 * exchange (http-profile with mappings/profiles/province.yaml), an HTTP feedback writer to
 * the agency simulator. The exchange's decisions, in its own format (FKID, CLJG, CLSJ…),
 * reach the agency once each as the hub's decisions; one hidden from the incremental
 * listing is named by the feedback reconciliation; one the profile cannot read (CLJG 09)
 * stops the cursor before it, and the decision after it waits.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { ProvinceDecision } from '../../fixtures/province-sim/index.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { startTarget } from '../helpers/targets.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'
import { startWorld } from '../helpers/world.js'

const AGENCY = 'market-regulation-peixian'

t.test('the exchange\'s decisions reach the agency once each through the profile; a hidden one is reported pending, an unreadable one stops the cursor', async t => {
  const world = await startWorld(t, 'profile-feedback', { agency: { records: 12, seed: 5 } })
  const target = await startTarget(t, 'province', 'profile_feedback')
  const exchange = String(target.section.baseUrl)
  const base = JSON.parse(readFileSync(world.writeConfig({ target: target.section }), 'utf8')) as { agencies: Record<string, unknown>[] } & Record<string, unknown>
  const file = tempDir(t).write('hub.yaml', JSON.stringify({
    ...base,
    feedback: { schedule: 'every 200ms', concurrency: 2, retryForSeconds: 30, backoff: { delayMs: 50, maxDelayMs: 200, jitter: 0 }, reconcile: { schedule: '0 0 0 1 1 *', minAgeSeconds: 0, repair: false } },
    agencies: base.agencies.map(a => ({ ...a, feedback: { writer: { kind: 'http', url: `${world.agency.url}/api/feedback`, timeoutMs: 2000 } } })),
  }))
  const capture = capturingLogger('info')
  const hub = await startHub({ config: await loadConfig(file, builtInRegistry(), { ...world.env, ...target.env }), registry: builtInRegistry(), logger: capture.logger })
  t.teardown(async () => { await hub.close() })
  const code = world.agency.agencyCode
  await waitFor('the exchange to hold the valid cases', async () => (await target.totals()).stored >= 10, { timeoutMs: 30_000 })
  await waitFor('the ledger to learn the agency code', async () => await hub.ledger.deliveredAgencyCode(AGENCY) !== undefined)
  const [a, b] = [...(await target.versions(code)).keys()].sort() as [string, string]

  const decide = async (AJBH: string, CLJG: string, more: Record<string, unknown> = {}): Promise<ProvinceDecision> => {
    const res = await fetch(`${exchange}/__sim/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AJBH, XZJGDM: code, CLJG, ...more }) })
    if (res.status !== 200) throw new Error(`could not record a decision (${res.status}): ${await res.text()}`)
    return await res.json() as ProvinceDecision
  }
  const accepted = await decide(a, '01', { CLSJ: '20240418151002', CLYJ: '材料齐全，予以受理' })
  const filed = await decide(a, '02')
  const declined = await decide(b, '03')
  const hidden = await decide(b, '06', { hidden: true })

  await waitFor('the three listed decisions at the agency', () => world.agency.feedback().length === 3, { timeoutMs: 20_000 })
  await waitFor('the hub to record them written', async () => (await hub.feedback.counts(AGENCY)).written === 3)
  const got = [...world.agency.feedback()].sort((x, y) => x.id < y.id ? -1 : 1)
  t.same(got.map(d => [d.id, d.caseNumber, d.decision, d.deliveries]), [
    [accepted.FKID, a, 'accepted', 1], [filed.FKID, a, 'filed', 1], [declined.FKID, b, 'declined', 1],
  ], 'each decision stored once, its CLJG code read through the profile\'s table')
  t.match(got[0]?.body, { id: accepted.FKID, decidedAt: '2024-04-18T15:10:02+08:00', note: '材料齐全，予以受理' }, 'CLSJ read as Beijing time, CLYJ as the note')
  t.notOk(world.agency.feedback().some(d => d.id === hidden.FKID), 'the hidden decision never reached the agency')

  const findings = await hub.feedback.reconcileNow('platform')
  t.same(findings, [{ agencyId: AGENCY, pending: [{ id: hidden.FKID, caseNumber: b, deadLetter: false }] }], 'reconciliation reads the exchange\'s full listing and names the hidden decision')
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(x => x.kind === 'feedback_pending')
  t.match(alarm, { state: 'open', count: 1 }, 'feedback_pending')
  t.same(alarm?.samples, [b], 'by case number')

  // CLJG 09 (补正材料) is not in the profile's table: never skipped — the cursor stops before it and the decision after it waits.
  const unreadable = await decide(a, '09')
  const after = await decide(b, '01')
  let refusal = ''
  await waitFor('a pull refused on the unreadable decision', async () => {
    try { await hub.feedback.pullNow('platform') } catch (err) { refusal = err instanceof Error ? err.message : String(err) }
    return refusal !== ''
  }, { timeoutMs: 20_000 })
  t.match(refusal, `decision "${unreadable.FKID}" cannot be read — field /CLJG: decision code "09" is not in the profile's feedback code table`, 'the refusal names the decision and the field')
  t.notOk(world.agency.feedback().some(d => d.id === after.FKID), 'the decision after it is not passed on')
  t.equal(world.agency.feedback().length, 3, 'nothing more was written')
  await waitFor('the scheduled pull to log the refusal', () => capture.entries().some(e => /feedback pull failed/.test(String(e.msg)) && JSON.stringify(e).includes(unreadable.FKID)), { timeoutMs: 20_000 })
  t.notMatch(capture.entries().map(e => JSON.stringify(e)).join('\n'), /材料齐全/, 'the exchange\'s note (free text) is never logged')
})
