/**
 * The platform misbehaves the ways real ones do — an outage, a busy platform (429 storms, the
 * exchange's 9001 busy code, a 前置库 collector that stops collecting), answers slower than
 * the hub's timeout, a failure after the platform stored the batch, a record it always
 * refuses — and the hub still delivers exactly the source's valid cases, each in its newest
 * version, once, waits when asked, and loses nothing.
 *
 * One scenario per fault, run against each kind of platform it applies to
 * (test/helpers/targets.ts): the canonical API, the provincial exchange (no idempotency key:
 * a repeat is an unchanged write there, never a second version) and the 前置库 table on
 * PostgreSQL (where "slow" and "busy" are a collector that does not acknowledge in time).
 * What only one platform's request log can show (Retry-After waits, idempotency keys) is
 * checked beside the common assertions, for that platform.
 */
import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld, DEMO_MAPPING } from '../helpers/world.js'
import { waitFor } from '../helpers/wait-for.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { canonicalTarget, startTarget, TOKEN, type StartedTarget, type TargetKind, type TargetOptions } from '../helpers/targets.js'
import { projectedSourceVersions, sourceVersions, versionDrift } from '../helpers/newest-versions.js'

const AGENCY = 'market-regulation-peixian'

interface FaultRun {
  readonly kind: TargetKind
  readonly target: StartedTarget
  readonly hub: Hub
  /** The canonical platform simulator itself (its request log), on the canonical runs. */
  readonly platform?: PlatformSimulator
  /** The valid cases the platform should end up holding (the poisoned ones left out). */
  readonly expected: number
  readonly poison: readonly string[]
  /** When the fault applied during the sync ended (0 when none was applied during it). */
  readonly faultEndedAt: number
}

interface Fault {
  readonly id: string
  readonly title: string
  readonly kinds: readonly TargetKind[]
  readonly records: number
  readonly seed: number
  readonly push: Record<string, unknown>
  /** Valid cases the platform refuses whatever their content. */
  readonly poisonCount?: number
  /** Whether the platform counts the fault as it strikes (TargetCounts.faultsMet); a poison record is counted as a rejection instead. @defaultValue true */
  readonly counted?: boolean
  /** How the platform is made to misbehave from the start, per kind. */
  readonly options?: (kind: TargetKind, poison: readonly string[]) => TargetOptions
  /** A fault applied once the sync is under way; resolves to how long it lasts. */
  readonly during?: (target: StartedTarget, kind: TargetKind) => Promise<number>
  /** What only this kind's platform can show, after the common checks. */
  readonly extra?: (t: Test, run: FaultRun) => Promise<void>
}

const batchRequests = (platform: PlatformSimulator): ReturnType<PlatformSimulator['requests']> => platform.requests().filter(r => r.method === 'POST' && r.path === '/api/v1/cases/batch')

