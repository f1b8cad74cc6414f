import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { projectRoot } from '../../src/paths.js'
import type { Role } from '../../src/admin/auth/tokens.js'
import { readAudit } from '../../src/audit/audit-stream.js'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { waitFor } from '../helpers/wait-for.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'

const A = `/api/agencies/${AGENCY}`

/**
 * Every /api route, the least role it needs, a call it allows, and the status that call
 * answers with (`repeated`: the status of the same call once an earlier allowed one has
 * acted — an acknowledged alarm cannot be acknowledged again).
 */
const ROUTES: readonly { method: string; path: string; openapiPath: string; least: Role; body?: unknown; ok: number; repeated?: number }[] = [
  { method: 'GET', path: '/api/hub', openapiPath: '/api/hub', least: 'viewer', ok: 200 },
  { method: 'GET', path: '/api/agencies', openapiPath: '/api/agencies', least: 'viewer', ok: 200 },
  { method: 'GET', path: A, openapiPath: '/api/agencies/{id}', least: 'viewer', ok: 200 },
  { method: 'POST', path: `${A}/sync`, openapiPath: '/api/agencies/{id}/sync', least: 'operator', body: {}, ok: 202 },
  { method: 'GET', path: `${A}/completeness`, openapiPath: '/api/agencies/{id}/completeness', least: 'viewer', ok: 200 },
  { method: 'GET', path: '/api/supervision', openapiPath: '/api/supervision', least: 'viewer', ok: 200 },
  { method: 'GET', path: `${A}/feedback`, openapiPath: '/api/agencies/{id}/feedback', least: 'viewer', ok: 200 },
  { method: 'POST', path: `${A}/feedback/retry`, openapiPath: '/api/agencies/{id}/feedback/retry', least: 'operator', body: { keys: ['no-such-decision'] }, ok: 200 },
  { method: 'GET', path: `${A}/quarantine`, openapiPath: '/api/agencies/{id}/quarantine', least: 'viewer', ok: 200 },
  { method: 'POST', path: `${A}/quarantine/discard`, openapiPath: '/api/agencies/{id}/quarantine/discard', least: 'admin', body: { keys: ['no-such-record'] }, ok: 200 },
  { method: 'GET', path: `${A}/dead-letters`, openapiPath: '/api/agencies/{id}/dead-letters', least: 'viewer', ok: 200 },
  { method: 'POST', path: `${A}/dead-letters/retry`, openapiPath: '/api/agencies/{id}/dead-letters/retry', least: 'operator', body: { keys: ['no-such-case'] }, ok: 200 },
  { method: 'POST', path: `${A}/dead-letters/discard`, openapiPath: '/api/agencies/{id}/dead-letters/discard', least: 'admin', body: { keys: ['no-such-case'] }, ok: 200 },
  { method: 'GET', path: '/api/audit', openapiPath: '/api/audit', least: 'admin', ok: 200 },
  { method: 'GET', path: '/api/alarms?state=all', openapiPath: '/api/alarms', least: 'viewer', ok: 200 },
  { method: 'POST', path: `/api/alarms/${AGENCY}/mapping_invalid/ack`, openapiPath: '/api/alarms/{agency}/{kind}/ack', least: 'operator', body: { note: 'looking into it' }, ok: 200, repeated: 409 },
  { method: 'POST', path: `${A}/reconcile`, openapiPath: '/api/agencies/{id}/reconcile', least: 'operator', body: {}, ok: 200 },
  { method: 'GET', path: `${A}/reconcile/progress`, openapiPath: '/api/agencies/{id}/reconcile/progress', least: 'viewer', ok: 200 },
  { method: 'POST', path: `${A}/quarantine/retry`, openapiPath: '/api/agencies/{id}/quarantine/retry', least: 'operator', body: {}, ok: 200 },
  { method: 'POST', path: '/api/mappings/preview', openapiPath: '/api/mappings/preview', least: 'viewer', body: { agency: AGENCY, fileName: 'sample.ndjson', sample: '{"AJBH":"X-1"}\n' }, ok: 200 },
  { method: 'POST', path: `${A}/pause`, openapiPath: '/api/agencies/{id}/pause', least: 'operator', body: {}, ok: 200 },
  { method: 'POST', path: `${A}/resume`, openapiPath: '/api/agencies/{id}/resume', least: 'operator', body: {}, ok: 200 },
  { method: 'POST', path: `${A}/retries/clear`, openapiPath: '/api/agencies/{id}/retries/clear', least: 'operator', body: {}, ok: 200 },
  { method: 'GET', path: '/api/findings', openapiPath: '/api/findings', least: 'viewer', ok: 200 },
  { method: 'GET', path: `${A}/cases/X-1/trace`, openapiPath: '/api/agencies/{id}/cases/{caseNumber}/trace', least: 'viewer', ok: 200 },
  { method: 'POST', path: `${A}/cases/X-1/replay`, openapiPath: '/api/agencies/{id}/cases/{caseNumber}/replay', least: 'operator', body: {}, ok: 200 },
  { method: 'GET', path: `${A}/trace/verify`, openapiPath: '/api/agencies/{id}/trace/verify', least: 'operator', ok: 200 },
]
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 }
const ID_NUMBER = /(?<![0-9A-Za-z])[1-9]\d{16}[\dX](?![0-9A-Za-z])/

