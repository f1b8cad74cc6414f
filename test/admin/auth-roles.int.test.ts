import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import type { Role } from '../../src/admin/auth/tokens.js'
import { readAudit } from '../../src/admin/audit-stream.js'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { waitFor } from '../helpers/wait-for.js'

const A = `/api/agencies/${AGENCY}`

/** Every /api route, the least role it needs, and a call that succeeds with that role (`also`: other answers that mean "allowed"). */
const ROUTES: readonly { method: string; path: string; openapiPath: string; least: Role; body?: unknown; also?: number[] }[] = [
  { method: 'GET', path: '/api/hub', openapiPath: '/api/hub', least: 'viewer' },
  { method: 'GET', path: '/api/agencies', openapiPath: '/api/agencies', least: 'viewer' },
  { method: 'GET', path: A, openapiPath: '/api/agencies/{id}', least: 'viewer' },
  { method: 'POST', path: `${A}/sync`, openapiPath: '/api/agencies/{id}/sync', least: 'operator', body: {} },
  { method: 'GET', path: `${A}/quarantine`, openapiPath: '/api/agencies/{id}/quarantine', least: 'viewer' },
  { method: 'POST', path: `${A}/quarantine/discard`, openapiPath: '/api/agencies/{id}/quarantine/discard', least: 'admin', body: { keys: ['no-such-record'] } },
  { method: 'GET', path: `${A}/dead-letters`, openapiPath: '/api/agencies/{id}/dead-letters', least: 'viewer' },
  { method: 'POST', path: `${A}/dead-letters/retry`, openapiPath: '/api/agencies/{id}/dead-letters/retry', least: 'operator', body: { keys: ['no-such-case'] } },
  { method: 'POST', path: `${A}/dead-letters/discard`, openapiPath: '/api/agencies/{id}/dead-letters/discard', least: 'admin', body: { keys: ['no-such-case'] } },
  { method: 'GET', path: '/api/audit', openapiPath: '/api/audit', least: 'admin' },
  { method: 'GET', path: '/api/alarms?state=all', openapiPath: '/api/alarms', least: 'viewer' },
  // The first allowed call acknowledges the alarm; later ones find it acknowledged already (409).
  { method: 'POST', path: `/api/alarms/${AGENCY}/agency_silent/ack`, openapiPath: '/api/alarms/{agency}/{kind}/ack', least: 'operator', body: { note: 'looking into it' }, also: [409] },
  { method: 'POST', path: `${A}/reconcile`, openapiPath: '/api/agencies/{id}/reconcile', least: 'operator', body: {} },
  { method: 'GET', path: `${A}/reconcile/progress`, openapiPath: '/api/agencies/{id}/reconcile/progress', least: 'viewer' },
  { method: 'POST', path: `${A}/quarantine/retry`, openapiPath: '/api/agencies/{id}/quarantine/retry', least: 'operator', body: {} },
  { method: 'POST', path: '/api/mappings/preview', openapiPath: '/api/mappings/preview', least: 'viewer', body: { agency: AGENCY, fileName: 'sample.ndjson', sample: '{"AJBH":"X-1"}\n' } },
]
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 }
const ID_NUMBER = /(?<![0-9A-Za-z])[1-9]\d{16}[\dX](?![0-9A-Za-z])/

t.test('each /api route answers 401 without a token or with a wrong one, 403 to a weaker role and 2xx to its role', async t => {
  const h = await startOperatorHub(t, 'auth-roles', { adminOverrides: { badTokenLimit: { burst: 1000, perMinute: 1000 } } })
  await h.hub.alarms.report(AGENCY, 'agency_silent', { count: 1, samples: [], detail: { minutes: 90 } })
  const doc = (await h.call('/docs/json')).body as { paths: Record<string, Record<string, unknown>> }
  const documented = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/')).flatMap(([p, ops]) => Object.keys(ops).map(m => `${m.toUpperCase()} ${p}`)).sort()
  t.same(ROUTES.map(r => `${r.method} ${r.openapiPath}`).sort(), documented, 'this test covers every /api route of the OpenAPI document')

  for (const route of ROUTES) {
    const call = async (o: { role?: Role; token?: string }): Promise<number> => (await h.call(route.path, { method: route.method, body: route.body, ...o })).status
    t.equal(await call({}), 401, `${route.method} ${route.path} without a token: 401`)
    t.equal(await call({ token: 'not-a-configured-token' }), 401, `${route.method} ${route.path} with a wrong token: 401`)
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const status = await call({ role })
      if (RANK[role] < RANK[route.least]) t.equal(status, 403, `${route.method} ${route.path} as ${role}: 403`)
      else t.ok((status >= 200 && status < 300) || (route.also ?? []).includes(status), `${route.method} ${route.path} as ${role}: ${status} is allowed`)
    }
  }
})

t.test('probes are open, metrics are open by default, and the OpenAPI document needs no token', async t => {
  const h = await startOperatorHub(t, 'auth-open')
  t.equal((await h.call('/healthz')).status, 200)
  t.equal((await h.call('/readyz')).status, 200)
  t.equal((await h.call('/metrics')).status, 200)
  t.equal((await h.call('/docs/json')).status, 200)
})

t.test('metrics need a token when the config asks for one', async t => {
  const h = await startOperatorHub(t, 'auth-metrics', { adminOverrides: { metrics: { requireToken: true } } })
  t.equal((await h.call('/metrics')).status, 401, 'no token: 401')
  const scrape = await h.call('/metrics', { role: 'viewer' })
  t.equal(scrape.status, 200, 'any role may scrape')
  t.match(String(scrape.body), /casebridge_hub_ready/)
})

