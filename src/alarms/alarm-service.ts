import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { AlarmStateError } from '../errors.js'
import { SAMPLE_SIZE } from '../reconcile/findings.js'
import type { Locale } from '../i18n/translate.js'
import { queuePrefix } from '../redis/queue-prefix.js'
import type { AlarmsConfig, AlarmWebhookConfig } from '../reconcile/reconcile-config.js'
import { severityOf, type Alarm, type AlarmKind, type AlarmState, type OpenAlarmCount } from './alarm-kinds.js'
import { AlarmStore, parseChange, type AlarmChange, type TransitionOutcome } from './alarm-store.js'
import { WEBHOOK_QUEUE, webhookBody, webhookId, webhookProcessor, type WebhookJob } from './webhook-delivery.js'

const DAY_S = 86_400
const OUTBOX_BATCH = 100

export interface AlarmServiceOptions {
  readonly redis: Redis
  readonly keyPrefix: string
  readonly config: AlarmsConfig
  readonly hub: { readonly name: string; readonly locale: Locale }
  readonly logger: Logger
  /** Run a webhook worker in this process (the hub does; a one-off CLI run only enqueues). */
  readonly deliver: boolean
  /**
   * How often a delivering process with webhooks moves the outbox to the webhook queue, so
   * changes recorded by processes without webhooks (or that stopped before moving them)
   * are delivered without waiting for a change of its own. @defaultValue 5000
   */
  readonly outboxIntervalMs?: number
}

/**
 * Alarms: one per (agency, kind), raised and cleared by reconciliation and the agency
 * watchdogs, acknowledged by operators. Every state change is logged by the process that
 * made it and delivered to each configured webhook exactly once: the atomic transition
 * writes an outbox entry, the outbox is moved to a BullMQ queue under a job id derived from
 * the change (a second process moving the same entry adds nothing), and the queue retries
 * with exponential backoff — across restarts, since the jobs live in Redis. Only a process
 * that has webhooks configured moves outbox entries: one without leaves them for one that
 * has (hub instances need not share a config), and every delivering process with webhooks
 * drains the outbox on start and every few seconds.
 */
export class AlarmService {
  readonly store: AlarmStore
  private readonly queue: Queue<WebhookJob>
  private readonly worker: Worker<WebhookJob> | undefined
  private readonly hooks: ReadonlyMap<string, AlarmWebhookConfig>
  private readonly drainTimer: NodeJS.Timeout | undefined
  private draining: Promise<number> | undefined