const FAULTS: readonly Fault[] = [
  {
    id: 'outage',
    title: 'an outage mid-sync (60 s of the canonical platform, 15 s of the exchange or the collector) drains after recovery',
    kinds: ['canonical', 'province', 'table-postgres'],
    records: 800, seed: 31,
    push: { batchSize: 25, concurrency: 2, attempts: 30 },
    options: () => ({ http: { latencyMs: 40 } }),
    during: async (target, kind) => {
      const ms = kind === 'canonical' ? 60_000 : 15_000
      await target.outage(ms)
      return ms
    },
    extra: async (t, run) => {
      const drainedAfterMs = Date.now() - run.faultEndedAt
      if (run.kind === 'canonical') t.ok(drainedAfterMs < 20_000, `the backlog drained within 20 s of the platform's return (${drainedAfterMs} ms)`)
      if (run.platform !== undefined) t.equal(run.platform.stats().totals.unchanged, 0, 'no case sent twice under different keys')
    },
  },
  {
    id: 'busy',
    title: 'a busy platform (a 429 storm, the exchange\'s 9001 busy answers, a collector that stops collecting for 6 s) is waited for',
    kinds: ['canonical', 'province', 'table-postgres'],
    records: 300, seed: 32,
    // One push at a time, so no request can already be on its way when a 429 arrives.
    push: { batchSize: 20, concurrency: 1, attempts: 30 },
    options: kind => kind === 'canonical' ? { http: { rateLimit: { capacity: 2, refillPerSecond: 1 } } } : { http: { rateLimit: { capacity: 3, refillPerSecond: 4 } } },
    during: async (target, kind) => {
      if (kind !== 'table-postgres') return 0
      target.pause?.(6_000)
      return 6_000
    },
    extra: async (t, run) => {
      if (run.platform === undefined) return
      const requests = batchRequests(run.platform)
      const limited = requests.filter(r => r.status === 429)
      t.ok(limited.length >= 5, `a storm: ${limited.length} answers were 429`)
      const early = limited.flatMap(r => {
        const next = requests.find(n => n.arrivedAt >= r.answeredAt && n !== r)
        const allowedAt = r.answeredAt + (r.retryAfterMs ?? 0)
        return next !== undefined && next.arrivedAt < allowedAt ? [`${next.arrivedAt - r.answeredAt} ms after a 429 asking for ${r.retryAfterMs} ms`] : []
      })
      t.same(early, [], 'every request after a 429 waited at least its Retry-After')
    },
  },
  {
    id: 'slow',
    // (The 前置库 has no answer to be slow: its late acknowledgement is the busy case's collector.)
    title: 'answers slower than the hub\'s 1 s timeout (4 s) are retried without a second write',
    kinds: ['canonical', 'province'],
    records: 200, seed: 33,
    push: { batchSize: 20, concurrency: 2, attempts: 20, jobTimeoutMs: 1000 },
    options: () => ({ http: { slowAnswers: { count: 3, delayMs: 4000 } } }),
    // The late answers are logged (499: the hub had gone) only once their delay ends, after the sync.
    counted: false,
    extra: async (t, run) => {
      const late = await waitFor('the platform to end its three late answers', async () => { const n = (await run.target.totals()).faultsMet; return n >= 3 ? n : undefined }, { timeoutMs: 15_000 })
      t.equal(late, 3, 'three uploads were given up by the hub before the platform answered')
      if (run.platform === undefined) return
      const platform = run.platform
      const requests = batchRequests(platform)
      const byKey = new Map<string, number>()
      for (const r of requests) byKey.set(r.idempotencyKey ?? '', (byKey.get(r.idempotencyKey ?? '') ?? 0) + 1)
      const slow = requests.filter(r => r.status === 499)
      for (const r of slow) t.ok((byKey.get(r.idempotencyKey ?? '') ?? 0) >= 2, `the slow batch ${r.idempotencyKey?.slice(0, 20)}… was sent again under the same key`)
      t.ok(platform.stats().totals.duplicatesSuppressed > 0, `the platform recognised the repeats (${platform.stats().totals.duplicatesSuppressed} records)`)
      t.equal(platform.stats().totals.unchanged, 0, 'no retry under a new key')
    },
  },
  {
    id: 'stored',
    title: 'a failure answered after the platform stored the batch (HTTP 500, the exchange\'s 9002) makes no second write',
    kinds: ['canonical', 'province'],
    records: 400, seed: 34,
    push: { batchSize: 20, concurrency: 2, attempts: 30 },
    options: () => ({ http: { failAfterStoreRate: 0.4 } }),
    extra: async (t, run) => {
      if (run.platform === undefined) return
      t.ok(run.platform.stats().totals.duplicatesSuppressed > 0, 'the retries were recognised by their idempotency key')
      t.equal(run.platform.stats().totals.unchanged, 0, 'no retry under a new key')
    },
  },
  {
    id: 'poison',
    title: 'poison records the platform refuses go to dead letters at once, without holding up their batch or their agency',
    kinds: ['canonical', 'province', 'table-postgres'],
    records: 300, seed: 35,
    push: { batchSize: 20, concurrency: 2, attempts: 10 },
    poisonCount: 2,
    counted: false,
    options: (_kind, poison) => ({ http: { poisonCaseNumbers: [...poison] }, collector: { rejectRule: { requiredFields: [], caseNumbers: [...poison] } } }),
  },
]

/** What each platform says when it refuses a record, as the dead letter must carry it. */
const REFUSAL: Readonly<Record<TargetKind, RegExp>> = { canonical: /refused by the platform/, province: /1099/, 'table-postgres': /refused by the platform/, 'table-mariadb': /refused by the platform/ }

async function startPlatform (t: Test, kind: TargetKind, label: string, seed: number, opts: TargetOptions): Promise<{ target: StartedTarget; platform?: PlatformSimulator }> {
  if (kind !== 'canonical') return { target: await startTarget(t, kind, label, opts) }
  // The canonical simulator itself, for its request log.
  const platform = await startPlatformSimulator({ port: 0, tokens: [TOKEN], seed, ...opts.http })
  t.teardown(async () => await platform.close())
  return { target: canonicalTarget(platform), platform }
}

