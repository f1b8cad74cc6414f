/**
 * Version sequences after Redis lost writes. A failover to a replica that had not yet
 * received the newest writes, or a restore from an older backup, takes the agency's
 * sequence counter back with the rest. The versions numbered in the lost span are still
 * on the platform, which fences by sequence: the next versions must be numbered above
 * them, or the platform refuses every newer version of those cases as stale for good.
 * (Found by the Sentinel forced-loss test: 8 of 25 repairs answered "stale".)
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { Ledger } from '../../src/ledger/ledger.js'
import { agencyKeys } from '../../src/ledger/keys.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'

const AGENCY = 'sequence-agency'
const version = (caseNumber: string, fp: string): { caseNumber: string; fingerprint: string; lease: string } => ({ caseNumber, fingerprint: fp, lease: `job-${caseNumber}-${fp}` })

t.test('after the counter went back (writes lost), new versions are still numbered above every version numbered before the loss', async t => {
  const prefix = testPrefix(t, 'version-seq')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, prefix)
  const counter = agencyKeys(prefix, AGENCY).versionSeq

  const before = await ledger.allocateVersions(AGENCY, [version('A-1', 'a1'), version('A-2', 'a2')])
  t.ok((before[1] as number) > (before[0] as number), `numbered in order (${before.join(', ')})`)
  const saved = await redis.get(counter)
  // The span that will be lost: 300 versions, the last of A-1 among them.
  const lost = await ledger.allocateVersions(AGENCY, Array.from({ length: 300 }, (_, i) => version(i === 299 ? 'A-1' : `B-${i}`, `b${i}`)))
  const lostMax = Math.max(...lost)
  // The loss: the counter is what the promoted replica (or the backup) had.
  await redis.set(counter, saved ?? '0')

  const after = await ledger.allocateVersions(AGENCY, [version('A-1', 'a1-amended')])
  t.ok((after[0] as number) > lostMax, `the amendment of A-1 after the loss (${after[0]}) is newer than its version numbered in the lost span (${lostMax})`)
  t.equal(Number(await redis.get(counter)), after[0], 'the counter holds the last sequence handed out')

  const next = await ledger.allocateVersions(AGENCY, [version('A-2', 'a2-b'), version('A-3', 'a3')])
  t.ok((next[0] as number) > (after[0] as number) && next[1] === (next[0] as number) + 1, `later versions are newer, and those of one step are counted one by one (${next.join(', ')})`)
  t.ok(next.every(Number.isSafeInteger), 'sequences stay exact integers')
})

t.test('a sequence given back (a re-send keeps its version\'s number) does not move the counter', async t => {
  const prefix = testPrefix(t, 'version-seq-keep')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, prefix)
  const [first] = await ledger.allocateVersions(AGENCY, [version('C-1', 'c1')])
  const counter = await redis.get(agencyKeys(prefix, AGENCY).versionSeq)
  t.same(await ledger.allocateVersions(AGENCY, [{ ...version('C-1', 'c1'), sequence: first as number }]), [first], 'the given sequence is kept')
  t.equal(await redis.get(agencyKeys(prefix, AGENCY).versionSeq), counter, 'and the counter is untouched')
})
