/**
 * Retention frees Redis's memory, measured the way an operator would: `used_memory` of
 * INFO memory on a Redis of this test's own (nothing else writes to it, so the difference is
 * the trace's), before and after pruning 2,000 cases' traces down to 5 events each — and the
 * kept events still verify on their anchors.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { appendPreparedIn, prepareTrace, traceCommands } from '../../src/trace/trace-append.js'
import { TraceStore } from '../../src/trace/trace-store.js'
import { startOwnRedis } from '../helpers/redis-server.js'

const AGENCY = 'retention-agency'
const CASES = 2000
const ROUNDS = 30
const KEEP = 5

async function usedMemory (redis: Redis): Promise<number> {
  const info = await redis.info('memory')
  const line = info.split('\r\n').find(l => l.startsWith('used_memory:'))
  return Number(line?.slice('used_memory:'.length))
}

t.test('pruning traces to 5 events per case gives back most of their used_memory, and what is kept verifies', async t => {
  const own = await startOwnRedis(t, ['--appendonly', 'no'])
  const redis = new Redis(own.url)
  t.teardown(() => redis.disconnect())
  traceCommands(redis)
  const store = new TraceStore(redis, 'retention')
  const keys = store.keysOf(AGENCY)
  const cases = Array.from({ length: CASES }, (_, i) => `M-${String(i).padStart(5, '0')}`)
  const empty = await usedMemory(redis)
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < CASES; i += 500) {
      // Hashed in Node, as the ledger appends (the Lua fallback would take minutes here).
      const prepared = await prepareTrace(redis, keys, cases.slice(i, i + 500).map(caseNumber => ({ caseNumber, kind: 'attempt' as const, details: { outcome: 'maybe', code: 'CB_ERR_REMOTE_UNAVAILABLE', round } })))
      const tx = redis.multi()
      appendPreparedIn(tx, keys, prepared)
      await tx.exec()
    }
  }
  const full = await usedMemory(redis)
  let cursor = '0'
  let pruned = 0
  for (;;) {
    const pass = await store.prune(AGENCY, { retentionDays: 365, maxEventsPerCase: KEEP }, cursor, 200)
    pruned += pass.pruned
    cursor = pass.cursor
    if (pass.done) break
  }
  const after = await usedMemory(redis)
  t.equal(pruned, CASES * (ROUNDS - KEEP), 'every event past the newest 5 of each case was pruned')
  const traced = full - empty
  const freed = full - after
  t.ok(traced > CASES * ROUNDS * 100, `the traces took memory (${traced} bytes for ${CASES * ROUNDS} events)`)
  // 25 of 30 events per case went; the heads, anchors and 5 events per case stay.
  t.ok(freed > traced * 0.6, `used_memory fell by ${freed} of the ${traced} bytes the traces took (${full} → ${after})`)
  t.same((await store.verify(AGENCY)).breaks, [], 'the kept events verify on their anchors')
})