for (const fault of FAULTS) {
  for (const kind of fault.kinds) {
    t.test(`${kind}: ${fault.title}`, { timeout: 240_000 }, async t => {
      const label = `pf-${fault.id}-${kind.replace('table-', 't')}`
      const world = await startWorld(t, label, { agency: { records: fault.records, seed: fault.seed } })
      // The poison records: the first valid cases of the seeded source.
      const poison = [...(await sourceVersions(world.agency.url, DEMO_MAPPING)).keys()].slice(0, fault.poisonCount ?? 0)
      const { target, platform } = await startPlatform(t, kind, label.replace(/-/g, '_'), fault.seed, fault.options?.(kind, poison) ?? {})
      const source = await projectedSourceVersions(world.agency.url, DEMO_MAPPING, target.projection())
      const expected = source.versions.size - poison.length
      const config = await loadConfig(world.writeConfig({ target: target.section, push: { backoff: { delayMs: 100, jitter: 0.5, maxDelayMs: 2000 }, ...fault.push } }), builtInRegistry(), { ...world.env, ...target.env })
      const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger() })
      t.teardown(async () => await hub.close())

      let faultEndedAt = 0
      if (fault.during !== undefined) {
        await waitFor('the sync to be under way', async () => (await target.totals()).stored > 0, { timeoutMs: 30_000, intervalMs: 10 })
        const lastsMs = await fault.during(target, kind)
        if (lastsMs > 0) {
          faultEndedAt = Date.now() + lastsMs
          const storedAtStart = (await target.totals()).stored
          t.ok(storedAtStart < expected, `the fault began mid-sync (${storedAtStart} of ${expected} stored)`)
        }
      }

      const describe = async (): Promise<string> => `platform ${JSON.stringify(await target.totals())}, ledger ${await hub.ledger.ackedCount(AGENCY)} acknowledged, ${(await hub.ledger.deadLetters(AGENCY)).length} dead letters`
      await waitFor('every valid case stored and acknowledged, the poison ones dead letters', async () =>
        (await target.totals()).stored === expected && await hub.ledger.ackedCount(AGENCY) === expected && (await hub.ledger.deadLetters(AGENCY)).length === poison.length,
      { timeoutMs: 180_000, intervalMs: 200, describe })

      const totals = await target.totals()
      if (fault.counted !== false) t.ok(totals.faultsMet > 0, `the hub met the fault (${totals.faultsMet} times)`)
      t.equal(totals.applied, expected, 'applied = number of valid cases: each written once')
      t.equal(totals.reapplied, 0, 'no version written twice')
      t.equal(totals.rejected, poison.length, 'the platform refused only the poison records')
      const newest = new Map([...source.versions].filter(([n]) => !poison.includes(n)))
      const drift = versionDrift(newest, await target.versions(world.agency.agencyCode))
      t.same(drift, { notNewest: [], extra: [] }, 'the platform holds exactly the valid cases, each in its newest version')
      const dead = await hub.ledger.deadLetters(AGENCY)
      t.same(dead.map(d => d.caseNumber).sort(), [...poison].sort(), poison.length === 0 ? 'no dead letters' : 'exactly the refused records are dead letters')
      for (const d of dead) {
        t.match(d.reason, REFUSAL[kind], `${d.caseNumber}: the platform's reason is kept`)
        t.equal(d.attempts, 1, `${d.caseNumber}: dead-lettered at once (retrying a refusal cannot help)`)
      }
      await fault.extra?.(t, { kind, target, hub, ...(platform === undefined ? {} : { platform }), expected, poison, faultEndedAt })
    })
  }
}

t.test('canonical: a 200 answer that is an HTML maintenance page is retried, not taken for an answer; the cases become dead letters only once the attempts are used up', async t => {
  const world = await startWorld(t, 'html-200', { agency: { records: 120, seed: 36 }, platform: { seed: 7, htmlAnswers: 3 } })
  const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  const expected = source.records - source.invalidByDesign
  const { logger, entries } = capturingLogger('warn')
  const config = await loadConfig(world.writeConfig({ push: { batchSize: 20, concurrency: 1, attempts: 5, backoff: { delayMs: 50, jitter: 0.5, maxDelayMs: 500 } } }), builtInRegistry(), world.env)
  const hub = await startHub({ config, registry: builtInRegistry(), logger })
  t.teardown(async () => await hub.close())
  await waitFor('every case acknowledged', async () => await hub.ledger.ackedCount(AGENCY) === expected, { timeoutMs: 60_000, describe: () => JSON.stringify(world.platform.stats().totals) })
  t.equal(world.platform.stats().totals.failuresInjected, 3, 'three batches were answered with the HTML page')
  t.equal((await hub.ledger.deadLetters(AGENCY)).length, 0, 'no dead letter: the page is not an answer about the records')
  const warned = entries().filter(e => JSON.stringify(e).includes('is not the platform\'s JSON'))
  t.ok(warned.length >= 3, `each such answer is logged as a retry (${warned.length})`)
  t.match(JSON.stringify(warned[0]), /系统维护/, 'with the first bytes of the page')
  t.notMatch(JSON.stringify(entries()), /13812345678/, 'masked: the phone number on the page is not in the log')

  // A page for longer than the attempts: the cases go to dead letters, with why.
  await fetch(`${world.platform.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ htmlAnswers: 100 }) })
  await fetch(`${world.agency.url}/__sim/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 5 }) })
  await hub.pullNow(AGENCY)
  const dead = await waitFor('the new cases in dead letters', async () => { const d = await hub.ledger.deadLetters(AGENCY); return d.length === 5 ? d : undefined }, { timeoutMs: 30_000 })
  for (const d of dead) t.equal(d.attempts, 5, `${d.caseNumber}: dead-lettered after all 5 attempts`)
  t.match(dead[0]?.reason, /not the platform's JSON/, 'the reason says what the answer was')
})
