/**
 * The feedback puller's cursor rule on a real Redis and BullMQ queue, with a listing of the
 * test's own: the cursor moves only once a page's decisions are pending and enqueued; a page
 * read again enqueues nothing twice; a written decision is not enqueued again; decisions for
 * no agency with a writer are counted and passed over.
 */
import t from 'tap'
import { Queue } from 'bullmq'
import type { FeedbackDecision, FeedbackPage, TargetFeedback } from '../../src/contracts/feedback.js'
import { FeedbackStore } from '../../src/feedback/feedback-store.js'
import { FEEDBACK_QUEUE, type FeedbackJobData } from '../../src/feedback/feedback-job.js'
import { pullFeedback } from '../../src/feedback/feedback-puller.js'
import { silentLogger } from '../../src/logging/logger.js'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { LOCAL_REDIS, testPrefix } from '../helpers/redis.js'

const decisions: FeedbackDecision[] = Array.from({ length: 7 }, (_, i) => ({
  id: `d-${i + 1}`, agencyCode: i === 5 ? 'UNKNOWNCODE0000000' : i % 2 === 0 ? 'CODEA0000000000000' : 'CODEB0000000000000', caseNumber: `case-${i + 1}`, decision: 'accepted', decidedAt: '2026-12-01T00:00:00.000Z',
}))

/** The decisions after a numeric cursor, like the platform simulator; `failAt` makes the n-th call fail. */
function listing (opts: { failAt?: number } = {}): TargetFeedback & { calls: number } {
  const self = {
    calls: 0,
    async list (after: string | null, limit: number): Promise<FeedbackPage> {
      self.calls++
      if (self.calls === opts.failAt) throw new Error('listing failed')
      const from = after === null ? 0 : Number(after)
      const items = decisions.slice(from, from + limit)
      return { items, next: items.length === 0 ? null : String(from + items.length) }
    },
  }
  return self
}

t.test('the feedback cursor moves only after a page is pending and enqueued, and a replayed page enqueues nothing twice', async t => {
  const prefix = testPrefix(t, 'feedback-puller')
  const redis = LOCAL_REDIS.connect({ maxRetriesPerRequest: null })
  t.teardown(() => { redis.disconnect() })
  const store = new FeedbackStore(redis, prefix)
  const queue = new Queue<FeedbackJobData>(FEEDBACK_QUEUE, { connection: redis, prefix: queuePrefix(prefix, redis) })
  t.teardown(async () => { await queue.close() })
  const agencies = [
    { id: 'agency-a', targetId: 'platform', agencyCode: async () => 'CODEA0000000000000' },
    { id: 'agency-b', targetId: 'platform', agencyCode: async () => 'CODEB0000000000000' },
  ]
  const ctx = { targetId: 'platform', agencies, store, queue, pageSize: 3, logger: silentLogger() }

  // The second page's read fails: the first page's decisions are in, the cursor after it.
  await t.rejects(pullFeedback({ ...ctx, feedback: listing({ failAt: 2 }) }, new AbortController().signal), /listing failed/)
  t.equal(await store.cursor('platform'), '3', 'the cursor stands after the page that was enqueued, not after the one that failed')
  t.equal(await queue.count(), 3, 'the first page is in the queue')

  // One of them is written meanwhile; then the whole listing is read again from the start (a cursor lost).
  await store.recordWritten('agency-a', decisions[0] as FeedbackDecision, new Date().toISOString())
  await redis.del(store.targetKeys('platform').cursor)
  const summary = await pullFeedback({ ...ctx, feedback: listing() }, new AbortController().signal)
  t.match(summary, { listed: 7, unrouted: 1, enqueued: 5 }, 'every decision read; the written one and the one for an unknown agency code not enqueued')
  t.equal(await store.cursor('platform'), '7', 'the cursor at the end of the listing')
  const jobs = await queue.getJobs(['waiting', 'delayed', 'active'])
  t.same(jobs.map(j => j.data.decision.id).sort(), ['d-1', 'd-2', 'd-3', 'd-4', 'd-5', 'd-7'].sort(), 'one job per decision: the replayed page added none (d-1, written, keeps its first job)')
  t.same(jobs.filter(j => j.data.decision.id !== 'd-1').map(j => j.data.agencyId).sort(), ['agency-a', 'agency-a', 'agency-b', 'agency-b', 'agency-a'].sort(), 'each routed by its agency code')
  t.match(await store.counts('agency-a'), { pending: 3, written: 1 }, 'the pending of agency a: d-3, d-5, d-7 (d-1 written)')
  t.match(await store.counts('agency-b'), { pending: 2, written: 0 }, 'agency b: d-2, d-4')
  t.equal(await redis.hget(store.targetKeys('platform').stats, 'unrouted'), '1', 'the unrouted decision is counted')

  const again = await pullFeedback({ ...ctx, feedback: listing() }, new AbortController().signal)
  t.match(again, { pages: 0, listed: 0 }, 'nothing new after the end')
})
