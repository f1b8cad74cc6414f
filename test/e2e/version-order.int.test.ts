/**
 * Newest version wins, whatever the processes and their clocks do. A hub stopped by
 * SIGSTOP right before its POST (a frozen VM, a long pause) wakes after another hub has
 * taken its job over and delivered newer versions of some of its cases; its old request
 * then goes out. The platform must end with each case's newest version: refused as stale
 * where the target fences by version sequence, corrected by the hub after the fact where
 * it cannot (and ignores idempotency keys, like most real platforms).
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { Queue, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { Ledger } from '../../src/ledger/ledger.js'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { deliveryKey } from '../../src/contracts/fingerprint.js'
import { pushQueueName, type PushJobData } from '../../src/delivery/push-job.js'
import { DEMO_MAPPING, startWorld, TEST_PLATFORM_TOKEN, TEST_REDIS_URL, type World } from '../helpers/world.js'
import { spawnHub, type HubProcess } from '../helpers/hub-process.js'
import { waitFor } from '../helpers/wait-for.js'
import { platformVersions, sourceVersions, versionDrift } from '../helpers/newest-versions.js'

const AGENCY = 'market-regulation-peixian'

/** The process state letter from /proc (T: stopped). */
function processState (pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
}

async function amend (world: World, caseNumber: string): Promise<void> {
  const res = await fetch(`${world.agency.url}/__sim/cases/${encodeURIComponent(caseNumber)}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AQZY: `案情摘要经复核后补充（${caseNumber}，新版本）。` }),
  })
  if (!res.ok) throw new Error(`amend ${caseNumber}: HTTP ${res.status}`)
}

const keyRequests = (world: World, key: string): number => world.platform.requests().filter(r => r.idempotencyKey === key && r.status === 200).length

for (const fencing of [true, false]) {
  t.test(`a hub paused before its POST past its lock, woken after another hub delivered newer versions, leaves the newest version of every case on the platform (${fencing ? 'the platform fences by version sequence' : 'no fencing, no idempotency memory: corrected after the fact'})`, { timeout: 180_000 }, async t => {
    const world = await startWorld(t, fencing ? 'order-fenced' : 'order-unfenced', { agency: { records: 300, seed: 61 }, platform: { seed: 3, fencing, idempotency: false } })
    // A request timeout longer than the pause: the woken request goes out instead of being aborted at once.
    const config = world.writeConfig({ push: { batchSize: 20, concurrency: 1, lockDurationMs: 1500, jobTimeoutMs: 120_000, attempts: 20, backoff: { delayMs: 100, jitter: 0.5 } }, pageSize: 100, logLevel: 'info' })
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
    t.teardown(() => { redis.disconnect() })
    const ledger = new Ledger(redis, world.prefix)
    const queue = new Queue<PushJobData>(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(world.prefix) })
    t.teardown(async () => await queue.close())

    // Hub A stops itself right before the first POST it would send.
    const a: HubProcess = spawnHub(config, { ...world.env, CASEBRIDGE_PAUSE_AT: 'push.sending:1' })
    t.teardown(() => { a.child.kill('SIGCONT'); a.child.kill('SIGKILL') })
    const pid = a.child.pid as number
    await waitFor('hub A to stop before its first POST', () => processState(pid) === 'T', { timeoutMs: 30_000, intervalMs: 20, describe: () => a.output().slice(-2000) })
    const [job] = await waitFor('the job hub A holds', async () => { const active = await queue.getActive(); return active.length === 1 ? active as Job<PushJobData>[] : undefined })
    const items = job?.data.items ?? []
    t.equal(items.length, 20, 'hub A holds a batch of 20 cases, not sent')
    const key = deliveryKey(AGENCY, items, job?.data.resend)
    t.equal(keyRequests(world, key), 0, 'nothing of that batch reached the platform')

    // Meanwhile the agency updates six of its cases; hub B takes over and delivers.
    const changed = items.slice(0, 6).map(i => i.caseNumber)
    for (const cn of changed) await amend(world, cn)
    const b = spawnHub(config, world.env)
    t.teardown(() => { b.child.kill('SIGKILL') })
    await b.started
    await waitFor('hub B to take over the stalled job and deliver it', () => keyRequests(world, key) >= 1, { timeoutMs: 60_000, describe: () => b.output().slice(-2000) })
    await waitFor('hub B to deliver the newer versions of the six', async () => {
      const [seen, acked] = await Promise.all([ledger.seenVersions(AGENCY, changed), ledger.ackedVersions(AGENCY, changed)])
      return changed.every((cn, i) => seen[i] !== undefined && seen[i]?.fingerprint !== items[i]?.fingerprint && acked[i]?.fingerprint === seen[i]?.fingerprint)
    }, { timeoutMs: 60_000, describe: () => b.output().slice(-2000) })
    const stale = (await ledger.seenVersions(AGENCY, changed)).map(v => v?.sequence ?? 0)
    t.ok(changed.every((_, i) => (stale[i] ?? 0) > (items[i]?.sequence ?? 0)), 'each newer version has a larger sequence than the one hub A holds')

    // Hub A wakes: its old request goes out now.
    a.child.kill('SIGCONT')
    await waitFor('hub A\'s late request of the old versions', () => keyRequests(world, key) >= 2, { timeoutMs: 30_000, describe: () => a.output().slice(-2000) })

    const source = await sourceVersions(world.agency.url, DEMO_MAPPING)
    await waitFor('the platform to hold the newest version of every case', async () => {
      const drift = versionDrift(source, await platformVersions(world.platform.url, TEST_PLATFORM_TOKEN, world.agency.agencyCode))
      return drift.notNewest.length === 0 && drift.extra.length === 0 && await ledger.pendingCount(AGENCY) === 0
    }, { timeoutMs: 60_000, describe: async () => JSON.stringify(versionDrift(source, await platformVersions(world.platform.url, TEST_PLATFORM_TOKEN, world.agency.agencyCode))) + b.output().slice(-1500) })

    const acked = await ledger.ackedVersions(AGENCY, changed)
    t.same(acked.map(v => v?.fingerprint), changed.map(cn => source.get(cn)), 'the ledger acknowledges the newest version of the six: it never went back to the old one')
    const stats = world.platform.stats().totals
    const hubStats = await ledger.stats(AGENCY)
    if (fencing) {
      t.ok(stats.staleRejected >= changed.length, `the platform refused the late old versions as stale (${stats.staleRejected})`)
    } else {
      t.equal(stats.staleRejected, 0, 'the platform fenced nothing')
      t.ok(Number(hubStats.versionRegressions ?? 0) >= 1, `the hub saw that an old version landed after a newer one and re-sent the newest (${hubStats.versionRegressions})`)
    }
    t.equal(stats.rejected, 0, 'nothing was refused as invalid')
    t.equal((await ledger.deadLetters(AGENCY)).length, 0, 'no dead letters: a superseded version is never one')
    for (const hub of [a, b]) hub.child.kill('SIGTERM')
    for (const hub of [a, b]) await hub.exited
  })
}

t.test('a hub restarted with its clock 150 s behind, whose delayed job of an old version fires after it delivered the new one, leaves the new version on the platform', { timeout: 180_000 }, async t => {
  const world = await startWorld(t, 'order-skew', { agency: { records: 200, seed: 62 }, platform: { seed: 4, fencing: false } })
  // A long job lock: the dead hub's job comes back only after the restarted hub has pulled and delivered the new versions.
  const config = world.writeConfig({ push: { batchSize: 20, concurrency: 1, lockDurationMs: 20_000, attempts: 20, backoff: { delayMs: 100, jitter: 0.5 } }, pageSize: 100, logLevel: 'info' })
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  t.teardown(() => { redis.disconnect() })
  const ledger = new Ledger(redis, world.prefix)
  const queue = new Queue<PushJobData>(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(world.prefix) })
  t.teardown(async () => await queue.close())

  // First run, clock right: it dies holding its first batch, before sending it.
  const first = spawnHub(config, { ...world.env, CASEBRIDGE_CRASH_AT: 'push.sending:1' })
  t.teardown(() => { first.child.kill('SIGKILL') })
  t.equal((await first.exited).signal, 'SIGKILL', 'the first run died before its first POST')
  const [job] = await queue.getActive() as Job<PushJobData>[]
  const items = job?.data.items ?? []
  t.equal(items.length, 20, 'its batch (version 1 of 20 cases) waits for its lock to expire')
  const changed = items.slice(0, 6).map(i => i.caseNumber)
  for (const cn of changed) await amend(world, cn)

  // Second run, clock 150 s behind: it pulls and delivers version 2 of six of them first.
  const second = spawnHub(config, world.env, { clockSkewMs: -150_000 })
  t.teardown(() => { second.child.kill('SIGKILL') })
  await second.started
  const key = deliveryKey(AGENCY, items, job?.data.resend)
  await waitFor('the old batch to be delivered after the new versions', async () => {
    const acked = await ledger.ackedVersions(AGENCY, changed)
    return keyRequests(world, key) >= 1 && changed.every((_, i) => acked[i] !== undefined && acked[i]?.fingerprint !== items[i]?.fingerprint)
  }, { timeoutMs: 90_000, describe: () => second.output().slice(-2000) })
  const firstOld = world.platform.requests().findIndex(r => r.idempotencyKey === key)
  t.ok(firstOld >= 0, 'the old batch went out')

  const source = await sourceVersions(world.agency.url, DEMO_MAPPING)
  await waitFor('the platform to hold the newest version of every case', async () => {
    const drift = versionDrift(source, await platformVersions(world.platform.url, TEST_PLATFORM_TOKEN, world.agency.agencyCode))
    return drift.notNewest.length === 0 && drift.extra.length === 0 && await ledger.pendingCount(AGENCY) === 0
  }, { timeoutMs: 60_000, describe: async () => JSON.stringify(versionDrift(source, await platformVersions(world.platform.url, TEST_PLATFORM_TOKEN, world.agency.agencyCode))) })
  const acked = await ledger.ackedVersions(AGENCY, changed)
  t.same(acked.map(v => v?.fingerprint), changed.map(cn => source.get(cn)), 'the ledger acknowledges version 2 of the six, whatever the clocks said')
  t.ok(Number((await ledger.stats(AGENCY)).versionRegressions ?? 0) >= 1, 'the late old batch was seen as older by its sequence, and version 2 re-sent')
  second.child.kill('SIGTERM')
  t.equal((await second.exited).code, 0, 'the second run stops cleanly')
})

t.test('a batch whose hub died after the platform answered is re-sent whole under the same idempotency key, even when one of its cases changed meanwhile', { timeout: 120_000 }, async t => {
  const world = await startWorld(t, 'order-immutable', { agency: { records: 100, seed: 63 }, platform: { seed: 5 } })
  const config = world.writeConfig({ push: { batchSize: 20, concurrency: 1, lockDurationMs: 1500, attempts: 20, backoff: { delayMs: 100, jitter: 0.5 } }, pageSize: 100, logLevel: 'info' })
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  t.teardown(() => { redis.disconnect() })
  const ledger = new Ledger(redis, world.prefix)
  const queue = new Queue<PushJobData>(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(world.prefix) })
  t.teardown(async () => await queue.close())

  const first = spawnHub(config, { ...world.env, CASEBRIDGE_CRASH_AT: 'push.answered:1' })
  t.teardown(() => { first.child.kill('SIGKILL') })
  t.equal((await first.exited).signal, 'SIGKILL', 'the hub died right after the platform answered its first batch')
  const [job] = await queue.getActive() as Job<PushJobData>[]
  const items = job?.data.items ?? []
  const key = deliveryKey(AGENCY, items, job?.data.resend)
  t.equal(keyRequests(world, key), 1, 'that batch reached the platform once')
  await amend(world, items[0]?.caseNumber as string)

  const second = spawnHub(config, world.env)
  t.teardown(() => { second.child.kill('SIGKILL') })
  const source = await sourceVersions(world.agency.url, DEMO_MAPPING)
  await waitFor('the platform to hold the newest version of every case', async () => {
    const drift = versionDrift(source, await platformVersions(world.platform.url, TEST_PLATFORM_TOKEN, world.agency.agencyCode))
    return drift.notNewest.length === 0 && keyRequests(world, key) >= 2 && await ledger.pendingCount(AGENCY) === 0
  }, { timeoutMs: 60_000, describe: () => second.output().slice(-2000) })
  const totals = world.platform.stats().totals
  t.equal(keyRequests(world, key), 2, 'the stalled batch was re-sent once, under its own key')
  t.ok(totals.duplicatesSuppressed >= items.length, `the platform recognised the whole batch as a repeat (${totals.duplicatesSuppressed})`)
  // The re-sent batch carries the changed case's old version; the platform replayed its answer
  // and stored nothing, but the hub cannot know that: it re-sends the newest version once more.
  const regressions = Number((await ledger.stats(AGENCY)).versionRegressions ?? 0)
  t.ok(totals.unchanged <= 1 && totals.unchanged <= regressions, `no case of the batch re-sent under a new idempotency key but by a deliberate newest-version re-send of the changed one (${totals.unchanged} unchanged, ${regressions} re-sends)`)
  t.equal(totals.applied, source.size + 1, 'each version written once: every case, plus the new version of the changed one')
  second.child.kill('SIGTERM')
  await second.exited
})

t.test('a hub paused in the middle of a pull, past its pull lock, neither numbers nor enqueues the old page it read once woken', { timeout: 120_000 }, async t => {
  const world = await startWorld(t, 'order-pull-pause', { agency: { records: 300, seed: 64 }, platform: { seed: 6, fencing: false } })
  const config = world.writeConfig({ push: { batchSize: 20, concurrency: 1, lockDurationMs: 1500, attempts: 20, backoff: { delayMs: 100, jitter: 0.5 } }, pageSize: 100, logLevel: 'info' })
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  t.teardown(() => { redis.disconnect() })
  const ledger = new Ledger(redis, world.prefix)
  // The first page the hub reads: the 100 oldest, as the agency lists them.
  const firstPage = await (await fetch(`${world.agency.url}/api/cases?pageSize=100`)).json() as { data: { list: { AJBH: string }[] } }
  const changed = firstPage.data.list[0]?.AJBH as string

  const a = spawnHub(config, { ...world.env, CASEBRIDGE_PAUSE_AT: 'pull.mapped:1' })
  t.teardown(() => { a.child.kill('SIGCONT'); a.child.kill('SIGKILL') })
  await waitFor('hub A to stop with its first page mapped, nothing enqueued', () => processState(a.child.pid as number) === 'T', { timeoutMs: 30_000, intervalMs: 20 })
  await amend(world, changed)
  const b = spawnHub(config, world.env)
  t.teardown(() => { b.child.kill('SIGKILL') })
  const source = await sourceVersions(world.agency.url, DEMO_MAPPING)
  await waitFor('hub B to deliver every case in its newest version', async () => {
    const drift = versionDrift(source, await platformVersions(world.platform.url, TEST_PLATFORM_TOKEN, world.agency.agencyCode))
    return drift.notNewest.length === 0 && drift.extra.length === 0 && await ledger.pendingCount(AGENCY) === 0
  }, { timeoutMs: 60_000, describe: () => b.output().slice(-2000) })

  a.child.kill('SIGCONT')
  await waitFor('hub A to find its pull lock gone', () => a.output().includes('CB_ERR_PULL_LEASE_LOST'), { timeoutMs: 30_000, describe: () => a.output().slice(-2000) })
  t.pass('hub A refused to number the page it read before hub B read newer versions')
  t.equal((await ledger.seenVersions(AGENCY, [changed]))[0]?.fingerprint, source.get(changed), 'the ledger keeps the newer version as the one last enqueued')
  for (const hub of [a, b]) hub.child.kill('SIGTERM')
  for (const hub of [a, b]) await hub.exited
  const drift = versionDrift(source, await platformVersions(world.platform.url, TEST_PLATFORM_TOKEN, world.agency.agencyCode))
  t.same(drift, { notNewest: [], extra: [] }, 'the platform still holds the newest version of every case')
  t.equal(world.platform.stats().totals.reapplied, 0, 'no version was written twice: the old page never went out')
})
