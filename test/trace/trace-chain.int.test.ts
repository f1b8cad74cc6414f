/**
 * The trace chain in Redis: SM3 computed in Lua equals Node's, appends from two clients
 * at once keep one chain, a hand-edited event is named by verification, and retention
 * frees the events it drops while the rest still verify.
 */
import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { SM3_LUA } from '../../src/trace/sm3-lua.js'
import { appendPreparedIn, appendTraceIn, prepareTrace, traceCommands } from '../../src/trace/trace-append.js'
import { TraceStore } from '../../src/trace/trace-store.js'
import { TracePruner } from '../../src/trace/trace-pruner.js'
import { silentLogger } from '../../src/logging/logger.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'

const AGENCY = 'trace-agency'

t.test('SM3 in Redis Lua equals Node crypto on the GB/T 32905 vector and on random inputs of every padding length', async t => {
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const lua = `${SM3_LUA} local out = {} for i = 1, #ARGV do out[i] = sm3hex(ARGV[i]) end return out`
  t.equal((await redis.eval(lua, 0, 'abc') as string[])[0], '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0', 'the standard\'s "abc" vector')
  const inputs = Array.from({ length: 200 }, (_, i) => randomBytes(i).toString(i % 2 === 0 ? 'hex' : 'latin1'))
  inputs.push('案件编号 行政处罚 ✓', '')
  const fromLua = await redis.eval(lua, 0, ...inputs.map(s => Buffer.from(s))) as string[]
  const wrong = inputs.filter((s, i) => fromLua[i] !== createHash('sm3').update(Buffer.from(s)).digest('hex'))
  t.equal(wrong.length, 0, `all ${inputs.length} inputs hash alike`)
})

t.test('appends from two clients at once form one chain per case, and verification passes', async t => {
  const prefix = testPrefix(t, 'trace-chain')
  const a = new Redis(TEST_REDIS_URL)
  const b = new Redis(TEST_REDIS_URL)
  t.teardown(() => { a.disconnect(); b.disconnect() })
  traceCommands(a)
  traceCommands(b)
  const store = new TraceStore(a, prefix)
  const keys = store.keysOf(AGENCY)
  const write = async (client: Redis, n: number, kind: 'attempt' | 'seen'): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const tx = client.multi()
      appendTraceIn(tx, keys, [{ caseNumber: 'C-1', kind, details: { i, who: kind } }, { caseNumber: 'C-2', kind, details: { i } }])
      await tx.exec()
    }
  }
  await Promise.all([write(a, 50, 'seen'), write(b, 50, 'attempt')])
  const events = await store.events(AGENCY, 'C-1')
  t.equal(events.length, 100, 'every append kept')
  t.same(events.map(e => e.seq), Array.from({ length: 100 }, (_, i) => i + 1), 'numbered 1..100 without gap or repeat')
  t.equal(events[0]?.alg, 'sm3', 'the algorithm is named in the event')
  const result = await store.verify(AGENCY)
  t.same(result, { cases: 2, events: 200, breaks: [] }, 'both chains verify')
})

t.test('events hashed in Node on the heads read before the MULTI: taken as they are, and hashed again in Lua where another append came in between', async t => {
  const prefix = testPrefix(t, 'trace-prepared')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  traceCommands(redis)
  const store = new TraceStore(redis, prefix)
  const keys = store.keysOf(AGENCY)
  const event = (i: number) => ({ caseNumber: 'P-1', kind: 'attempt' as const, details: { i } })
  const first = await prepareTrace(redis, keys, [event(1), event(2)])
  let tx = redis.multi()
  appendPreparedIn(tx, keys, first)
  await tx.exec()
  const written = await store.events(AGENCY, 'P-1')
  t.same(written.map(e => e.hash), [first.args[6], first.args[13]], 'the hashes computed in Node are the ones stored')
  // Prepared on the heads as they are now, but another process appends before this MULTI runs.
  const late = await prepareTrace(redis, keys, [event(4)])
  tx = redis.multi()
  appendTraceIn(tx, keys, [event(3)])
  await tx.exec()
  tx = redis.multi()
  appendPreparedIn(tx, keys, late)
  await tx.exec()
  const all = await store.events(AGENCY, 'P-1')
  t.same(all.map(e => [e.seq, e.i]), [[1, 1], [2, 2], [3, 3], [4, 4]], 'numbered in the order they were written')
  t.not(all[3]?.hash, late.args[6], 'the event prepared on a head that moved was hashed again')
  t.same((await store.verify(AGENCY)).breaks, [], 'and the chain holds')
})

t.test('an event changed by hand in Redis is named by verification (case and seq)', async t => {
  const prefix = testPrefix(t, 'trace-tamper')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  traceCommands(redis)
  const store = new TraceStore(redis, prefix)
  const keys = store.keysOf(AGENCY)
  const tx = redis.multi()
  for (let i = 0; i < 5; i++) appendTraceIn(tx, keys, [{ caseNumber: 'T-1', kind: 'attempt', details: { outcome: 'none' } }, { caseNumber: 'T-2', kind: 'attempt', details: { outcome: 'none' } }])
  await tx.exec()
  t.same((await store.verify(AGENCY)).breaks, [], 'intact before')
  const third = await redis.lindex(keys.events('T-2'), 2) as string
  await redis.lset(keys.events('T-2'), 2, third.replace('"outcome":"none"', '"outcome":"accepted"'))
  t.same((await store.verify(AGENCY)).breaks, [{ caseNumber: 'T-2', seq: 3, problem: 'hash' }], 'the changed event is named')
  await redis.lset(keys.events('T-2'), 2, third)
  await redis.lrem(keys.events('T-1'), 1, await redis.lindex(keys.events('T-1'), 1) as string)
  t.same((await store.verify(AGENCY)).breaks, [{ caseNumber: 'T-1', seq: 2, problem: 'sequence' }], 'a removed event is named where the gap is')
  await redis.rpop(keys.events('T-2'))
  t.same((await store.verify(AGENCY)).breaks.find(b => b.caseNumber === 'T-2'), { caseNumber: 'T-2', seq: 5, problem: 'head' }, 'events cut off the end show against the head')
})

