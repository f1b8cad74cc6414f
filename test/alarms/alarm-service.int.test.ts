import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { AlarmService } from '../../src/alarms/alarm-service.js'
import { AlarmStore, parseChange } from '../../src/alarms/alarm-store.js'
import { AlarmStateError } from '../../src/errors.js'
import { silentLogger } from '../../src/logging/logger.js'
import type { AlarmsConfig } from '../../src/reconcile/reconcile-config.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait-for.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'
import { webhookQueueIdle } from '../reconcile/drift-scenario.js'

const SECRET = 'alarm-test-secret-of-at-least-32-bytes'

function config (receiver: WebhookReceiver, attempts = 5): AlarmsConfig {
  return {
    webhooks: [{ name: 'ops', url: receiver.url, secret: SECRET, timeoutMs: 2000 }],
    delivery: { attempts, backoffMs: 20 },
    severity: { missing_in_target: { warning: 1, critical: 10 } },
  }
}

/** An alarm service on its own Redis connection, as a separate hub process would have. */
function service (t: Test, prefix: string, cfg: AlarmsConfig, deliver = true): AlarmService {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  const alarms = new AlarmService({ redis, keyPrefix: prefix, config: cfg, hub: { name: 'test-hub', locale: 'zh-CN' }, logger: silentLogger(), deliver })
  t.teardown(async () => { await alarms.close(); redis.disconnect() })
  return alarms
}

t.test('an alarm goes open → escalated → acknowledged → resolved → open again, each change notified once', async t => {
  const prefix = testPrefix(t, 'alarm-life')
  const receiver = await startWebhookReceiver(t, SECRET)
  const alarms = service(t, prefix, config(receiver))
  t.equal((await alarms.report('a1', 'missing_in_target', { count: 2, samples: ['C1', 'C2'] }))?.event, 'opened', 'first seen: opened')
  t.equal(await alarms.report('a1', 'missing_in_target', { count: 3, samples: ['C1', 'C2', 'C3'] }), undefined, 'the same alarm seen again changes no state')
  t.equal((await alarms.report('a1', 'missing_in_target', { count: 12, samples: ['C1'] }))?.event, 'escalated', 'crossing the critical threshold escalates')
  const acked = await alarms.acknowledge('a1', 'missing_in_target', 'op-1', 'looking into it')
  t.equal(acked.state, 'acknowledged', 'acknowledged')
  t.equal(acked.acknowledgedBy, 'op-1', 'by whom')
  await t.rejects(alarms.acknowledge('a1', 'missing_in_target', 'op-2'), AlarmStateError, 'an acknowledged alarm cannot be acknowledged again')
  t.equal((await alarms.resolve('a1', 'missing_in_target'))?.event, 'resolved', 'clean: resolved')
  t.equal(await alarms.resolve('a1', 'missing_in_target'), undefined, 'resolving twice is no change')
  const reopened = await alarms.report('a1', 'missing_in_target', { count: 1, samples: ['C9'] })
  t.equal(reopened?.event, 'opened', 'found again: a new episode')
  t.equal(reopened?.alarm.acknowledgedBy, undefined, 'without the old acknowledgement')
  t.equal(reopened?.alarm.version, 5, 'the version keeps counting across episodes')

  await waitFor('five notifications', () => receiver.deliveries.length >= 5)
  // Deliveries run in parallel, so they may arrive in any order: the id (with the version) orders them.
  const byVersion = [...receiver.deliveries].sort((a, b) => a.json.id.localeCompare(b.json.id, 'en', { numeric: true }))
  t.same(byVersion.map(d => d.json.event), ['opened', 'escalated', 'acknowledged', 'resolved', 'opened'], 'each change once')
  t.ok(receiver.deliveries.every(d => d.signatureValid), 'signed')
  t.equal(byVersion[0]?.json.title, '平台缺少案件', 'titles in the hub language')
  t.equal(byVersion[0]?.headers['x-casebridge-event'], 'opened', 'the event in a header too')
})

t.test('twenty processes reporting the same finding at once open it once and notify once', async t => {
  const prefix = testPrefix(t, 'alarm-race')
  const receiver = await startWebhookReceiver(t, SECRET)
  const services = Array.from({ length: 20 }, () => service(t, prefix, config(receiver)))
  const changes = await Promise.all(services.map(async s => await s.report('a2', 'orphan_in_target', { count: 3, samples: ['X1', 'X2', 'X3'] })))
  t.equal(changes.filter(c => c !== undefined).length, 1, 'one state change')
  // Every process drains the outbox at once, too.
  await Promise.all(services.map(async s => await s.drainOutbox()))
  await waitFor('the notification', () => receiver.deliveries.length >= 1)
  const resolved = await Promise.all(services.map(async s => await s.resolve('a2', 'orphan_in_target')))
  t.equal(resolved.filter(c => c !== undefined).length, 1, 'one resolution')
  await waitFor('the resolution notification', () => receiver.deliveries.length >= 2)
  await webhookQueueIdle(t, prefix)
  t.same(receiver.deliveries.map(d => d.json.event), ['opened', 'resolved'], 'one notification per change, from twenty processes')
})

