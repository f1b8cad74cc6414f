import t, { type Test } from 'tap'
import { startPlatformSimulator, type PlatformSimulator, type PlatformSimulatorOptions, type RecordResult } from '../../fixtures/platform-sim/index.js'
import { waitFor } from '../helpers/wait-for.js'
import { validCases } from './fixtures/canonical-cases.js'
import { call, postJson } from './fixtures/http.js'

const TOKEN = 'test-token'
const AUTH = { authorization: `Bearer ${TOKEN}` }

async function startPlatform (t: Test, options: PlatformSimulatorOptions = {}): Promise<PlatformSimulator> {
  const sim = await startPlatformSimulator({ port: 0, tokens: [TOKEN], ...options })
  t.teardown(() => sim.close())
  return sim
}

function push (sim: PlatformSimulator, cases: unknown[], key: string) {
  return call<{ results: RecordResult[]; code?: string }>('POST', `${sim.url}/api/v1/cases/batch`, {
    headers: { ...AUTH, 'idempotency-key': key }, body: { cases },
  })
}

t.test('an empty token bucket answers 429 with Retry-After in whole seconds, and refills', async t => {
  const sim = await startPlatform(t, { rateLimit: { capacity: 2, refillPerSecond: 0.5 } })
  t.equal((await push(sim, validCases(1), 'a')).status, 200)
  t.equal((await push(sim, validCases(1), 'b')).status, 200)
  const limited = await push(sim, validCases(1), 'c')
  t.equal(limited.status, 429)
  t.equal(limited.body.code, 'RATE_LIMITED')
  t.equal(limited.headers['retry-after'], '2', 'one token takes 2 s at 0.5/s')
  t.equal(sim.stats().totals.rateLimited, 1)
  // Refilling in half a second: the next request comes well within that even on a loaded machine.
  await postJson(`${sim.url}/__sim/faults`, { rateLimit: { capacity: 1, refillPerSecond: 2 } })
  t.equal((await push(sim, validCases(1), 'd')).status, 200, 'a new bucket starts full')
  const quick = await push(sim, validCases(1), 'e')
  t.equal(quick.status, 429)
  t.equal(quick.headers['retry-after'], '1', 'at least 1 s')
  await waitFor('the bucket to refill', async () => (await push(sim, validCases(1), 'e')).status === 200, { timeoutMs: 5000, intervalMs: 30 })
  await postJson(`${sim.url}/__sim/faults`, { rateLimit: null })
  for (let i = 0; i < 5; i++) t.equal((await push(sim, validCases(1), `f${i}`)).status, 200, 'no limit after rateLimit null')
})

t.test('failAfterStoreRate 1: the batch is stored, answered 500, and the retry with the same key is a suppressed duplicate', async t => {
  const sim = await startPlatform(t, { failAfterStoreRate: 1 })
  const cases = validCases(5)
  const first = await push(sim, cases, 'retry-me')
  t.equal(first.status, 500)
  t.match(sim.stats().totals, { stored: 5, applied: 5, failuresInjected: 1 })
  await postJson(`${sim.url}/__sim/faults`, { failAfterStoreRate: 0 })
  const retry = await push(sim, cases, 'retry-me')
  t.equal(retry.status, 200)
  t.same(retry.body.results.map(r => r.status), Array(5).fill('accepted'))
  t.match(sim.stats().totals, { stored: 5, applied: 5, unchanged: 0, duplicatesSuppressed: 5 })
})

t.test('failureRate 1: every batch is a 503 and nothing is stored', async t => {
  const sim = await startPlatform(t, { failureRate: 1 })
  for (let i = 0; i < 3; i++) t.equal((await push(sim, validCases(2), 'k')).status, 503)
  t.match(sim.stats().totals, { stored: 0, applied: 0, failuresInjected: 3, requests: 3 })
  await postJson(`${sim.url}/__sim/faults`, { failureRate: 0 })
  t.equal((await push(sim, validCases(2), 'k')).status, 200, 'the same key works once the failure passes: a 503 is not remembered')
})

