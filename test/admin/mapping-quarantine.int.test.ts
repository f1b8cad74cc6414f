import t from 'tap'
import { readFileSync } from 'node:fs'
import { AGENCY, startOperatorHub } from '../helpers/operator-hub.js'
import { DEMO_MAPPING } from '../helpers/world.js'

const ID_NUMBER = /(?<![0-9A-Za-z])[1-9]\d{16}[\dX](?![0-9A-Za-z])/

t.test('POST /api/mappings/preview maps a posted sample with the mapping in use, the same way a pull does', async t => {
  const h = await startOperatorHub(t, 'preview', { agency: { records: 60, seed: 5 } })
  const page = await (await fetch(`${h.world.agency.url}/api/cases?pageSize=60`)).json() as { data: { list: Record<string, unknown>[] } }
  const records = page.data.list
  const stats = await (await fetch(`${h.world.agency.url}/__sim/stats`)).json() as { invalidCases: { caseNumber: string }[] }
  const sample = records.map(r => JSON.stringify(r)).join('\n') + '\n'

  const res = await h.call('/api/mappings/preview', { role: 'operator', method: 'POST', body: { agency: AGENCY, fileName: 'export.ndjson', sample } })
  t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300))
  const report = res.body as { summary: { records: number; valid: number; invalid: number }; results: { outcome: string; caseNumber?: string }[] }
  t.equal(report.summary.records, records.length, 'every record of the sample is reported')
  const invalidHere = stats.invalidCases.filter(c => records.some(r => r.AJBH === c.caseNumber)).map(c => c.caseNumber).sort()
  t.same(report.results.filter(r => r.outcome === 'invalid').map(r => r.caseNumber).sort(), invalidHere, 'exactly the invalid-by-design records are invalid')
  t.match(JSON.stringify(report), ID_NUMBER, 'an operator sees the canonical cases whole')

  const viewer = await h.call('/api/mappings/preview', { role: 'viewer', method: 'POST', body: { agency: AGENCY, fileName: 'export.ndjson', sample } })
  t.equal(viewer.status, 200)
  t.notMatch(JSON.stringify(viewer.body), ID_NUMBER, 'a viewer sees no full ID number')

  const edited = readFileSync(DEMO_MAPPING, 'utf8').replace(/^version:.*$/m, 'version: "try-1"')
  const tried = await h.call('/api/mappings/preview', { role: 'operator', method: 'POST', body: { agency: AGENCY, fileName: 'export.ndjson', sample, mapping: edited } })
  t.equal((tried.body as { mapping: { version: string } }).mapping.version, 'try-1', 'a posted mapping text is used instead of the one in use')
  const broken = await h.call('/api/mappings/preview', { role: 'operator', method: 'POST', body: { agency: AGENCY, fileName: 'export.ndjson', sample, mapping: 'agency: [' } })
  t.equal(broken.status, 422, 'a broken mapping text is refused with the reason')
  t.match((broken.body as { message: string }).message, /\d+:\d+/, 'the reason names line and column')
})

t.test('POST /api/agencies/:id/quarantine/retry re-processes the quarantine and reports what happened', async t => {
  const h = await startOperatorHub(t, 'q-retry', { agency: { records: 60, seed: 5 } })
  await h.hub.pullNow(AGENCY)
  const before = (await h.hub.ledger.quarantine(AGENCY)).length
  t.ok(before > 0, 'records are in quarantine')
  const res = await h.call(`/api/agencies/${AGENCY}/quarantine/retry`, { role: 'operator', method: 'POST' })
  t.equal(res.status, 200)
  t.match(res.body, { agency: AGENCY, examined: before, released: 0, stillInvalid: before }, 'the same mapping finds them still invalid')
  t.equal((await h.hub.ledger.quarantine(AGENCY)).length, before, 'nothing was lost from quarantine')
  const audit = (await h.call('/api/audit', { role: 'admin' })).body as { entries: { who: string; what: string; result: string }[] }
  t.match(audit.entries[0], { who: 'operator-1', what: 'quarantine.retry', result: 'ok' })
})