t.test('a failing webhook is retried with backoff until it accepts, with the same body and signature', async t => {
  const prefix = testPrefix(t, 'alarm-retry')
  const receiver = await startWebhookReceiver(t, SECRET)
  receiver.failNext(3, 503)
  const alarms = service(t, prefix, config(receiver))
  await alarms.report('a3', 'stale', { count: 4, samples: ['S1'] })
  await waitFor('the delivery after three failures', () => receiver.deliveries.length >= 1, { timeoutMs: 10_000 })
  t.equal(receiver.failed(), 3, 'three attempts failed first')
  t.equal(receiver.deliveries.length, 1, 'then one delivery')
  t.ok(receiver.deliveries[0]?.signatureValid, 'signed')
})

t.test('a change raised where no worker runs is delivered by a process that has one, after a restart', async t => {
  const prefix = testPrefix(t, 'alarm-later')
  const receiver = await startWebhookReceiver(t, SECRET)
  const cli = service(t, prefix, config(receiver), false)
  await cli.report('a4', 'source_deleted', { count: 1, samples: ['D1'] })
  t.equal(receiver.deliveries.length, 0, 'nothing delivered without a worker')
  service(t, prefix, config(receiver), true)
  await waitFor('the queued delivery', () => receiver.deliveries.length >= 1, { timeoutMs: 10_000 })
  t.equal(receiver.deliveries[0]?.json.alarm.kind, 'source_deleted', 'the alarm raised earlier')
})

t.test('a webhook that refuses a notification (4xx) is not retried', async t => {
  const prefix = testPrefix(t, 'alarm-refused')
  const receiver = await startWebhookReceiver(t, SECRET)
  receiver.failNext(1, 400)
  const alarms = service(t, prefix, config(receiver))
  await alarms.report('a5', 'stale', { count: 1, samples: [] })
  await webhookQueueIdle(t, prefix)
  t.equal(receiver.deliveries.length, 0, 'refused, and nothing left waiting to retry')
  await alarms.report('a5', 'late_entry', { count: 1, samples: [] })
  await waitFor('the second notification', () => receiver.deliveries.length >= 1)
  await webhookQueueIdle(t, prefix)
  t.same(receiver.deliveries.map(d => d.json.alarm.kind), ['late_entry'], 'the refused one was given up, the next one delivered')
})

t.test('a change recorded by a process without webhooks stays in the outbox until a process with webhooks delivers it', async t => {
  const prefix = testPrefix(t, 'alarm-nohooks')
  const receiver = await startWebhookReceiver(t, SECRET)
  // A hub instance whose config has no webhooks (instances need not share a config).
  const bare = service(t, prefix, { ...config(receiver), webhooks: [] })
  const change = await bare.report('a6', 'orphan_in_target', { count: 2, samples: ['O1', 'O2'] })
  t.equal(change?.event, 'opened', 'the change is recorded')
  t.equal(await bare.drainOutbox(), 0, 'a process without webhooks moves nothing')
  t.equal((await bare.store.outbox(10)).length, 1, 'the change waits in the outbox')
  // An instance with webhooks, that raises nothing itself, delivers it on its own.
  const delivering = service(t, prefix, config(receiver))
  await waitFor('the waiting change delivered', () => receiver.deliveries.length >= 1, { timeoutMs: 15_000 })
  await webhookQueueIdle(t, prefix)
  t.same(receiver.deliveries.map(d => `${d.json.event}:${d.json.alarm.kind}`), ['opened:orphan_in_target'], 'delivered once')
  t.equal(receiver.deliveries[0]?.json.id, change?.id, 'the very change the first process recorded')
  t.equal((await delivering.store.outbox(10)).length, 0, 'and taken out of the outbox')
})

t.test('where no process ever delivers, the outbox keeps only the newest changes', async t => {
  const prefix = testPrefix(t, 'alarm-cap')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const store = new AlarmStore(redis, prefix, 3)
  for (const kind of ['stale', 'late_entry', 'source_deleted', 'orphan_in_target', 'target_differs'] as const) await store.report('a7', kind, { count: 1, severity: 'warning', samples: [] })
  const kept = (await store.outbox(10)).map(e => parseChange(e)?.alarm.kind)
  t.same(kept, ['source_deleted', 'orphan_in_target', 'target_differs'], 'the three newest, oldest first')
})