t.test('failureRate is honoured roughly and reproducibly for a seed', async t => {
  const runs = await Promise.all([1, 2].map(async () => {
    const sim = await startPlatform(t, { failureRate: 0.25, seed: 4 })
    const codes: number[] = []
    for (let i = 0; i < 200; i++) codes.push((await push(sim, validCases(1, undefined, i), `k${i}`)).status)
    return codes
  }))
  const failed = runs[0]?.filter(s => s === 503).length ?? 0
  t.ok(failed > 30 && failed < 75, `about 25 % failed (${failed} of 200)`)
  t.same(runs[1], runs[0], 'the same seed fails the same requests')
})

t.test('recordRetryableRate 1: records are answered retryable, not stored, and the answer is not remembered', async t => {
  const sim = await startPlatform(t, { recordRetryableRate: 1 })
  const cases = validCases(3)
  const res = await push(sim, cases, 'k')
  t.same(res.body.results.map(r => r.status), ['retryable', 'retryable', 'retryable'])
  t.ok(res.body.results.every(r => r.status === 'retryable' && r.reason.length > 0), 'with a reason')
  t.match(sim.stats().totals, { stored: 0, retryable: 3 })
  await postJson(`${sim.url}/__sim/faults`, { recordRetryableRate: 0 })
  const retry = await push(sim, cases, 'k')
  t.same(retry.body.results.map(r => r.status), ['accepted', 'accepted', 'accepted'], 'the retry with the same key is processed')
  t.match(sim.stats().totals, { stored: 3, applied: 3, duplicatesSuppressed: 0 })
})

t.test('an outage answers 503 to every API request until it ends', async t => {
  const sim = await startPlatform(t)
  const started = await postJson<{ outageUntil: string }>(`${sim.url}/__sim/outage`, { durationMs: 1500 })
  t.equal(started.status, 200)
  const during = await push(sim, validCases(1), 'k')
  t.equal(during.status, 503)
  t.equal(during.body.code, 'OUTAGE')
  t.ok(Number(during.headers['retry-after']) >= 1, 'with Retry-After')
  t.equal((await call('GET', `${sim.url}/api/v1/cases?agencyCode=x`, { headers: AUTH })).status, 503, 'listing too')
  t.equal(sim.stats().totals.outageRejections, 2)
  await waitFor('the outage to end', async () => (await push(sim, validCases(1), 'k')).status === 200, { timeoutMs: 5000, intervalMs: 50 })
  t.equal(sim.stats().totals.stored, 1)
})

t.test('outages from the options are measured from start', async t => {
  const sim = await startPlatform(t, { outages: [{ startAfterMs: 0, durationMs: 1500 }, { startAfterMs: 60_000, durationMs: 1000 }] })
  t.equal((await push(sim, validCases(1), 'k')).status, 503)
  await waitFor('the first outage to end', async () => (await push(sim, validCases(1), 'k')).status === 200, { timeoutMs: 5000, intervalMs: 50 })
})

t.test('latency delays answers and changes at run time; bad fault settings are a 400 naming them', async t => {
  const sim = await startPlatform(t, { latencyMs: 150 })
  let started = Date.now()
  await push(sim, validCases(1), 'k')
  t.ok(Date.now() - started >= 145, 'latency from the options')
  const changed = await postJson<Record<string, unknown>>(`${sim.url}/__sim/faults`, { latencyMs: 0 })
  t.match(changed.body, { latencyMs: 0, failureRate: 0, rateLimit: null })
  started = Date.now()
  await push(sim, validCases(1), 'k2')
  t.ok(Date.now() - started < 145, 'no latency now')
  for (const body of [{ failureRate: -1 }, { rateLimit: { capacity: 0, refillPerSecond: 1 } }, { latencyMs: 'slow' }, { tokens: ['x'] }]) {
    const res = await postJson<{ message: string }>(`${sim.url}/__sim/faults`, body)
    t.equal(res.status, 400, JSON.stringify(body))
    t.match(res.body.message, new RegExp(Object.keys(body)[0] as string))
  }
  await t.rejects(startPlatformSimulator({ failAfterStoreRate: 3 }), /failAfterStoreRate/)
  await t.rejects(startPlatformSimulator({ tokens: [] }), /tokens/)
})