t.test('each /api route answers 401 without a token or with a wrong one, 403 to a weaker role, and its own success status to its role', async t => {
  const h = await startOperatorHub(t, 'auth-roles', { adminOverrides: { badTokenLimit: { burst: 1000, perMinute: 1000 } } })
  // Only a mapping that loads resolves this kind: pulls and reconciliations during the test leave it open.
  await h.hub.alarms.report(AGENCY, 'mapping_invalid', { count: 1, samples: [] })
  const doc = (await h.call('/docs/json')).body as { paths: Record<string, Record<string, unknown>> }
  const documented = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/')).flatMap(([p, ops]) => Object.keys(ops).map(m => `${m.toUpperCase()} ${p}`)).sort()
  t.same(ROUTES.map(r => `${r.method} ${r.openapiPath}`).sort(), documented, 'this test covers every /api route of the OpenAPI document')

  for (const route of ROUTES) {
    const call = async (o: { role?: Role; token?: string }): Promise<number> => (await h.call(route.path, { method: route.method, body: route.body, ...o })).status
    t.equal(await call({}), 401, `${route.method} ${route.path} without a token: 401`)
    t.equal(await call({ token: 'not-a-configured-token' }), 401, `${route.method} ${route.path} with a wrong token: 401`)
    let allowed = 0
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const status = await call({ role })
      if (RANK[role] < RANK[route.least]) t.equal(status, 403, `${route.method} ${route.path} as ${role}: 403`)
      else t.equal(status, allowed++ === 0 ? route.ok : route.repeated ?? route.ok, `${route.method} ${route.path} as ${role}: allowed`)
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
  await h.hub.ledger.recordDeadLetters(AGENCY, [{ agencyId: AGENCY, caseNumber: person.caseNumber, fingerprint: 'f'.repeat(64), reason: 'refused by the platform', attempts: 1, deadLetteredAt: new Date().toISOString(), case: person }])

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

t.test('repeated bad tokens from one address are answered 429 with Retry-After; a valid token from that address keeps working', async t => {
  const h = await startOperatorHub(t, 'auth-limit', { adminOverrides: { badTokenLimit: { burst: 3, perMinute: 1 } } })
  for (let i = 0; i < 3; i++) t.equal((await h.call('/api/agencies', { token: `guess-${i}` })).status, 401, `bad token ${i + 1}: 401`)
  const limited = await h.call('/api/agencies', { token: 'guess-4' })
  t.equal(limited.status, 429, 'the fourth bad token is rate-limited')
  t.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After says how long to wait')
  t.equal((await h.call('/api/agencies', { role: 'admin' })).status, 200, 'a valid token from the limited address is served')
  t.equal((await h.call('/api/agencies')).status, 429, 'a missing token from it is still limited')
  t.equal((await h.call('/healthz')).status, 200, 'probes are not limited')
})

t.test('a valid token keeps working during a bad-token storm from the same address', async t => {
  const h = await startOperatorHub(t, 'auth-storm', { adminOverrides: { badTokenLimit: { burst: 10, perMinute: 10 } } })
  const statuses = { bad: new Map<number, number>(), good: new Map<number, number>() }
  const count = (m: Map<number, number>, status: number): void => { m.set(status, (m.get(status) ?? 0) + 1) }
  // Bad and good requests interleaved in every round, all from 127.0.0.1.
  for (let round = 0; round < 10; round++) {
    await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      if (i % 3 === 0) count(statuses.good, (await h.call('/api/agencies', { role: 'viewer' })).status)
      else count(statuses.bad, (await h.call('/api/agencies', { token: `storm-${round}-${i}` })).status)
    }))
  }
  t.same([...statuses.good], [[200, 100]], 'every one of the 100 valid requests was served')
  t.same([...statuses.bad].sort(), [[401, 10], [429, 190]], 'the bad tokens were limited: 401 for the burst, 429 after')
})

