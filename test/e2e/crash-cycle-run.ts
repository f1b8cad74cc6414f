/**
 * One crash-cycle run (see crash-cycles.int.test.ts): the hub as a child process dies by
 * SIGKILL at seeded crash points across the sync path while the agency edits cases, then
 * one last run must leave the platform holding exactly the source's valid cases, each in
 * its newest version, nothing written twice, exactly the invalid ones quarantined. Run by
 * crash-cycles.int.test.ts on the machine's Redis and by test/scale/redis-cluster.int.test.ts
 * on a Redis Cluster.
 */
import type { Test } from 'tap'
import { agencyKeys } from '../../src/ledger/keys.js'
import { CRASH_POINTS, type CrashPoint } from '../../src/crash-points.js'
import { startWorld, type World } from '../helpers/world.js'
import type { TestRedis } from '../helpers/redis.js'
import { spawnHub } from '../helpers/hub-process.js'
import { waitFor } from '../helpers/wait-for.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { projectedSourceVersions, sourceVersions, versionDrift } from '../helpers/newest-versions.js'
import { canonicalTarget, startTarget, type StartedTarget, type TargetKind } from '../helpers/targets.js'
import { traceCompleteness } from '../helpers/trace-complete.js'

const AGENCY = 'market-regulation-peixian'

export interface Run {
  readonly kind: TargetKind
  readonly round: number
  readonly cycles: number
  readonly records: number
  /** A platform outage this long begins after the second cycle (0: none). */
  readonly outageMs: number
  /** At least this many cycles must die at their crash point. */
  readonly minCrashes: number
}

async function startPlatform (t: Test, world: World, kind: TargetKind, round: number): Promise<StartedTarget> {
  return kind === 'canonical' ? canonicalTarget(world.platform) : await startTarget(t, kind, `cycles_${kind.replace('-', '_')}_${round}`, { http: { seed: round, latencyMs: 30 } })
}

