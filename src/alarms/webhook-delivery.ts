import { createHash, createHmac } from 'node:crypto'
import { UnrecoverableError, type Job } from 'bullmq'
import { request } from 'undici'
import type { Logger } from 'pino'
import { RemoteUnavailableError, WebhookRejectedError } from '../errors.js'
import { alarmText, translator, type Locale } from '../i18n/translate.js'
import type { AlarmWebhookConfig } from '../reconcile/reconcile-config.js'
import type { AlarmChange } from './alarm-store.js'

export const WEBHOOK_QUEUE = 'alarm-webhooks'
export const SIGNATURE_HEADER = 'x-casebridge-signature'
/** Unix seconds when this attempt was sent; covered by the signature, so a receiver can refuse old (replayed) requests. */
export const TIMESTAMP_HEADER = 'x-casebridge-timestamp'
/** How far from its own clock a receiver should accept a timestamp (documented in config/README.md, "Reconciliation and alarms"); a repeat within it is dropped by `id`. */
export const REPLAY_WINDOW_SECONDS = 300

/** One delivery of one alarm change to one webhook. The secret is never in Redis: it is looked up by webhook id. */
export interface WebhookJob {
  readonly webhook: string
  readonly changeId: string
  readonly event: string
  /** The exact JSON text sent (and signed) on every attempt. */
  readonly body: string
}

/** The id of a webhook in job ids and logs: its name, else a hash of its URL. */
export function webhookId (hook: Pick<AlarmWebhookConfig, 'name' | 'url'>): string {
  return hook.name ?? `url-${createHash('sha1').update(hook.url).digest('hex').slice(0, 12)}`
}

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: how a receiver checks the notification
 * came from this hub, and when it was sent — a captured request replayed later fails the
 * receiver's window check, and cannot be given a fresh timestamp without the secret.
 */
export function signature (body: string, secret: string, timestamp: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body, 'utf8').digest('hex')}`
}

/**
 * The notification body: a pure function of the change (and the hub's name and language),
 * so a retry sends the same bytes (signed anew with its own timestamp) and `id` lets a
 * receiver drop a repeat. Texts in the hub's language; case numbers only, no personal data.
 */
export function webhookBody (change: AlarmChange, hub: { name: string; locale: Locale }): string {
  const { alarm } = change
  const detail = alarm.detail ?? {}
  const text = alarmText(translator(hub.locale), alarm.kind, {
    agency: alarm.agencyId,
    count: alarm.count,
    ...(typeof detail.deadlineDays === 'number' ? { days: detail.deadlineDays } : {}),
    ...(typeof detail.minutes === 'number' ? { minutes: detail.minutes } : {}),
    ...(typeof detail.message === 'string' ? { message: detail.message } : {}),
    ...(typeof detail.cause === 'string' ? { cause: detail.cause } : {}),
  })
  return JSON.stringify({ id: change.id, event: change.event, occurredAt: change.at, hub: hub.name, title: text.title, description: text.description, alarm })
}

/** The queue processor: one POST per attempt; BullMQ retries passing failures with backoff. */
export function webhookProcessor (hooks: ReadonlyMap<string, AlarmWebhookConfig>, logger: Logger) {
  return async (job: Job<WebhookJob>): Promise<{ status: number }> => {
    const hook = hooks.get(job.data.webhook)
    if (hook === undefined) throw new UnrecoverableError(`webhook "${job.data.webhook}" is not configured any more; alarm change ${job.data.changeId} not delivered`)
    let status: number
    try {
      const timestamp = Math.floor(Date.now() / 1000)
      const res = await request(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signature(job.data.body, hook.secret, timestamp), 'x-casebridge-event': job.data.event, 'x-casebridge-delivery': job.data.changeId },
        body: job.data.body,
        headersTimeout: hook.timeoutMs,
        bodyTimeout: hook.timeoutMs,
        signal: AbortSignal.timeout(hook.timeoutMs),
      })
      status = res.statusCode
      await res.body.dump()
    } catch (err) {
      throw new RemoteUnavailableError(`webhook ${job.data.webhook}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    if (status >= 200 && status < 300) return { status }
    if (status === 408 || status === 429 || status >= 500) throw new RemoteUnavailableError(`webhook ${job.data.webhook} answered HTTP ${status}; will retry`)
    const refused = new WebhookRejectedError(`webhook ${job.data.webhook} refused alarm change ${job.data.changeId} with HTTP ${status}; not retried`)
    logger.error({ webhook: job.data.webhook, change: job.data.changeId, status, code: refused.code }, refused.message)
    throw new UnrecoverableError(refused.message)
  }
}