t.test('retention drops events past the limits, frees their memory, and the kept events still verify on the anchor', async t => {
  const prefix = testPrefix(t, 'trace-retention')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  traceCommands(redis)
  const store = new TraceStore(redis, prefix)
  const keys = store.keysOf(AGENCY)
  const cases = Array.from({ length: 250 }, (_, i) => `R-${i}`)
  for (let round = 0; round < 40; round++) {
    const tx = redis.multi()
    appendTraceIn(tx, keys, cases.map(caseNumber => ({ caseNumber, kind: 'attempt', details: { outcome: 'maybe', code: 'CB_ERR_REMOTE_UNAVAILABLE', round } })))
    await tx.exec()
  }
  const usage = async (): Promise<number> => {
    let sum = 0
    for (const cn of cases) sum += Number(await redis.memory('USAGE', keys.events(cn)) ?? 0)
    return sum
  }
  const before = await usage()
  const lastToGo = (JSON.parse(await redis.lindex(keys.events('R-7'), 34) as string) as { hash: string }).hash
  let cursor = '0'
  let pruned = 0
  let passes = 0
  for (;;) {
    const pass = await store.prune(AGENCY, { retentionDays: 30, maxEventsPerCase: 5 }, cursor, 60)
    pruned += pass.pruned
    passes++
    cursor = pass.cursor
    if (pass.done) break
  }
  const after = await usage()
  t.equal(pruned, 250 * 35, 'every event past the newest 5 of each case dropped')
  t.ok(passes > 1, `the pass went in steps (${passes})`)
  t.ok(after < before / 4, `memory of the trace lists freed: ${before} → ${after} bytes`)
  t.same(await store.anchorOf(AGENCY, 'R-7'), { seq: 35, hash: lastToGo }, 'the last pruned event is kept as the anchor')
  t.same((await store.verify(AGENCY)).breaks, [], 'the kept events verify on their anchors')
  const old = await store.prune(AGENCY, { retentionDays: 0, maxEventsPerCase: 5 }, '0', 10_000, Date.now() + 1000)
  t.equal(old.pruned, 250 * 5, 'events older than the retention days go too')
  t.equal(await redis.exists(keys.events('R-7')), 0, 'an emptied list is gone')
  t.same((await store.verify(AGENCY)).breaks, [], 'a fully pruned chain still verifies against its head')
  const tx = redis.multi()
  appendTraceIn(tx, keys, [{ caseNumber: 'R-7', kind: 'replayed' }])
  await tx.exec()
  t.equal((await store.events(AGENCY, 'R-7'))[0]?.seq, 41, 'a later event continues the chain')
  t.same((await store.verify(AGENCY)).breaks, [], 'and verifies')
})

t.test('the scheduled pruner takes every case of every agency in steps, and stops when asked', async t => {
  const prefix = testPrefix(t, 'trace-pruner')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  traceCommands(redis)
  const store = new TraceStore(redis, prefix)
  for (const agency of ['prune-a', 'prune-b']) {
    const keys = store.keysOf(agency)
    for (let round = 0; round < 3; round++) {
      const tx = redis.multi()
      appendTraceIn(tx, keys, Array.from({ length: 1200 }, (_, i) => ({ caseNumber: `C-${i}`, kind: 'attempt' as const, details: { round } })))
      await tx.exec()
    }
  }
  const digests: { agency: string; cases: number; digest: string }[] = []
  const pruner = new TracePruner(store, ['prune-a', 'prune-b'], { retentionDays: 30, maxEventsPerCase: 1 }, 3_600_000, silentLogger(), async (agency, d) => { digests.push({ agency, ...d }) })
  await pruner.pass()
  await pruner.pass()
  t.same(digests.map(d => [d.agency, d.cases]), [['prune-a', 1200], ['prune-b', 1200]], 'the day\'s anchor digest, once per agency however many passes')
  t.equal(digests[0]?.digest, (await store.digest('prune-a')).digest, 'the digest is that of the chain heads')
  const tx = redis.multi()
  appendTraceIn(tx, store.keysOf('prune-a'), [{ caseNumber: 'C-5', kind: 'replayed' }])
  await tx.exec()
  t.not((await store.digest('prune-a')).digest, digests[0]?.digest, 'a new event changes it')
  for (const agency of ['prune-a', 'prune-b']) {
    const lengths = await Promise.all(['C-0', 'C-600', 'C-1199'].map(async cn => await redis.llen(store.keysOf(agency).events(cn))))
    t.same(lengths, [1, 1, 1], `${agency}: each case down to its newest event, the last case of the last step too`)
    t.same((await store.verify(agency)).breaks, [], `${agency}: still verifies`)
  }
  pruner.start()
  await pruner.stop()
  t.pass('a started pruner stops')
})