t.test('the preview route: a posted mapping needs the operator role; a viewer may preview with the mapping in use', async t => {
  const h = await startOperatorHub(t, 'auth-preview')
  const body = { agency: AGENCY, fileName: 'sample.ndjson', sample: '{"AJBH":"X-1"}\n' }
  const inUse = await h.call('/api/mappings/preview', { role: 'viewer', method: 'POST', body })
  t.equal(inUse.status, 200, 'a viewer previews with the agency\'s mapping in use')
  const posted = { ...body, mapping: 'version: "1"\nagency: ' + AGENCY + '\ncaseNumberField: AJBH\nfields:\n  /caseNumber: { expr: "AJBH" }\n' }
  const refused = await h.call('/api/mappings/preview', { role: 'viewer', method: 'POST', body: posted })
  t.equal(refused.status, 403, 'a viewer may not post a mapping')
  t.match((refused.body as { message: string }).message, /a posted mapping needs the operator role/)
  t.equal((await h.call('/api/mappings/preview', { role: 'operator', method: 'POST', body: posted })).status, 200, 'an operator may')
})

t.test('a request body over the configured limit is refused with 413', async t => {
  const h = await startOperatorHub(t, 'auth-body', { adminOverrides: { bodyLimitBytes: 2048 } })
  const keys = Array.from({ length: 300 }, (_, i) => `record-${i}`)
  const res = await h.call(`${A}/quarantine/discard`, { role: 'admin', method: 'POST', body: { keys } })
  t.equal(res.status, 413)
  t.equal((res.body as { error: string }).error, 'payload_too_large')
})

t.test('every mutating call of an authenticated caller is in the audit stream with who, what, when and the result, refused ones included; anonymous refusals go to the refusals stream', async t => {
  const h = await startOperatorHub(t, 'auth-audit')
  const prefix = h.hub.config.redis.keyPrefix
  const before = Date.now()
  t.equal((await h.call(`${A}/sync`, { method: 'POST', body: {} })).status, 401)
  t.equal((await h.call(`${A}/quarantine/discard`, { role: 'operator', method: 'POST', body: { keys: ['x'] } })).status, 403)
  t.equal((await h.call(`${A}/dead-letters/discard`, { role: 'admin', method: 'POST', body: { keys: ['SCJG-1', 'SCJG-2'] } })).status, 200)
  t.equal((await h.call(`${A}/sync`, { role: 'operator', method: 'POST', body: {} })).status, 202)
  await waitFor('the triggered pull to end', async () => (await h.hub.ledger.stats(AGENCY)).lastPullAtMs !== undefined)

  const entries = (await readAudit(h.hub.redis, prefix, 10)).reverse()
  t.same(entries.map(e => [e.who, e.what, e.result, e.status]), [
    ['operator-1', 'quarantine.discard', 'refused', 403],
    ['admin-1', 'dead-letters.discard', 'ok', 200],
    ['operator-1', 'agency.sync', 'ok', 202],
  ])
  for (const e of entries) {
    t.equal(e.target, AGENCY, `${e.what}: names the agency`)
    t.ok(Date.parse(e.when) >= before - 1000 && Date.parse(e.when) <= Date.now(), `${e.what}: has the time`)
  }
  t.same(entries[1]?.detail, { requested: 2, discarded: 0, keys: ['SCJG-1', 'SCJG-2'] }, 'the detail says what was asked and done')
  const refused = await readAudit(h.hub.redis, prefix, 10, 'refusals')
  t.same(refused.map(e => [e.who, e.client, e.what, e.target, e.result, e.status]), [['anonymous', '127.0.0.1', 'agency.sync', AGENCY, 'refused', 401]], 'the anonymous call is in the refusals stream, with the client address')
  const api = (await h.call('/api/audit?limit=10', { role: 'admin' })).body as { entries: { who: string }[] }
  t.equal(api.entries.length, 3, 'GET /api/audit shows the same entries')
  t.equal(api.entries[0]?.who, 'operator-1', 'newest first')
  const apiRefused = (await h.call('/api/audit?stream=refusals', { role: 'admin' })).body as { entries: { client: string; what: string }[] }
  t.same(apiRefused.entries.map(e => [e.client, e.what]), [['127.0.0.1', 'agency.sync']], 'GET /api/audit?stream=refusals shows the refusals')
  const raw = JSON.stringify([await h.hub.redis.xrange(`${prefix}:audit`, '-', '+'), await h.hub.redis.xrange(`${prefix}:audit:refused`, '-', '+')])
  for (const token of Object.values(TOKENS)) t.notMatch(raw, token, 'no token is written to either stream')
})

