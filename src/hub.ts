import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import type { LoadedConfig } from './config/load-config.js'
import type { AdapterRegistry } from './contracts/adapter-registry.js'
import type { SourceAdapter } from './contracts/source-adapter.js'
import type { TargetAdapter } from './contracts/target-adapter.js'
import { unknownKind } from './config/load-config.js'
import { connectRedis, checkRedisPolicy } from './redis/connect.js'
import { Ledger } from './ledger/ledger.js'
import { startPushService, type PushService } from './delivery/push-service.js'
import type { PushItem } from './delivery/push-job.js'
import { loadMapping } from './mapping/load-mapping.js'
import { DEFAULT_INPUT } from './formats/input-options.js'
import { pullAgency, type PageSummary, type PullSummary } from './sync/pull-agency.js'
import { PullScheduler } from './sync/scheduler.js'
import { buildAdminServer } from './admin/admin-server.js'

export interface Hub {
  readonly config: LoadedConfig
  readonly redis: Redis
  readonly ledger: Ledger
  /** Where the admin/health API listens, e.g. http://127.0.0.1:4000. */
  readonly adminUrl: string
  /** Pull one agency now (undefined when it is already being pulled). */
  pullNow (agencyId: string): Promise<PullSummary | undefined>
  /** Graceful stop: no new pulls, running pulls finish their page, active pushes finish. */
  close (): Promise<void>
}

export interface StartHubOptions {
  readonly config: LoadedConfig
  readonly registry: AdapterRegistry
  readonly logger: Logger
  /** Run the cron schedules (default true; tests may drive pulls with `pullNow`). */
  readonly schedule?: boolean
  readonly onPage?: (summary: PageSummary) => void
  readonly onAcknowledged?: (agencyId: string, items: readonly PushItem[], ackedAtMs: number) => void
}

/** Assemble and start a hub from a loaded config. The adapters come from `registry`. */
export async function startHub (opts: StartHubOptions): Promise<Hub> {
  const { config, registry, logger } = opts
  const redis = connectRedis(config.redis.url, logger)
  const closers: (() => Promise<unknown>)[] = [async () => await redis.quit().catch(() => redis.disconnect())]
  const closeAll = async (): Promise<void> => { for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => logger.error({ err }, 'error while closing')) }
  try {
    await redis.ping()
    await checkRedisPolicy(redis, { requirePersistence: config.redis.requirePersistence, logger })
    const ledger = new Ledger(redis, config.redis.keyPrefix)

    const targets = new Map<string, TargetAdapter>()
    for (const [id, section] of Object.entries(config.targets)) {
      const def = registry.targets.get(section.kind) ?? (() => { throw unknownKind('target', section.kind, registry.targets.keys()) })()
      const target = def.create(section as never, { logger: logger.child({ target: id }), name: id, input: () => DEFAULT_INPUT })
      targets.set(id, target)
      closers.push(async () => await target.close())
    }
    const push: PushService = startPushService({ config, redis, ledger, targets, logger, ...(opts.onAcknowledged === undefined ? {} : { onAcknowledged: opts.onAcknowledged }) })
    closers.push(async () => await push.close())

    const agencies = []
    for (const agency of config.agencies.filter(a => a.enabled)) {
      const mapping = await loadMapping(agency.mapping)
      const def = registry.sources.get(agency.source.kind) ?? (() => { throw unknownKind('source', agency.source.kind, registry.sources.keys()) })()
      const source: SourceAdapter = def.create(agency.source as never, { logger: logger.child({ agency: agency.id }), name: agency.id, input: () => mapping.input })
      closers.push(async () => await source.close())
      const queue = push.queues.get(agency.target)
      if (queue === undefined) throw new Error(`agency ${agency.id}: target "${agency.target}" has no queue`)
      agencies.push({
        id: agency.id,
        name: agency.name,
        schedule: agency.schedule,
        lockKey: ledger.keys(agency.id).pullLock,
        pull: async (signal: AbortSignal) => await pullAgency({
          agencyId: agency.id, targetId: agency.target, source, mapping: () => mapping, ledger, queue, batchSize: config.push.batchSize, logger,
          ...(opts.onPage === undefined ? {} : { onPage: opts.onPage }),
        }, signal),
        recordOutcome: async (ok: boolean) => await ledger.markPull(agency.id, ok),
      })
    }

    const scheduler = new PullScheduler(redis, agencies, logger)
    // Stopping pulls comes before stopping pushes: closers run in reverse order.
    closers.push(async () => await scheduler.stop())

    const admin: FastifyInstance = await buildAdminServer({ redis, ledger, agencies, configLoaded: () => true })
    await admin.listen({ host: config.admin.host, port: config.admin.port })
    closers.push(async () => await admin.close())
    const address = admin.server.address()
    const adminUrl = typeof address === 'object' && address !== null ? `http://${config.admin.host}:${address.port}` : `http://${config.admin.host}:${config.admin.port}`

    if (opts.schedule !== false) scheduler.start()
    logger.info({ agencies: agencies.map(a => a.id), targets: [...targets.keys()], admin: adminUrl }, 'hub started')
    return {
      config, redis, ledger, adminUrl,
      pullNow: async id => await scheduler.trigger(id),
      close: closeAll,
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}
