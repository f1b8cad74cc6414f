import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { AlarmStateError } from '../../errors.js'
import { ALARM_KINDS, ALARM_STATES, SEVERITIES, type Alarm, type AlarmKind, type AlarmState } from '../../alarms/alarm-kinds.js'
import { alarmText, negotiateLocale, translator } from '../../i18n/translate.js'
import { maskForViewer } from '../viewer-mask.js'
import { errorSchema, withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'

const alarmSchema = {
  type: 'object',
  required: ['agencyId', 'kind', 'state', 'severity', 'count', 'samples', 'firstSeenAt', 'lastSeenAt', 'title', 'description', 'stateText', 'severityText'],
  properties: {
    agencyId: { type: 'string' },
    kind: { enum: [...ALARM_KINDS] },
    state: { enum: [...ALARM_STATES] },
    severity: { enum: [...SEVERITIES] },
    count: { type: 'integer', description: 'Cases affected when last seen.' },
    samples: { type: 'array', items: { type: 'string' }, description: 'Up to 20 case numbers.' },
    firstSeenAt: { type: 'string' },
    lastSeenAt: { type: 'string' },
    acknowledgedAt: { type: 'string' },
    acknowledgedBy: { type: 'string' },
    note: { type: 'string' },
    resolvedAt: { type: 'string' },
    detail: { type: 'object', additionalProperties: true },
    version: { type: 'integer' },
    title: { type: 'string', description: 'In the hub\'s language (or Accept-Language).' },
    description: { type: 'string' },
    stateText: { type: 'string' },
    severityText: { type: 'string' },
  },
} as const

/** Desync and watchdog alarms: list (viewer), acknowledge (operator). Registered only when the hub has an alarm module. */
export function registerAlarmRoutes (app: FastifyInstance, deps: AdminDeps): void {
  const alarms = deps.alarms
  if (alarms === undefined) return
  const names = new Map(deps.agencies.map(a => [a.id, a.name]))
  const present = (locale: 'zh-CN' | 'en', a: Alarm): Record<string, unknown> => {
    const t = translator(locale)
    const detail = a.detail ?? {}
    const days = typeof detail.days === 'number' ? detail.days : typeof detail.deadlineDays === 'number' ? detail.deadlineDays : '?'
    const minutes = typeof detail.minutes === 'number' ? detail.minutes : '?'
    const message = typeof detail.message === 'string' ? detail.message : '?'
    const cause = typeof detail.cause === 'string' ? detail.cause : ''
    return { ...a, ...alarmText(t, a.kind, { agency: names.get(a.agencyId) ?? a.agencyId, count: a.count, days, minutes, message, cause }), stateText: t(`alarm.state.${a.state}`), severityText: t(`alarm.severity.${a.severity}`) }
  }

  app.get<{ Querystring: { agency?: string; state: AlarmState | 'active' | 'all' } }>('/api/alarms', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'listAlarms',
      tags: ['alarms'], summary: 'Alarms, one per agency and kind (default: open and acknowledged)',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { agency: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }, state: { enum: [...ALARM_STATES, 'active', 'all'], default: 'active' } },
      },
      response: { 200: { type: 'object', required: ['alarms'], properties: { alarms: { type: 'array', items: alarmSchema } } } },
    }),
  }, async req => {
    const state = req.query.state
    const list = (await alarms.list({ ...(req.query.agency === undefined ? {} : { agencyId: req.query.agency }), ...(ALARM_STATES.includes(state as AlarmState) ? { state: state as AlarmState } : {}) }))
      .filter(a => state !== 'active' || a.state !== 'resolved')
    const locale = negotiateLocale(req.headers['accept-language'], deps.hub.locale)
    const shown = list.map(a => present(locale, a))
    return { alarms: req.caller?.role === 'viewer' ? maskForViewer(shown) : shown }
  })

  app.post<{ Params: { agency: string; kind: AlarmKind }; Body: { note?: string } | null }>('/api/alarms/:agency/:kind/ack', {
    config: { access: 'operator', audit: 'alarm.acknowledge' },
    schema: withErrors({
      operationId: 'acknowledgeAlarm',
      tags: ['alarms'], summary: 'Acknowledge an open alarm (it resolves by itself once reconciliation finds the kind clean)',
      params: { type: 'object', required: ['agency', 'kind'], additionalProperties: false, properties: { agency: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }, kind: { enum: [...ALARM_KINDS] } } },
      body: { type: ['object', 'null'], additionalProperties: false, properties: { note: { type: 'string', maxLength: 500, description: 'Why, or what is being done; kept with the alarm.' } } },
      response: { 200: alarmSchema, 409: errorSchema },
    }),
  }, async (req, reply) => {
    const agency = await findAgency(deps, req.params.agency, reply)
    if (agency === undefined) return reply
    req.auditDetail = { kind: req.params.kind }
    try {
      const alarm = await alarms.acknowledge(agency.id, req.params.kind, req.caller?.id ?? 'unknown', req.body?.note ?? '')
      return present(negotiateLocale(req.headers['accept-language'], deps.hub.locale), alarm)
    } catch (err) {
      if (err instanceof AlarmStateError) return await reply.code(409).send({ statusCode: 409, error: 'conflict', message: err.message })
      throw err
    }
  })
}