t.test('a viewer sees ID numbers and names masked in quarantine and dead letters; an operator sees them whole', async t => {
  const h = await startOperatorHub(t, 'auth-mask', { agency: { records: 80, seed: 5 } })
  await h.hub.pullNow(AGENCY)
  const quarantine = await h.hub.ledger.quarantine(AGENCY)
  const withId = quarantine.find(q => ID_NUMBER.test(JSON.stringify(q.raw)))
  t.ok(withId, 'a quarantined record carries a full ID number in its raw form')
  const fullId = ID_NUMBER.exec(JSON.stringify(withId?.raw))?.[0] ?? ''
  const person = JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'cases', 'valid', 'person-party-fine-decided.json'), 'utf8')) as { caseNumber: string; parties: { name: string; idNumber: string }[] }
  await h.hub.ledger.acknowledge(AGENCY, [], [{ agencyId: AGENCY, caseNumber: person.caseNumber, fingerprint: 'f'.repeat(64), reason: 'refused by the platform', attempts: 1, deadLetteredAt: new Date().toISOString(), case: person }])

  const viewerQ = JSON.stringify((await h.call(`${A}/quarantine?limit=1000`, { role: 'viewer' })).body)
  t.notMatch(viewerQ, ID_NUMBER, 'no full ID number in the viewer\'s quarantine')
  t.match(viewerQ, `${fullId.slice(0, 3)}${'*'.repeat(13)}${fullId.slice(-2)}`, 'the ID number is shown masked, with a hint')
  const operatorQ = JSON.stringify((await h.call(`${A}/quarantine?limit=1000`, { role: 'operator' })).body)
  t.match(operatorQ, fullId, 'an operator sees the ID number to fix the record')

  const viewerD = JSON.stringify((await h.call(`${A}/dead-letters`, { role: 'viewer' })).body)
  t.notMatch(viewerD, person.parties[0]!.idNumber, 'no ID number in the viewer\'s dead letters')
  t.notMatch(viewerD, person.parties[0]!.name, 'no party name in the viewer\'s dead letters, free text included')
  const operatorD = JSON.stringify((await h.call(`${A}/dead-letters`, { role: 'operator' })).body)
  t.match(operatorD, person.parties[0]!.idNumber)
})

t.test('repeated bad tokens from one address are answered 429 with Retry-After, even with a good token then', async t => {
  const h = await startOperatorHub(t, 'auth-limit', { adminOverrides: { badTokenLimit: { burst: 3, perMinute: 1 } } })
  for (let i = 0; i < 3; i++) t.equal((await h.call('/api/agencies', { token: `guess-${i}` })).status, 401, `bad token ${i + 1}: 401`)
  const limited = await h.call('/api/agencies', { token: 'guess-4' })
  t.equal(limited.status, 429, 'the fourth bad token is rate-limited')
  t.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After says how long to wait')
  t.equal((await h.call('/api/agencies', { role: 'admin' })).status, 429, 'the address stays limited whatever it sends')
  t.equal((await h.call('/healthz')).status, 200, 'probes are not limited')
})

t.test('a request body over the configured limit is refused with 413', async t => {
  const h = await startOperatorHub(t, 'auth-body', { adminOverrides: { bodyLimitBytes: 2048 } })
  const keys = Array.from({ length: 300 }, (_, i) => `record-${i}`)
  const res = await h.call(`${A}/quarantine/discard`, { role: 'admin', method: 'POST', body: { keys } })
  t.equal(res.status, 413)
  t.equal((res.body as { error: string }).error, 'payload_too_large')
})

t.test('every mutating call is in the audit stream with who, what, when and the result, refused ones included', async t => {
  const h = await startOperatorHub(t, 'auth-audit')
  const prefix = h.hub.config.redis.keyPrefix
  const before = Date.now()
  t.equal((await h.call(`${A}/sync`, { method: 'POST', body: {} })).status, 401)
  t.equal((await h.call(`${A}/quarantine/discard`, { role: 'operator', method: 'POST', body: { keys: ['x'] } })).status, 403)
  t.equal((await h.call(`${A}/dead-letters/discard`, { role: 'admin', method: 'POST', body: { keys: ['SCJG-1', 'SCJG-2'] } })).status, 200)
  t.equal((await h.call(`${A}/sync`, { role: 'operator', method: 'POST', body: {} })).status, 202)
  await waitFor('the triggered pull to end', async () => (await h.hub.ledger.counters(AGENCY)).lastPullAt !== undefined)

  const entries = (await readAudit(h.hub.redis, prefix, 10)).reverse()
  t.same(entries.map(e => [e.who, e.what, e.result, e.status]), [
    ['anonymous', 'agency.sync', 'refused', 401],
    ['operator-1', 'quarantine.discard', 'refused', 403],
    ['admin-1', 'dead-letters.discard', 'ok', 200],
    ['operator-1', 'agency.sync', 'ok', 202],
  ])
  for (const e of entries) {
    t.equal(e.target, AGENCY, `${e.what}: names the agency`)
    t.ok(Date.parse(e.when) >= before - 1000 && Date.parse(e.when) <= Date.now(), `${e.what}: has the time`)
  }
  t.same(entries[2]?.detail, { requested: 2, discarded: 0, keys: ['SCJG-1', 'SCJG-2'] }, 'the detail says what was asked and done')
  const api = (await h.call('/api/audit?limit=10', { role: 'admin' })).body as { entries: { who: string }[] }
  t.equal(api.entries.length, 4, 'GET /api/audit shows the same entries')
  t.equal(api.entries[0]?.who, 'operator-1', 'newest first')
  const raw = JSON.stringify(await h.hub.redis.xrange(`${prefix}:audit`, '-', '+'))
  for (const token of Object.values(TOKENS)) t.notMatch(raw, token, 'no token is written to the stream')
})
