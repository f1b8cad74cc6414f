/**
 * The feedback path's failure handling in one in-process hub: a callback that fails a few
 * times is retried until the decision is written (stored once); a decision the agency
 * refuses becomes a feedback dead letter, counts in `feedbackPending`, is named by
 * reconciliation and by `casebridge feedback`, and the lag is in the metrics.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { RecordedDecision } from '../../fixtures/platform-sim/index.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'
import { startWorld, TEST_PLATFORM_TOKEN } from '../helpers/world.js'

const AGENCY = 'market-regulation-peixian'
const TOKEN = 'feedback-dead-letters-operator'

t.test('a failing callback is retried until written, a refused decision becomes a dead letter that reconciliation, feedbackPending and the CLI report', async t => {
  const world = await startWorld(t, 'feedback-dead', { agency: { records: 12, seed: 5 } })
  const base = JSON.parse(readFileSync(world.writeConfig({ admin: { tokens: [{ id: 'ops', role: 'operator', sha256: hashToken(TOKEN) }] } }), 'utf8')) as { agencies: Record<string, unknown>[] } & Record<string, unknown>
  const file = tempDir(t).write('hub.yaml', JSON.stringify({
    ...base,
    feedback: { schedule: 'every 200ms', concurrency: 2, retryForSeconds: 30, backoff: { delayMs: 50, maxDelayMs: 200, jitter: 0 }, reconcile: { schedule: '0 0 0 1 1 *', minAgeSeconds: 0, repair: true } },
    agencies: base.agencies.map(a => ({ ...a, feedback: { writer: { kind: 'http', url: `${world.agency.url}/api/feedback`, timeoutMs: 2000 } } })),
  }))
  const capture = capturingLogger('info')
  const hub = await startHub({ config: await loadConfig(file, builtInRegistry(), world.env), registry: builtInRegistry(), logger: capture.logger })
  t.teardown(async () => { await hub.close() })
  await waitFor('the platform to hold the valid cases', () => world.platform.stats().totals.stored >= 10, { timeoutMs: 30_000 })
  const listing = await (await fetch(`${world.platform.url}/api/v1/cases?agencyCode=${world.agency.agencyCode}`, { headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}` } })).json() as { items: { case: { caseNumber: string } }[] }
  const [good, refused] = listing.items.map(i => i.case.caseNumber) as [string, string]
  await waitFor('the ledger to learn the agency code', async () => await hub.ledger.deliveredAgencyCode(AGENCY) !== undefined)

  await fetch(`${world.agency.url}/__sim/feedback/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 3, refuseCaseNumbers: [refused] }) })
  const record = async (caseNumber: string, decision: string, hidden = false): Promise<RecordedDecision> => await (await fetch(`${world.platform.url}/__sim/feedback`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ caseNumber, agencyCode: world.agency.agencyCode, decision, note: '张三 13812345678', hidden }),
  })).json() as RecordedDecision
  const accepted = await record(good, 'accepted')
  const declined = await record(refused, 'declined')
  const hidden = await record(good, 'filed', true)

  await waitFor('the decision to be written after the callback failed', () => world.agency.feedback().some(d => d.id === accepted.id), { timeoutMs: 20_000 })
  await waitFor('the refused decision to become a dead letter', async () => (await hub.feedback.counts(AGENCY)).deadLetters === 1, { timeoutMs: 20_000 })
  t.same(world.agency.feedback().map(d => [d.id, d.deliveries]), [[accepted.id, 1]], 'written once after three failed attempts; the refused one never stored')
  t.match(await hub.feedback.counts(AGENCY), { written: 1, pending: 0, deadLetters: 1 })
  t.equal(await hub.feedback.feedbackPending(AGENCY), 1, 'feedbackPending counts the dead letter: the platform holds it, the agency does not (the hidden one is unknown to the hub until reconciliation)')
  const dead = await hub.feedback.store.deadLetters(AGENCY)
  t.match(dead, [{ decision: { id: declined.id, caseNumber: refused }, reason: /refused on purpose/ }], 'the dead letter keeps the decision and the agency\'s reason')

  const findings = await hub.feedback.reconcileNow('platform')
  t.same(findings, [{ agencyId: AGENCY, pending: [{ id: declined.id, caseNumber: refused, deadLetter: true }, { id: hidden.id, caseNumber: good, deadLetter: false }] }], 'reconciliation names the decisions not at the agency: the dead letter and the one the listing never showed')
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'feedback_pending')
  t.match(alarm, { state: 'open', count: 2 }, 'the feedback_pending alarm counts both')
  t.same([...(alarm?.samples ?? [])].sort(), [good, refused].sort(), 'and names their cases')
  // repair: true — the decision the listing never showed is written now; the dead letter waits for an operator.
  await waitFor('the repaired decision to be written', () => world.agency.feedback().some(d => d.id === hidden.id), { timeoutMs: 20_000 })
  await waitFor('the hub to record it', async () => (await hub.feedback.counts(AGENCY)).written === 2)
  t.equal(await hub.feedback.feedbackPending(AGENCY), 1, 'only the dead letter is left')
  const supervision = await (await fetch(`${hub.adminUrl}/api/supervision?agency=${AGENCY}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as { agencies: { feedbackPending: number | null }[] }
  t.equal(supervision.agencies[0]?.feedbackPending, 1, 'the supervision view shows the same feedback pending')

  const env = { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKEN }
  const json = JSON.parse((await runCli(['feedback', '--agency', AGENCY, '--json'], { env })).stdout) as Record<string, unknown>
  t.match(json, { agency: AGENCY, writer: true, written: 2, pending: 0, deadLetters: 1, deadLetterDecisions: [{ id: declined.id, caseNumber: refused, decision: 'declined' }] }, 'casebridge feedback --json')
  const zh = await runCli(['feedback', '--agency', AGENCY], { env: { ...env, CASEBRIDGE_LOCALE: 'zh-CN' } })
  t.equal(zh.code, 0)
  t.match(zh.stdout, '待写入', 'the table in Chinese')
  t.match(zh.stdout, refused, 'with the case not written')
  t.match(zh.stdout, '不予立案', 'and its decision in words')
  const en = await runCli(['feedback', '--lang', 'en'], { env })
  t.match(en.stdout, /Agency\s+Feedback writer\s+Written\s+Pending\s+Dead letters/, 'every agency, in English')

  const metrics = await (await fetch(`${hub.adminUrl}/metrics`)).text()
  t.match(metrics, new RegExp(`casebridge_feedback_lag_seconds_count\\{agency="${AGENCY}"\\} 2`), 'the lag of each written decision is measured')
  t.match(metrics, new RegExp(`casebridge_feedback_dead_letters\\{agency="${AGENCY}"\\} 1`))
  t.match(metrics, new RegExp(`casebridge_feedback_written\\{agency="${AGENCY}"\\} 2`))

  // The agency fixes its side; an operator writes the dead letter again; reconciliation then finds nothing.
  await fetch(`${world.agency.url}/__sim/feedback/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refuseCaseNumbers: [] }) })
  const retried = JSON.parse((await runCli(['feedback', 'retry', '--agency', AGENCY, '--json'], { env })).stdout) as Record<string, unknown>
  t.same(retried, { agency: AGENCY, requeued: 1, notFound: 0 }, 'casebridge feedback retry queues the dead letter again')
  await waitFor('the retried decision to be written', () => world.agency.feedback().some(d => d.id === declined.id), { timeoutMs: 20_000 })
  await waitFor('the hub to record it', async () => (await hub.feedback.counts(AGENCY)).written === 3)
  t.match(await hub.feedback.counts(AGENCY), { written: 3, pending: 0, deadLetters: 0 })
  t.same(await hub.feedback.reconcileNow('platform'), [{ agencyId: AGENCY, pending: [] }], 'reconciliation finds every decision at the agency')
  t.match((await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'feedback_pending'), { state: 'resolved' }, 'and resolves the alarm')
  t.same(world.agency.feedback().map(d => d.deliveries), [1, 1, 1], 'each decision stored once')
  const logs = capture.entries().map(e => JSON.stringify(e)).join('\n')
  t.notMatch(logs, /13812345678|张三/, 'the platform\'s note (free text) is never logged')
})