t.test('a flood of anonymous refused calls never touches the audit stream and costs the refusals stream a few entries per client', async t => {
  const h = await startOperatorHub(t, 'auth-flood', { adminOverrides: { badTokenLimit: { burst: 50, perMinute: 1 } } })
  const prefix = h.hub.config.redis.keyPrefix
  t.equal((await h.call(`${A}/dead-letters/discard`, { role: 'admin', method: 'POST', body: { keys: ['SCJG-1'] } })).status, 200, 'a genuine action first')
  const statuses = new Map<number, number>()
  for (let round = 0; round < 10; round++) {
    await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const { status } = await h.call(i % 2 === 0 ? `${A}/sync` : `${A}/quarantine/discard`, { method: 'POST', body: { keys: ['x'] }, ...(i % 4 === 1 ? { token: `guess-${round}-${i}` } : {}) })
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }))
  }
  t.same([...statuses].sort(), [[401, 50], [429, 350]], 'the flood was refused: 401 until the allowance ran out, 429 after')

  const actions = await readAudit(h.hub.redis, prefix, 1000)
  t.same(actions.map(e => [e.who, e.what, e.result]), [['admin-1', 'dead-letters.discard', 'ok']], 'the audit stream holds the genuine action and nothing of the flood')
  t.equal((await readAudit(h.hub.redis, prefix, 1000, 'refusals')).length, 1, 'while the window is open, the refusals stream has the client\'s first refusal only')

  await h.hub.close() // ends the window: the summary is written
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const refused = (await readAudit(redis, prefix, 1000, 'refusals')).reverse()
  t.equal(refused.length, 2, 'one entry for the first refusal, one summary for the other 399')
  t.match(refused[0], { who: 'anonymous', client: '127.0.0.1', result: 'refused', status: 401 })
  t.match(refused[1], { who: 'anonymous', client: '127.0.0.1', what: 'refused.summary', detail: { more: 399, byStatus: { 401: 49, 429: 350 } } })
  t.same([...(refused[1]?.detail as { routes: string[] }).routes].sort(), ['agency.sync', 'quarantine.discard'], 'the summary names what was tried')
})

t.test('the bad-token limit keys by the TCP peer unless admin.trustProxy names the proxy whose X-Forwarded-For to believe', async t => {
  const limit = { badTokenLimit: { burst: 2, perMinute: 1 } }
  const from = (client: string) => ({ 'x-forwarded-for': client })
  const call = async (h: Awaited<ReturnType<typeof startOperatorHub>>, headers: Record<string, string>): Promise<number> =>
    (await fetch(`${h.hub.adminUrl}/api/agencies`, { headers: { authorization: 'Bearer wrong', ...headers } })).status

  const direct = await startOperatorHub(t, 'auth-noproxy', { adminOverrides: limit })
  t.same([await call(direct, from('203.0.113.7')), await call(direct, from('203.0.113.8')), await call(direct, from('203.0.113.9'))], [401, 401, 429],
    'by default X-Forwarded-For is ignored: a client cannot escape the limit by inventing addresses')

  const behindProxy = await startOperatorHub(t, 'auth-proxy', { adminOverrides: { ...limit, trustProxy: ['127.0.0.1'] } })
  t.same([await call(behindProxy, from('203.0.113.7')), await call(behindProxy, from('203.0.113.7')), await call(behindProxy, from('203.0.113.7'))], [401, 401, 429], 'behind the trusted proxy, one client is limited…')
  t.equal(await call(behindProxy, from('203.0.113.8')), 401, '…and another client behind the same proxy is not')
  const refused = await readAudit(behindProxy.hub.redis, behindProxy.hub.config.redis.keyPrefix, 10, 'refusals')
  t.same(refused.map(e => e.client).sort(), ['203.0.113.7', '203.0.113.8'], 'the refusals name the clients, not the proxy')
})