export async function crashCycles (t: Test, run: Run, opts: { rng: Rng; seed: number; label?: string; redis?: TestRedis; hubOutputs?: string[] }): Promise<void> {
  const { kind, round } = run
  const { rng, seed: SEED } = opts
  const world = await startWorld(t, opts.label ?? `cycles-${kind}`, { agency: { records: run.records, seed: 100 + round, latencyMs: 5 }, platform: { seed: round, latencyMs: 30 }, ...(opts.redis === undefined ? {} : { redis: opts.redis }) })
  const target = await startPlatform(t, world, kind, round)
  // Small pages and batches: many visits of every crash point per sync.
  const config = world.writeConfig({ target: target.section, push: { batchSize: 20, concurrency: 2, lockDurationMs: 1500, attempts: 50, backoff: { delayMs: 50, jitter: 0.5, maxDelayMs: 2000 } }, pageSize: 60, logLevel: 'info' })
  const env = { ...world.env, ...target.env }
  const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number; invalidCases: { caseNumber: string }[] }
  const projection = target.projection()
  // What the platform should hold now: the source's valid cases its profile can send, each projected.
  const newestNow = async (): Promise<{ versions: Map<string, string>; held: string[] }> => kind === 'canonical'
    ? { versions: await sourceVersions(world.agency.url, DEMO_MAPPING), held: [] }
    : await projectedSourceVersions(world.agency.url, DEMO_MAPPING, projection)
  const initial = await newestNow()
  const expected = initial.versions.size
  t.equal(expected + initial.held.length, source.records - source.invalidByDesign, `the source's valid cases: ${expected} the platform can take, ${initial.held.length} held by its profile`)
  const synced = async (): Promise<boolean> => (await target.totals()).stored === expected
  // Live edits at the agency while the hub dies and restarts: a valid case amended every 150 ms
  // (its facts summary and its cause: every platform's profile carries the cause).
  const valid = [...initial.versions.keys()]
  let edits = 0
  const editRng = new Rng(SEED + round)
  const editing = setInterval(() => {
    const caseNumber = valid[editRng.int(0, valid.length - 1)] as string
    edits++
    void fetch(`${world.agency.url}/__sim/cases/${encodeURIComponent(caseNumber)}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AQZY: `案情摘要第 ${edits} 次补充（${caseNumber}）。`, AY: `案由经第 ${edits} 次更正（${caseNumber}）` }),
    }).catch(() => undefined)
  }, 150)
  t.teardown(() => { clearInterval(editing) })

  // Every point in turn (in a seeded order), each at a random visit: 1st to 4th.
  let order: CrashPoint[] = []
  const died: Record<string, number> = {}
  let storedWhenDown: number | undefined
  for (let cycle = 1; cycle <= run.cycles; cycle++) {
    if (cycle === 3 && run.outageMs > 0) {
      await target.outage(run.outageMs)
      storedWhenDown = (await target.totals()).stored
      t.comment(`cycle ${cycle}: the platform is down for ${run.outageMs / 1000} s from now`)
    }
    if (order.length === 0) order = [...CRASH_POINTS].map(point => ({ point, key: rng.next() })).sort((a, b) => a.key - b.key).map(p => p.point)
    const point = order.shift() as CrashPoint
    const visit = rng.int(1, 4)
    const hub = spawnHub(config, { ...env, CASEBRIDGE_CRASH_AT: `${point}:${visit}` })
    t.teardown(() => { hub.child.kill('SIGKILL') })
    // The hub dies at its crash point, or the sync completes before the point is reached.
    const outcome = await Promise.race([
      hub.exited.then(exit => ({ exit })),
      waitFor('the sync to complete', synced, { timeoutMs: 120_000 + run.outageMs, intervalMs: 50 }).then(() => ({ exit: undefined })),
    ])
    opts.hubOutputs?.push(hub.output())
    if (outcome.exit === undefined) {
      hub.child.kill('SIGKILL')
      await hub.exited
      t.comment(`cycle ${cycle}: ${point}:${visit} not reached before the sync was complete`)
      continue
    }
    t.equal(outcome.exit.signal, 'SIGKILL', `cycle ${cycle}: died by SIGKILL at ${point}:${visit}`, { output: hub.output().slice(-2000) })
    died[point] = (died[point] ?? 0) + 1
  }
  clearInterval(editing)
  const crashes = Object.values(died).reduce((a, b) => a + b, 0)
  t.comment(`crashes by point: ${JSON.stringify(died)}; platform held ${(await target.totals()).stored} of ${expected} before the last run`)
  t.ok(crashes >= run.minCrashes, `most cycles died at their crash point mid-sync (${crashes} of ${run.cycles})`)
  t.ok(Object.keys(died).length >= Math.min(CRASH_POINTS.length, Math.floor(run.cycles / 2)), `crashes landed at many different points (${Object.keys(died).length})`)
  t.ok(edits >= run.cycles, `the agency edited cases while the hub died and restarted (${edits} edits)`)
  if (run.outageMs > 0) t.ok(storedWhenDown !== undefined && storedWhenDown < expected, `the platform went down mid-sync (${storedWhenDown ?? '-'} of ${expected} stored)`)

  const last = spawnHub(config, env)
  t.teardown(() => { last.child.kill('SIGKILL') })
  await last.started
  const newest = await newestNow()
  const redis = world.redis.connect()
  t.teardown(() => { redis.disconnect() })
  const keys = agencyKeys(world.prefix, AGENCY)
  const drift = async (): Promise<ReturnType<typeof versionDrift>> => versionDrift(newest.versions, await target.versions(world.agency.agencyCode))
  await waitFor('the platform to hold the newest version of every valid case after the crashes', async () => {
    const d = await drift()
    // The last acknowledgements reach the ledger just after the platform stored the cases.
    return d.notNewest.length === 0 && d.extra.length === 0 && await redis.zcard(keys.pending) === 0 && await redis.hlen(keys.acked) === newest.versions.size
  }, { timeoutMs: 120_000 + run.outageMs, intervalMs: 250, describe: async () => `${JSON.stringify(await drift()).slice(0, 500)} ${JSON.stringify(await target.totals())}; hub output: ${last.output().slice(-3000)}` })
  last.child.kill('SIGTERM')
  t.equal((await last.exited).code, 0, 'the last hub stops cleanly on SIGTERM')
  opts.hubOutputs?.push(last.output())

  const totals = await target.totals()
  const regressions = Number(await redis.hget(keys.stats, 'versionRegressions') ?? 0)
  const reenqueued = Number(await redis.hget(keys.stats, 'versionsReenqueued') ?? 0)
  t.equal(totals.stored, newest.versions.size, 'none missing: stored = the source\'s valid cases the platform can take')
  t.same(await drift(), { notNewest: [], extra: [] }, 'each case in its newest version')
  t.equal(totals.reapplied, 0, 'no version written twice: the platform never went back to a version it held before')
  t.ok(totals.applied >= newest.versions.size, `every case written (applied ${totals.applied}: the versions delivered, fewer than the edits where a newer one overtook an older before it was sent)`)
  if (kind === 'canonical') {
    // A replay reuses its key (the platform suppresses it). A case reaches the platform again
    // under a new key only where the hub knew it was doing so: a deliberate newest-version
    // re-send, or a page read again after a crash that the agency's edits cut into other batches.
    // (The other platforms take no idempotency key: a replay there is an unchanged write, counted, harmless.)
    t.ok(totals.unchanged <= regressions + reenqueued, `no case re-sent under a new idempotency key unknowingly (${totals.unchanged} unchanged; ${regressions} newest-version re-sends, ${reenqueued} versions enqueued again after a crash)`)
  }
  t.equal(totals.rejected, 0, 'nothing invalid reached the platform')
  t.same((await redis.hkeys(keys.quarantine)).sort(), [...source.invalidCases.map(c => c.caseNumber), ...newest.held].sort(), 'quarantine holds exactly the invalid cases (and those the profile holds)')
  t.equal(await redis.hlen(keys.deadLetters), 0, 'no dead letters')
  // Every delivered case's trace: written in the same steps as the ledger's state, so complete whatever the crashes cut.
  const gaps = await traceCompleteness(redis, world.prefix, AGENCY, [...newest.versions.keys()])
  t.same(gaps.breaks, [], 'every trace chain verifies')
  t.same(gaps.incomplete.slice(0, 20), [], `every delivered case has the events of what the ledger committed (${gaps.incomplete.length} gaps)`)
  t.same(gaps.duplicated.slice(0, 20), [], `no event recorded twice (${gaps.duplicated.length})`)
}
