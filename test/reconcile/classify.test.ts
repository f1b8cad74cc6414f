import t from 'tap'
import { judgeCase, type CaseFacts, type JudgeContext } from '../../src/reconcile/classify.js'

const OLD = 1_000
const NOW = 10_000
const ctx: JudgeContext = { sourceListed: true, targetCompared: true, cutoffMs: 5_000, caughtUp: true }
const seen = (fingerprint: string, firstSeenMs = OLD, earlier: string[] = []) => ({ fingerprint, mappingVersion: 'v1', firstSeenMs, sequence: 1, earlier: earlier.map(fp => fp.slice(0, 16)) })
const acked = (fingerprint: string, ackedAtMs = OLD) => ({ fingerprint, ackedAtMs, sequence: 1 })
const at = (fingerprint: string | null, updatedMs = OLD) => ({ fingerprint, updatedMs })
const held = (fingerprint: string, storedMs = OLD) => ({ fingerprint, storedMs })

const cases: [string, CaseFacts, string[], Partial<JudgeContext>?][] = [
  ['three sides agree: nothing', { source: at('A'), seen: seen('A'), acked: acked('A'), target: held('A') }, []],
  ['delivered, then gone from the platform: missing', { source: at('A'), seen: seen('A'), acked: acked('A') }, ['missing_in_target']],
  ['never pulled and not on the platform: missing', { source: at('A') }, ['missing_in_target']],
  ['never pulled, but the platform holds exactly it: nothing (the ledger lost track)', { source: at('A'), target: held('A') }, []],
  ['changed at the source without a new pull: changed', { source: at('B'), seen: seen('A'), acked: acked('A'), target: held('A') }, ['source_changed_unsynced']],
  ['changed at the source and gone from the platform: changed (one kind per case; its repair re-sends the new version)', { source: at('B'), seen: seen('A'), acked: acked('A') }, ['source_changed_unsynced']],
  ['the platform holds a version nobody sent: differs', { source: at('A'), seen: seen('A'), acked: acked('A'), target: held('X') }, ['target_differs']],
  ['the platform holds the version enqueued, not yet acknowledged: nothing', { source: at('B'), seen: seen('B'), acked: acked('A'), target: held('B') }, []],
  ['the newest version not acknowledged yet, the platform holds the acknowledged one: left to the stale rule', { source: at('B'), seen: seen('B', OLD, ['A']), acked: acked('A'), target: held('A') }, []],
  ['the newest version acknowledged, the platform holds one the hub sent earlier: regressed', { source: at('B'), seen: seen('B', OLD, ['A']), acked: acked('B'), target: held('A') }, ['target_regressed']],
  ['an older version sent before the acknowledged one landed while a newer is pending: regressed', { source: at('C'), seen: seen('C', OLD, ['B', 'A']), acked: acked('B'), target: held('A') }, ['target_regressed']],
  ['the newest version acknowledged, the platform holds one nobody sent: differs, not regressed', { source: at('B'), seen: seen('B', OLD, ['A']), acked: acked('B'), target: held('X') }, ['target_differs']],
  ['the ledger acknowledges a version the source does not have any more: changed, whatever the platform holds', { source: at('C'), seen: seen('B', OLD, ['A']), acked: acked('B'), target: held('A') }, ['source_changed_unsynced']],
  ['without a source listing, the platform holds an earlier version: regressed', { seen: seen('B', OLD, ['A']), acked: acked('B'), target: held('A') }, ['target_regressed'], { sourceListed: false }],
  ['enqueued, not yet delivered anywhere: left to the stale rule', { source: at('B'), seen: seen('B') }, []],
  ['only on the platform: orphan', { target: held('A') }, ['orphan_in_target']],
  ['known to the ledger, gone from the source: deleted', { seen: seen('A'), acked: acked('A'), target: held('A') }, ['source_deleted']],
  ['invalid at the source now: quarantine reports it', { source: at(null), seen: seen('A'), acked: acked('A') }, []],
  ['updated at the source within the minimum age: not judged', { source: at('B', 6_000), seen: seen('A'), acked: acked('A') }, []],
  ['stored on the platform within the minimum age: not judged', { source: at('A'), seen: seen('A'), acked: acked('A'), target: held('X', NOW) }, []],
  ['acknowledged within the minimum age: not judged', { source: at('A'), seen: seen('A'), acked: acked('A', NOW) }, []],
  ['unknown to a ledger that has never caught up: not judged', { source: at('A') }, [], { caughtUp: false }],
  ['without a source listing, delivered and gone: missing', { seen: seen('A'), acked: acked('A') }, ['missing_in_target'], { sourceListed: false }],
  ['without a source listing, unknown on the platform: orphan', { target: held('A') }, ['orphan_in_target'], { sourceListed: false }],
  ['without a source listing, a foreign version: differs', { seen: seen('A'), acked: acked('A'), target: held('X') }, ['target_differs'], { sourceListed: false }],
  ['platform not compared: only the source side is judged', { source: at('B'), seen: seen('A'), acked: acked('A') }, ['source_changed_unsynced'], { targetCompared: false }],
]

for (const [name, facts, expected, override] of cases) {
  t.test(name, async t => {
    t.same([...judgeCase(facts, { ...ctx, ...override }).kinds], expected)
  })
}

t.test('a case changed within the minimum age is reported as too young', async t => {
  t.equal(judgeCase({ source: at('A', 9_000) }, ctx).young, true)
  t.equal(judgeCase({ source: at('A') }, ctx).young, false)
})
