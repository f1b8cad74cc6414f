/**
 * The outside world of a reconciliation test: an agency simulator whose cases were all
 * entered "now" (so only the cases a test plants are late entries), the platform
 * simulator, a webhook receiver, a Redis prefix, and a hub config with reconciliation and
 * alarm settings. Plus the drift a test plants on either side.
 */
import { startAgencySimulator, type AgencyRecord, type AgencySimulator } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator, type PlatformSimulator, type StoredCase } from '../../fixtures/platform-sim/index.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { LOCAL_REDIS, testPrefix, TEST_REDIS_URL, type TestRedis } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { DEMO_MAPPING, TEST_PLATFORM_TOKEN } from '../helpers/world.js'
import { startWebhookReceiver, type WebhookReceiver } from '../alarms/webhook-receiver.js'
import { MovedClock } from '../helpers/moved-clock.js'
import { canonicalTarget, startTarget, type StartedTarget, type TargetKind } from '../helpers/targets.js'

export const AGENCY = 'market-regulation-peixian'
export const WEBHOOK_SECRET = 'test-webhook-secret-3f9a-32-bytes-long'
type Teardown = { teardown: (fn: () => Promise<void> | void) => void }

export interface ReconcileWorld {
  readonly agency: AgencySimulator
  /** The platform the hub delivers to, whichever kind (test/helpers/targets.ts). */
  readonly target: StartedTarget
  /** The canonical platform simulator itself; only a canonical world has one. */
  readonly platform: PlatformSimulator
  readonly webhook: WebhookReceiver
  readonly prefix: string
  /** The Redis the world's hubs use (the machine's one unless the test started its own). */
  readonly redis: TestRedis
  readonly env: NodeJS.ProcessEnv
  /** The source's cases as created. */
  readonly records: AgencyRecord[]
  /** The clock the world's reconciliations judge ages by (drift-scenario.ts hands it to each hub). */
  readonly clock: MovedClock
  writeConfig (reconcile?: Record<string, unknown>, extra?: { schedule?: string; alarms?: Record<string, unknown>; mapping?: string }): string
}

export async function startReconcileWorld (t: Teardown, label: string, cases: number, kind: TargetKind = 'canonical', redis: TestRedis = LOCAL_REDIS): Promise<ReconcileWorld> {
  const prefix = testPrefix(t as { teardown: (fn: () => Promise<void>) => void }, label, redis)
  const agency = await startAgencySimulator({ port: 0, records: 0, seed: 21 })
  t.teardown(async () => await agency.close())
  let platform: PlatformSimulator | undefined
  let target: StartedTarget
  if (kind === 'canonical') {
    const sim = await startPlatformSimulator({ port: 0, tokens: [TEST_PLATFORM_TOKEN] })
    t.teardown(async () => await sim.close())
    platform = sim
    target = canonicalTarget(sim)
  } else {
    target = await startTarget(t, kind, label.replace(/[^a-z0-9]/gi, '_'))
  }
  const webhook = await startWebhookReceiver(t as { teardown: (fn: () => Promise<void>) => void }, WEBHOOK_SECRET)
  const records = cases === 0 ? [] : await sim<AgencyRecord[]>('POST', `${agency.url}/__sim/cases`, { count: cases })
  const files = tempDir(t as { teardown: (fn: () => void) => void })
  return {
    agency, target, webhook, prefix, redis, records, clock: new MovedClock(),
    get platform (): PlatformSimulator {
      if (platform === undefined) throw new Error(`this world delivers to the ${kind} target: reach it through world.target`)
      return platform
    },
    env: { ...process.env, TEST_PLATFORM_TOKEN, TEST_REDIS_URL, TEST_WEBHOOK_SECRET: WEBHOOK_SECRET, ...target.env },
    writeConfig (reconcile = {}, extra = {}) {
      const text = JSON.stringify({
        hub: { name: `test-${label}`, locale: 'en' },
        redis: { ...redis.section, keyPrefix: prefix, requirePersistence: false },
        admin: { host: '127.0.0.1', port: 0 },
        logging: { level: 'warn' },
        push: { batchSize: 100, concurrency: 4, attempts: 20, backoff: { delayMs: 100, jitter: 0.5 }, jobTimeoutMs: 10000, lockDurationMs: 2000 },
        alarms: { webhooks: [{ name: 'supervisors', url: webhook.url, secret: { env: 'TEST_WEBHOOK_SECRET' }, timeoutMs: 2000 }], delivery: { attempts: 5, backoffMs: 50 }, ...extra.alarms },
        targets: { platform: target.section },
        agencies: [{
          id: AGENCY,
          mapping: extra.mapping ?? DEMO_MAPPING,
          schedule: extra.schedule ?? '0 0 0 1 1 *',
          target: 'platform',
          source: { kind: 'http-pull', baseUrl: agency.url, pageSize: 100, timeoutMs: 5000 },
          reconcile: { schedule: '0 0 0 1 1 *', minAgeSeconds: 1, ...reconcile },
        }],
      }, null, 2)
      return files.write(`hub-${Math.random().toString(36).slice(2)}.yaml`, text)
    },
  }
}

export async function sim<T> (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${await res.text()}`)
  return (res.status === 204 ? undefined : await res.json()) as T
}

/** Every case the platform holds for the agency, through its API. */
export async function platformCases (world: ReconcileWorld): Promise<Map<string, StoredCase>> {
  const out = new Map<string, StoredCase>()
  let token: string | null = null
  do {
    const url = new URL('/api/v1/cases', world.platform.url)
    url.searchParams.set('agencyCode', world.agency.agencyCode)
    url.searchParams.set('pageSize', '1000')
    if (token !== null) url.searchParams.set('pageToken', token)
    const page: { items: StoredCase[]; nextPageToken: string | null } = await sim('GET', url.toString(), undefined, { authorization: `Bearer ${TEST_PLATFORM_TOKEN}` })
    for (const item of page.items) out.set(item.case.caseNumber, item)
    token = page.nextPageToken
  } while (token !== null)
  return out
}

const ymd = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '')

/**
 * Make a decided case one that was decided `daysAgo` days ago (filed ten days before,
 * closed two days after if it is closed): entered into the hub now, it reaches the
 * platform long after its decision — a late entry, honestly.
 */
export async function backdateDecision (world: ReconcileWorld, record: AgencyRecord, daysAgo: number): Promise<void> {
  const decided = Date.now() - daysAgo * 86_400_000
  await sim('PUT', `${world.agency.url}/__sim/cases/${record.AJBH}`, {
    LASJ: ymd(decided - 10 * 86_400_000),
    CFJDRQ: ymd(decided),
    ...(record.JASJ === '' ? {} : { JASJ: ymd(decided + 2 * 86_400_000) }),
  })
}

/** The agency changes a case without bumping its update timestamp: the incremental cursor cannot see it. */
export async function editSourceSilently (world: ReconcileWorld, caseNumber: string, fields: Record<string, string> = {}): Promise<void> {
  await sim('PUT', `${world.agency.url}/__sim/cases/${caseNumber}`, { AQZY: `案情摘要经复核后更正（${caseNumber}）。`, ...fields, keepTimestamp: true })
}

export async function deleteOnPlatform (world: ReconcileWorld, caseNumber: string): Promise<void> {
  await sim('DELETE', `${world.platform.url}/__sim/cases/${world.agency.agencyCode}/${caseNumber}`)
}

export async function putOnPlatform (world: ReconcileWorld, value: CanonicalCase): Promise<void> {
  await sim('PUT', `${world.platform.url}/__sim/cases/${world.agency.agencyCode}/${encodeURIComponent(value.caseNumber)}`, value)
}