  constructor (private readonly opts: AlarmServiceOptions) {
    this.store = new AlarmStore(opts.redis, opts.keyPrefix)
    this.hooks = new Map(opts.config.webhooks.map(h => [webhookId(h), h]))
    const prefix = queuePrefix(opts.keyPrefix)
    this.queue = new Queue<WebhookJob>(WEBHOOK_QUEUE, {
      connection: opts.redis,
      prefix,
      defaultJobOptions: {
        attempts: opts.config.delivery.attempts,
        backoff: { type: 'exponential', delay: opts.config.delivery.backoffMs },
        // Completed jobs are kept a week: their ids are what makes a repeated move of the
        // same outbox entry a no-op.
        removeOnComplete: { age: 7 * DAY_S },
        removeOnFail: { age: 30 * DAY_S },
      },
    })
    if (opts.deliver && this.hooks.size > 0) {
      this.worker = new Worker<WebhookJob>(WEBHOOK_QUEUE, webhookProcessor(this.hooks, opts.logger), { connection: opts.redis, prefix, concurrency: 4 })
      this.worker.on('failed', (job, err) => {
        if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) opts.logger.error({ webhook: job.data.webhook, change: job.data.changeId, attempts: job.attemptsMade, err: err.message }, 'alarm webhook delivery given up')
      })
      this.worker.on('error', err => opts.logger.error({ err }, 'alarm webhook worker error (it keeps running)'))
      const sweep = (): void => { void this.drainOutbox().catch((err: unknown) => opts.logger.warn({ err }, 'alarm outbox not drained; the next sweep retries')) }
      this.drainTimer = setInterval(sweep, opts.outboxIntervalMs ?? 5000)
      this.drainTimer.unref()
      sweep()
    }
  }

  /**
   * Raise or update the alarm; severity from the configured thresholds of its kind. With
   * `accumulate`, the count and samples add to those of the alarm while it is open or
   * acknowledged (late entries: each run reports only the new ones, the alarm names them
   * all). Only the reconciliation of the agency reports such kinds, under its lock, so the
   * read and the write do not race.
   */
  async report (agencyId: string, kind: AlarmKind, found: { count: number; samples: readonly string[]; detail?: Record<string, unknown>; accumulate?: boolean }): Promise<AlarmChange | undefined> {
    const before = found.accumulate === true ? await this.store.get(agencyId, kind) : undefined
    const active = before !== undefined && before.state !== 'resolved'
    const count = active ? before.count + found.count : found.count
    const samples = active ? [...new Set([...before.samples, ...found.samples])].slice(0, SAMPLE_SIZE) : found.samples
    const severity = severityOf(count, this.opts.config.severity[kind])
    return await this.apply(await this.store.report(agencyId, kind, { count, severity, samples, detail: found.detail }))
  }

  /**
   * The kind is clean now: an open or acknowledged alarm resolves — with `unseenSince`, only
   * if it was last reported before then (an alarm about history stays for its window).
   */
  async resolve (agencyId: string, kind: AlarmKind, opts: { readonly unseenSince?: Date } = {}): Promise<AlarmChange | undefined> {
    return await this.apply(await this.store.resolve(agencyId, kind, new Date(), opts.unseenSince))
  }

  /** An operator has seen it. Only an open alarm can be acknowledged. */
  async acknowledge (agencyId: string, kind: AlarmKind, actor: string, note = ''): Promise<Alarm> {
    const outcome = await this.store.acknowledge(agencyId, kind, actor, note)
    if (!outcome.changed) throw new AlarmStateError(`alarm ${kind} of agency ${agencyId} is ${outcome.state === 'none' ? 'not raised' : outcome.state}; only an open alarm can be acknowledged`)
    await this.apply(outcome)
    return outcome.change.alarm
  }

  async list (filter: { agencyId?: string; state?: AlarmState } = {}): Promise<Alarm[]> {
    return await this.store.list(filter)
  }

  /** Open and acknowledged alarms, one count each with its state, for metrics and the agency status. */
  async openAlarmCounts (): Promise<OpenAlarmCount[]> {
    const out: OpenAlarmCount[] = []
    for (const a of await this.store.list()) if (a.state !== 'resolved') out.push({ agency: a.agencyId, kind: a.kind, state: a.state, count: 1 })
    return out
  }

  /**
   * Move outbox entries to the webhook queue (one job per webhook, id = change id +
   * webhook id) and remove each entry once its jobs exist. Safe to run anywhere, any time,
   * concurrently: at worst a job is added twice under the same id, which BullMQ ignores.
   * A process without webhooks moves nothing and removes nothing: the entries wait for a
   * process that can deliver them. Returns the entries moved.
   */
  async drainOutbox (): Promise<number> {
    if (this.hooks.size === 0) return 0
    // One drain at a time per process; a caller arriving meanwhile waits for that one and drains again.
    while (this.draining !== undefined) await this.draining.catch(() => undefined)
    this.draining = this.moveOutbox()
    try {
      return await this.draining
    } finally {
      this.draining = undefined
    }
  }

  private async moveOutbox (): Promise<number> {
    let moved = 0
    for (;;) {
      const entries = await this.store.outbox(OUTBOX_BATCH)
      if (entries.length === 0) return moved
      for (const entry of entries) {
        const change = parseChange(entry)
        if (change !== undefined) {
          const body = webhookBody(change, this.opts.hub)
          await this.queue.addBulk([...this.hooks.keys()].map(id => ({ name: 'deliver', data: { webhook: id, changeId: change.id, event: change.event, body }, opts: { jobId: `${change.id}.${id}` } })))
        }
        await this.store.removeFromOutbox(entry)
        moved++
      }
    }
  }

  async close (): Promise<void> {
    clearInterval(this.drainTimer)
    await this.draining?.catch(() => undefined)
    await this.worker?.close()
    await this.queue.close()
  }

  private async apply (outcome: TransitionOutcome): Promise<AlarmChange | undefined> {
    if (!outcome.changed) return undefined
    const { change } = outcome
    const a = change.alarm
    const line = { agency: a.agencyId, kind: a.kind, state: a.state, severity: a.severity, count: a.count, change: change.id, samples: a.samples.slice(0, 5) }
    if (change.event === 'opened' || change.event === 'escalated') this.opts.logger.warn(line, `alarm ${change.event}: ${a.kind} at ${a.agencyId}`)
    else this.opts.logger.info(line, `alarm ${change.event}: ${a.kind} at ${a.agencyId}`)
    // The change is recorded; if moving it to the queue fails now, the next drain moves it.
    await this.drainOutbox().catch((err: unknown) => this.opts.logger.warn({ err, change: change.id }, 'alarm outbox not drained yet; will retry'))
    return change
  }
}
