import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { startOperatorHub } from '../helpers/operator-hub.js'

interface Operation { summary?: string; tags?: string[]; security?: unknown[]; parameters?: { in: string; name: string }[]; requestBody?: unknown; responses?: Record<string, { content?: Record<string, { schema?: object }> }> }
interface OpenApiDoc { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, { type: string; scheme: string }> }; security: unknown[] }

const EXPECTED_ROUTES = [
  'GET /healthz', 'GET /readyz', 'GET /metrics',
  'GET /api/hub', 'GET /api/agencies', 'GET /api/agencies/{id}', 'POST /api/agencies/{id}/sync',
  'GET /api/agencies/{id}/quarantine', 'POST /api/agencies/{id}/quarantine/discard',
  'GET /api/agencies/{id}/dead-letters', 'POST /api/agencies/{id}/dead-letters/retry', 'POST /api/agencies/{id}/dead-letters/discard',
  'GET /api/audit', 'GET /api/alarms', 'POST /api/alarms/{agency}/{kind}/ack', 'POST /api/agencies/{id}/reconcile', 'GET /api/agencies/{id}/reconcile/progress',
  'POST /api/agencies/{id}/quarantine/retry', 'POST /api/mappings/preview',
]

t.test('the OpenAPI document at /docs/json is valid OpenAPI 3.1 and lists every route with its schemas', async t => {
  const h = await startOperatorHub(t, 'openapi')
  const res = await h.call('/docs/json')
  t.equal(res.status, 200)
  const doc = res.body as OpenApiDoc
  t.match(doc.openapi, /^3\.1\.\d+$/, 'OpenAPI 3.1.x')
  t.equal(doc.info.title, 'CaseBridge admin API')
  t.equal(doc.info.version, (await h.call('/api/hub', { role: 'viewer' }).then(r => r.body as { version: string })).version, 'the document carries the hub version')
  t.match(doc.components.securitySchemes.bearerToken, { type: 'http', scheme: 'bearer' }, 'bearer auth is declared')
  t.same(doc.security, [{ bearerToken: [] }], 'a token is required by default')

  const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map(m => `${m.toUpperCase()} ${path}`)).sort()
  t.same(listed, [...EXPECTED_ROUTES].sort(), 'every route is listed, and nothing else')
  t.comment(`routes:\n${listed.join('\n')}`)

  const ajv = new Ajv2020({ strict: false, validateFormats: false })
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${path}`
      t.ok(typeof op.summary === 'string' && op.summary.length > 0 && (op.tags?.length ?? 0) > 0, `${name}: has a summary and a tag`)
      const codes = Object.keys(op.responses ?? {})
      t.ok(codes.some(c => /^2\d\d$/.test(c)), `${name}: documents a success response (${codes.join(', ')})`)
      for (const [code, response] of Object.entries(op.responses ?? {})) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          t.ok(media.schema !== undefined && ajv.validateSchema(media.schema) === true, `${name} ${code} ${type}: the schema is valid JSON Schema 2020-12`)
        }
      }
      const open = ['/healthz', '/readyz', '/metrics'].includes(path)
      t.equal(op.security !== undefined && op.security.length === 0, open, `${name}: ${open ? 'open' : 'needs the bearer token'}`)
      if (!open) t.ok(['401', '403'].every(c => codes.includes(c)), `${name}: documents 401 and 403`)
      for (const param of path.match(/\{(\w+)\}/g) ?? []) {
        t.ok(op.parameters?.some(p => p.in === 'path' && `{${p.name}}` === param), `${name}: path parameter ${param} is described`)
      }
      if (method === 'post') t.ok(op.requestBody !== undefined, `${name}: the request body is described`)
    }
  }

  // Each listed route is really served (an unknown route would answer the not-found handler's 404).
  for (const route of listed) {
    const [method, path] = route.split(' ') as [string, string]
    const concrete = path.replace('{id}', 'market-regulation-peixian').replace('{agency}', 'market-regulation-peixian').replace('{kind}', 'stale')
    const body = route.includes('/preview') ? { agency: 'market-regulation-peixian', fileName: 's.ndjson', sample: '' } : route.includes('/discard') || route.includes('dead-letters/retry') ? { keys: ['none'] } : {}
    const answer = await h.call(concrete, { role: 'admin', method, ...(method === 'POST' ? { body } : {}) })
    t.not((answer.body as { message?: string }).message?.startsWith('no route'), true, `${route} is served (${answer.status})`)
  }
})
