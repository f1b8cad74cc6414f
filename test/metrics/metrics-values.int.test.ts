import t from 'tap'
import { AGENCY, startOperatorHub, type OperatorHub } from '../helpers/operator-hub.js'
import { waitFor } from '../helpers/wait-for.js'
import type { AgencyStatus } from '../../src/admin/agency-status.js'
import { sample } from '../helpers/prometheus-text.js'

const scrape = async (h: OperatorHub): Promise<string> => String((await h.call('/metrics')).body)
const status = async (h: OperatorHub): Promise<AgencyStatus> => (await h.call(`/api/agencies/${AGENCY}`, { role: 'viewer' })).body as AgencyStatus

t.test('while the platform fails, lag grows, jobs wait, the target is down and the hub not ready; all recover after', async t => {
  const h = await startOperatorHub(t, 'metrics-values', { platform: { failureRate: 1 }, push: { attempts: 30, backoff: { delayMs: 100, jitter: 0 } } })
  await h.hub.pullNow(AGENCY)

  const failing = await waitFor('the platform failure to show', async () => {
    const text = await scrape(h)
    return sample(text, 'casebridge_target_up', { target: 'platform' }) === 0 ? text : undefined
  })
  t.equal(sample(failing, 'casebridge_hub_ready'), 0, 'casebridge_hub_ready is 0')
  const ready = await h.call('/readyz')
  t.equal(ready.status, 503, '/readyz answers 503')
  t.same((ready.body as { checks: { name: string; ok: boolean }[] }).checks.map(c => [c.name, c.ok]), [['redis', true], ['config', true], [`mapping:${AGENCY}`, true], ['target:platform', false]])
  t.match((ready.body as { checks: { name: string; detail: string }[] }).checks.at(-1)?.detail, /^answered the probe in \d+ ms, but the last push failed at \S+ \(CB_ERR_REMOTE_UNAVAILABLE\)$/, 'the platform answers, but its batch endpoint fails: not reachable for deliveries')
  const jobs = ['waiting', 'active', 'delayed'].reduce((n, state) => n + (sample(failing, 'casebridge_queue_jobs', { queue: 'push-platform', state }) ?? 0), 0)
  t.ok(jobs > 0, `push jobs are queued (${jobs})`)
  await waitFor('the lag to pass one second', async () => (await status(h)).lagSeconds >= 1)
  const lagMetric = sample(await scrape(h), 'casebridge_agency_sync_lag_seconds', { agency: AGENCY }) ?? 0
  t.ok(lagMetric >= 1, `the lag metric shows the undelivered changes (${lagMetric} s)`)

  await fetch(`${h.world.platform.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failureRate: 0 }) })
  const done = await waitFor('every valid case acknowledged', async () => {
    const s = await status(h)
    return s.counts.pushed === s.counts.valid && s.lagSeconds === 0 ? s : undefined
  }, { timeoutMs: 60_000 })
  t.equal((await h.call('/readyz')).status, 200, '/readyz is 200 again')

  // A scrape shares one ledger read with those of the 250 ms before it: wait for one made after.
  const text = await waitFor('a scrape made after the last acknowledgement', async () => {
    const scraped = await scrape(h)
    return sample(scraped, 'casebridge_agency_records_pushed_total', { agency: AGENCY }) === done.counts.pushed ? scraped : undefined
  })
  const api = ((await h.call('/api/agencies', { role: 'viewer' })).body as { agencies: AgencyStatus[] }).agencies[0]!
  t.same(api.counts, done.counts, '/api/agencies and /api/agencies/:id agree')
  t.equal(sample(text, 'casebridge_target_up', { target: 'platform' }), 1)
  t.equal(sample(text, 'casebridge_hub_ready'), 1)
  t.equal(sample(text, 'casebridge_agency_sync_lag_seconds', { agency: AGENCY }), 0, 'no lag once everything is acknowledged')
  t.equal(sample(text, 'casebridge_agency_records_pulled_total', { agency: AGENCY }), api.counts.pulled, 'pulled total = the API\'s count')
  t.equal(sample(text, 'casebridge_agency_records_pushed_total', { agency: AGENCY }), api.counts.pushed, 'pushed total = the API\'s count (each case acknowledged once)')
  t.equal(sample(text, 'casebridge_agency_quarantined_records', { agency: AGENCY }), api.counts.quarantined)
  t.equal(sample(text, 'casebridge_agency_records_quarantined_total', { agency: AGENCY }), api.counts.quarantined, 'each invalid record quarantined once')
  t.equal(sample(text, 'casebridge_agency_dead_letters', { agency: AGENCY }), api.counts.deadLettered)
  t.equal(sample(text, 'casebridge_end_to_end_latency_seconds_count', { agency: AGENCY }), api.counts.pushed, 'one latency observation per acknowledged case')
  const latencySum = sample(text, 'casebridge_end_to_end_latency_seconds_sum', { agency: AGENCY }) ?? 0
  t.ok(latencySum / api.counts.pushed >= 1, `the latency includes the time the platform was failing (mean ${(latencySum / api.counts.pushed).toFixed(2)} s)`)
  const okPull = sample(text, 'casebridge_agency_last_successful_pull_timestamp_seconds', { agency: AGENCY }) ?? 0
  t.equal(okPull, Date.parse(api.lastPullOkAt ?? '') / 1000, 'the last successful pull matches the API')
  t.ok((sample(text, 'casebridge_target_requests_total', { target: 'platform', outcome: 'unavailable' }) ?? 0) > 0, 'the failed requests are counted')
})

t.test('counters come from the ledger: a second hub on the same Redis reports the same totals', async t => {
  const h = await startOperatorHub(t, 'metrics-shared')
  await h.hub.pullNow(AGENCY)
  await waitFor('cases acknowledged', async () => (await h.hub.ledger.counters(AGENCY)).pushed > 0 && (await status(h)).lagSeconds === 0)
  const { loadConfig } = await import('../../src/config/load-config.js')
  const { startHub } = await import('../../src/hub.js')
  const { silentLogger } = await import('../../src/logging/logger.js')
  const { builtInRegistry } = await import('../../adapters/index.js')
  const second = await startHub({ config: await loadConfig(h.hub.config.file, builtInRegistry(), h.world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await second.close())
  const first = await scrape(h)
  const other = await (await fetch(`${second.adminUrl}/metrics`)).text()
  for (const name of ['casebridge_agency_records_pulled_total', 'casebridge_agency_records_pushed_total', 'casebridge_agency_records_quarantined_total', 'casebridge_agency_quarantined_records']) {
    const a = sample(first, name, { agency: AGENCY })
    t.ok(a !== undefined && a > 0, `${name} is exported (${a})`)
    t.equal(sample(other, name, { agency: AGENCY }), a, `${name}: the second hub, which pulled nothing, reports the same`)
  }
  t.equal(sample(other, 'casebridge_end_to_end_latency_seconds_count', { agency: AGENCY }), undefined, 'the latency histogram is per process: the second hub observed nothing')
})
