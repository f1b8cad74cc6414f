import { join } from 'node:path'
import t, { type Test } from 'tap'
import { startAgencySimulator, type AgencyRecord, type AgencySimStats, type AgencySimulator, type AgencySimulatorOptions } from '../../fixtures/agency-sim/index.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { projectRoot } from '../../src/paths.js'
import { mapRecords } from '../../src/pipeline/map-records.js'
import { waitFor } from '../helpers/wait-for.js'
import { agencyRuleViolations } from './fixtures/agency-rules.js'
import { call, getJson, postJson } from './fixtures/http.js'

interface CasesAnswer { data: { list: AgencyRecord[]; nextPageToken: string | null } }

async function startAgency (t: Test, options: AgencySimulatorOptions = {}): Promise<AgencySimulator> {
  const sim = await startAgencySimulator({ port: 0, ...options })
  t.teardown(() => sim.close())
  return sim
}

async function statuses (sim: AgencySimulator, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await getJson(`${sim.url}/api/cases?pageSize=1`)).status)
  return out
}

async function everyRecord (sim: AgencySimulator): Promise<AgencyRecord[]> {
  const all: AgencyRecord[] = []
  let token: string | null = null
  do {
    const url: string = `${sim.url}/api/cases?pageSize=500${token === null ? '' : `&pageToken=${token}`}`
    const res = await getJson<CasesAnswer>(url)
    all.push(...res.body.data.list)
    token = res.body.data.nextPageToken
  } while (token !== null)
  return all
}

t.test('stats list the invalid-by-design cases, matching the count, each served with its defect', async t => {
  const sim = await startAgency(t, { records: 400, seed: 6 })
  const stats = (await getJson<AgencySimStats>(`${sim.url}/__sim/stats`)).body
  t.equal(stats.records, 400)
  t.equal(stats.invalidByDesign, stats.invalidCases.length)
  t.equal(stats.invalidByDesign, 10, 'one in forty')
  t.same(sim.stats().invalidCases, stats.invalidCases, 'the handle reports the same')
  const records = new Map((await everyRecord(sim)).map(r => [r.AJBH, r]))
  for (const invalid of stats.invalidCases) {
    const record = records.get(invalid.caseNumber)
    t.ok(record, `${invalid.caseNumber} is served`)
    if (record !== undefined) t.equal(agencyRuleViolations(record).length, 1, `${invalid.caseNumber}: ${invalid.kind} → ${invalid.field}`)
  }
  const valid = [...records.values()].filter(r => !stats.invalidCases.some(i => i.caseNumber === r.AJBH))
  t.same(valid.flatMap(agencyRuleViolations), [], 'every other case is consistent')
})

t.test('injected errors follow errorRate, reproducibly for a seed, and can be changed at run time', async t => {
  const a = await startAgency(t, { records: 5, seed: 3, errorRate: 0.3 })
  const b = await startAgency(t, { records: 5, seed: 3, errorRate: 0.3 })
  const seqA = await statuses(a, 300)
  const seqB = await statuses(b, 300)
  const failed = seqA.filter(s => s === 500).length
  t.ok(failed > 60 && failed < 120, `about 30 % answered 500 (${failed} of 300)`)
  t.same(seqB, seqA, 'the same seed fails the same requests')
  t.same(seqA.filter(s => s !== 500 && s !== 200), [], 'otherwise 200')
  const stats = a.stats()
  t.equal(stats.errorsInjected, failed)
  t.equal(stats.requests, 300)
  let error = await getJson<{ code: number; msg: string }>(`${a.url}/api/cases`)
  for (let i = 0; i < 50 && error.status !== 500; i++) error = await getJson(`${a.url}/api/cases`)
  t.equal(error.status, 500)
  t.same(error.body, { code: 500, msg: 'simulated agency system error (errorRate)' }, 'a JSON error body')
  const changed = await postJson<{ errorRate: number; latencyMs: number }>(`${a.url}/__sim/faults`, { errorRate: 0, latencyMs: 30 })
  t.same(changed.body, { errorRate: 0, latencyMs: 30 })
  t.same(new Set(await statuses(a, 20)), new Set([200]), 'no errors after errorRate 0')
  const started = Date.now()
  await getJson(`${a.url}/api/cases?pageSize=1`)
  t.ok(Date.now() - started >= 25, 'latency applied')
  const bad = await postJson<{ msg: string }>(`${a.url}/__sim/faults`, { errorRate: 2 })
  t.equal(bad.status, 400)
  t.match(bad.body.msg, /errorRate/)
})

t.test('live mode keeps adding and advancing cases, all of them consistent and mappable', async t => {
  const sim = await startAgency(t, { records: 100, seed: 2, live: { intervalMs: 20, newPerTick: 3, updatesPerTick: 4 } })
  const stats = await waitFor('live mode to add and update cases', () => {
    const s = sim.stats()
    return s.liveAdded >= 30 && s.liveUpdated >= 40 ? s : undefined
  }, { timeoutMs: 10_000, intervalMs: 20, describe: () => JSON.stringify(sim.stats()) })
  t.ok(stats.records >= 130, `records grew to ${stats.records}`)
  const records = await everyRecord(sim)
  t.ok(records.length >= stats.records)
  const live = records.filter(r => !r.GXSJ.startsWith('2024-'))
  t.ok(live.length >= 30, `${live.length} cases stamped now`)
  t.same(live.flatMap(r => agencyRuleViolations(r).map(v => `${r.AJBH}: ${v}`)), [], 'live cases keep the rules')
  const mapping = await loadMapping(join(projectRoot, 'mappings', 'market-regulation-peixian.yaml'))
  const page = mapRecords(mapping.agency, mapping, live as unknown as Record<string, unknown>[])
  t.same(page.quarantined.map(q => q.caseNumber), [], 'live cases all validate through the demo mapping')
})

t.test('POST /__sim/cases adds valid cases now and they come after everything else', async t => {
  const sim = await startAgency(t, { records: 20 })
  const res = await postJson<AgencyRecord[]>(`${sim.url}/__sim/cases`, { count: 3 })
  t.equal(res.status, 200)
  t.equal(res.body.length, 3)
  t.same(res.body.map(r => r.AJBH), ['SCJG-320322-2024-000021', 'SCJG-320322-2024-000022', 'SCJG-320322-2024-000023'])
  t.same(res.body.flatMap(agencyRuleViolations), [])
  t.equal(sim.stats().records, 23)
  const all = await everyRecord(sim)
  t.same(all.slice(-3).map(r => r.AJBH), res.body.map(r => r.AJBH))
  t.equal((await postJson(`${sim.url}/__sim/cases`, { count: 0 })).status, 400)
  t.equal((await call('POST', `${sim.url}/__sim/cases`, { body: 'not json' })).status, 400)
})

t.test('bad options are refused at start with the option named', async t => {
  await t.rejects(startAgencySimulator({ errorRate: 1.5 }), /errorRate/)
  await t.rejects(startAgencySimulator({ records: -1 }), /records/)
  await t.rejects(startAgencySimulator({ live: { intervalMs: 0, newPerTick: 1, updatesPerTick: 1 } }), /live\.intervalMs/)
  await t.rejects(startAgencySimulator({ colour: 'blue' } as never), /colour/)
})
