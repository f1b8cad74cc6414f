/**
 * A page of thousands of records appends tens of thousands of trace events in one MULTI: the
 * append goes in calls of a thousand events (one call with every argument overflowed the
 * stack: the 10,000-record leak corpus could not be pulled), and the chains run on across the
 * calls — several events of one case falling in different calls included — and verify.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { appendPreparedIn, prepareTrace, traceCommands } from '../../src/trace/trace-append.js'
import { TraceStore } from '../../src/trace/trace-store.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'

t.test('3,600 events of 1,200 cases in one MULTI: every chain whole and verifying', async t => {
  const prefix = testPrefix(t, 'trace-large-append')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  traceCommands(redis)
  const store = new TraceStore(redis, prefix)
  const keys = store.keysOf('large')
  const cases = Array.from({ length: 1200 }, (_, i) => `L-${i}`)
  // seen, mapped, enqueued per case, in the order a page commit writes them: a case's three events straddle call boundaries.
  const events = cases.flatMap(caseNumber => (['seen', 'mapped', 'enqueued'] as const).map(kind => ({ caseNumber, kind, details: { n: caseNumber } })))
  const prepared = await prepareTrace(redis, keys, events)
  const tx = redis.multi()
  appendPreparedIn(tx, keys, prepared)
  const replies = await tx.exec()
  t.equal(replies?.length, 4, 'four script calls of at most 1,000 events each, in one MULTI')
  t.ok(replies?.every(([err]) => err === null), 'none failed')
  for (const cn of ['L-0', 'L-333', 'L-666', 'L-1199']) t.same((await store.events('large', cn)).map(e => [e.seq, e.kind]), [[1, 'seen'], [2, 'mapped'], [3, 'enqueued']], `${cn}: its three events, numbered in order`)
  const verified = await store.verify('large')
  t.same([verified.cases, verified.events, verified.breaks], [1200, 3600, []], 'every chain verifies')
})
