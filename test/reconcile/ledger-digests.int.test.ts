import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { Ledger } from '../../src/ledger/ledger.js'
import { caseDigest, LeafDigests, leafIndex, LEAF_COUNT } from '../../src/ledger/bucket-digest.js'
import { fingerprint } from '../../src/contracts/fingerprint.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/index.js'
import { validCases } from '../simulators/fixtures/canonical-cases.js'
import { testPrefix, TEST_REDIS_URL } from '../helpers/redis.js'

const AGENCY = 'digest-agency'

async function setup (t: Test): Promise<{ redis: Redis; ledger: Ledger; view: ReturnType<Ledger['reconcileView']> }> {
  const prefix = testPrefix(t, 'digests')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const ledger = new Ledger(redis, prefix)
  return { redis, ledger, view: ledger.reconcileView(AGENCY) }
}

const version = (fp: string, firstSeenMs: number) => ({ fingerprint: fp, mappingVersion: 'v1', firstSeenMs, sequence: 0 })

t.test('the digests kept in Redis by the ledger scripts equal the definition computed in JavaScript', async t => {
  const { ledger, view } = await setup(t)
  const final = new Map<string, string>()
  const numbers = Array.from({ length: 400 }, (_, i) => `案-${i}-${(i * 7919) % 1000}`)
  await ledger.commitPage(AGENCY, { seen: numbers.map(cn => ({ caseNumber: cn, version: version(`fp-${cn}-1`, 1) })), quarantined: [], released: [], cursor: null, counts: {} })
  await ledger.acknowledge(AGENCY, numbers.map(cn => ({ caseNumber: cn, fingerprint: `fp-${cn}-1`, ackedAtMs: 10 })))
  for (const cn of numbers) final.set(cn, `fp-${cn}-1`)
  // New versions for a third, re-acknowledgements of the same version for another third.
  const changed = numbers.filter((_, i) => i % 3 === 0)
  await ledger.acknowledge(AGENCY, changed.map(cn => ({ caseNumber: cn, fingerprint: `fp-${cn}-2`, ackedAtMs: 20 })))
  for (const cn of changed) final.set(cn, `fp-${cn}-2`)
  const repeated = numbers.filter((_, i) => i % 3 === 1)
  await ledger.acknowledge(AGENCY, repeated.map(cn => ({ caseNumber: cn, fingerprint: `fp-${cn}-1`, ackedAtMs: 30 })))

  const expected = new LeafDigests()
  for (const [cn, fp] of final) expected.add(leafIndex(cn), 1, caseDigest(cn, fp))
  const actual = await view.leafDigests()
  let differing = 0
  for (let leaf = 0; leaf < LEAF_COUNT; leaf++) if (expected.counts[leaf] !== actual.counts[leaf] || expected.sums[leaf] !== actual.sums[leaf]) differing++
  t.equal(differing, 0, 'every leaf count and sum matches')
  t.equal(actual.total(), 400, 'one count per case, however often acknowledged')
  t.same(await view.knownCount(), 400, 'every case is in the bucket index')
  const members = (await view.members('')).map(([, cn]) => cn).sort()
  t.same(members, [...numbers].sort(), 'listable by bucket prefix')
})

t.test('pending keeps the oldest unacknowledged change of a case until the version last enqueued is acknowledged', async t => {
  const { ledger } = await setup(t)
  const commit = async (cn: string, fp: string, at: number): Promise<void> => await ledger.commitPage(AGENCY, { seen: [{ caseNumber: cn, version: version(fp, at) }], quarantined: [], released: [], cursor: null, counts: {} })
  await commit('A', 'a1', 100)
  await commit('A', 'a2', 200)
  t.equal(await ledger.pendingSince(AGENCY), 100, 'a second change before the first was acknowledged keeps the first time')
  await ledger.acknowledge(AGENCY, [{ caseNumber: 'A', fingerprint: 'a1', ackedAtMs: 300 }])
  t.equal(await ledger.pendingCount(AGENCY), 1, 'acknowledging the older version leaves the newer pending')
  await ledger.acknowledge(AGENCY, [{ caseNumber: 'A', fingerprint: 'a2', ackedAtMs: 400 }])
  t.equal(await ledger.pendingCount(AGENCY), 0, 'acknowledging the version last enqueued settles it')
  // A push may complete before its page is committed.
  await ledger.acknowledge(AGENCY, [{ caseNumber: 'B', fingerprint: 'b1', ackedAtMs: 500 }])
  await commit('B', 'b1', 450)
  t.equal(await ledger.pendingCount(AGENCY), 0, 'a version acknowledged before its page commit is not pending')
  await ledger.recordResent(AGENCY, [{ caseNumber: 'B', version: version('b1', 600) }])
  t.equal(await ledger.pendingCount(AGENCY), 1, 'a repair keeps even an acknowledged version pending until acknowledged again')
})

t.test('the first acknowledgement of a decided version is kept for the late-entry rule', async t => {
  const { ledger, view } = await setup(t)
  await ledger.acknowledge(AGENCY, [{ caseNumber: 'D', fingerprint: 'd0', ackedAtMs: 50 }])
  await ledger.acknowledge(AGENCY, [{ caseNumber: 'D', fingerprint: 'd1', ackedAtMs: 100, decidedAt: '2024-01-01T00:00:00+08:00' }])
  await ledger.acknowledge(AGENCY, [{ caseNumber: 'D', fingerprint: 'd2', ackedAtMs: 900, decidedAt: '2024-01-02T00:00:00+08:00' }])
  const seen: [string, string, number][] = []
  let lastId = '0-0'
  for await (const chunk of view.decisionLog('0-0')) { seen.push(...chunk.entries); lastId = chunk.lastId }
  t.same(seen, [['D', '2024-01-01T00:00:00+08:00', 100]], 'one entry: the first decided version, never overwritten')
  const later: unknown[] = []
  for await (const chunk of view.decisionLog(lastId)) later.push(...chunk.entries)
  t.same(later, [], 'reading on after it finds nothing')
  await ledger.acknowledge(AGENCY, [{ caseNumber: 'E', fingerprint: 'e1', ackedAtMs: 10, decidedAt: '2024-01-03T00:00:00+08:00' }])
  const next: unknown[] = []
  for await (const chunk of view.decisionLog(lastId)) next.push(...chunk.entries)
  t.same(next, [['E', '2024-01-03T00:00:00+08:00', 10]], 'a later write is read on from there, however early its acknowledgement time')
  await view.trimDecisionLog(lastId)
  const kept: unknown[] = []
  for await (const chunk of view.decisionLog('0-0')) kept.push(...chunk.entries.map(e => e[0]))
  t.same(kept, ['E'], 'trimming drops the judged entries only')
})

t.test('the platform simulator computes the same digests as the ledger for the same cases', async t => {
  const { ledger, view } = await setup(t)
  const platform = await startPlatformSimulator({ port: 0, tokens: ['tok'] })
  t.teardown(() => platform.close())
  const cases = validCases(300, DEMO_AGENCY_CODE)
  const res = await fetch(`${platform.url}/api/v1/cases/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer tok', 'idempotency-key': 'k1' }, body: JSON.stringify({ cases }) })
  t.equal(res.status, 200, 'the platform stored the cases')
  await ledger.acknowledge(AGENCY, cases.map(c => ({ caseNumber: c.caseNumber, fingerprint: fingerprint(c), ackedAtMs: 1 })))
  const mine = await view.leafDigests()
  const get = async (query: string): Promise<{ status: number; body: { buckets?: { bucket: string; count: number; sum: string }[]; items?: { caseNumber: string; fingerprint: string }[]; nextPageToken?: string | null } }> => {
    const r = await fetch(`${platform.url}/api/v1/cases/${query}`, { headers: { authorization: 'Bearer tok' } })
    return { status: r.status, body: await r.json() as never }
  }
  for (const depth of [1, 2, 4]) {
    const { body } = await get(`digests?agencyCode=${DEMO_AGENCY_CODE}&depth=${depth}&prefixes=`)
    const theirs = new Map((body.buckets ?? []).map(b => [b.bucket, b]))
    let differing = 0
    for (let i = 0; i < 16 ** depth; i++) {
      const bucket = i.toString(16).padStart(depth, '0')
      const m = mine.bucket(bucket)
      const o = theirs.get(bucket)
      if (m.count !== (o?.count ?? 0) || (m.count > 0 && m.sum !== Number.parseInt(o?.sum ?? '', 16))) differing++
    }
    t.equal(differing, 0, `every bucket of depth ${depth} agrees`)
  }
  const deep = await get(`digests?agencyCode=${DEMO_AGENCY_CODE}&depth=6&prefixes=${(await view.members(''))[0]?.[0].toString(16).padStart(4, '0')}`)
  t.equal(deep.status, 200, 'digests deeper than a leaf are answered too')

  // The bucket listing pages through exactly the cases of the buckets asked for.
  const prefixes = ['0', '5', 'a']
  const listed: string[] = []
  let token: string | null | undefined = null
  do {
    const page = await get(`fingerprints?agencyCode=${DEMO_AGENCY_CODE}&prefixes=${prefixes.join(',')}&pageSize=7${token === null || token === undefined ? '' : `&pageToken=${token}`}`)
    listed.push(...(page.body.items ?? []).map(i => i.caseNumber))
    token = page.body.nextPageToken
  } while (token !== null && token !== undefined)
  const expected = cases.filter(c => prefixes.some(p => leafIndex(c.caseNumber).toString(16).padStart(4, '0').startsWith(p))).map(c => c.caseNumber).sort()
  t.same([...listed].sort(), expected, 'each case of those buckets once')
  t.equal(new Set(listed).size, listed.length, 'no case twice across pages')

  t.equal((await get(`digests?agencyCode=${DEMO_AGENCY_CODE}&depth=2&prefixes=zz`)).status, 400, 'a prefix that is not hex is refused')
  t.equal((await get(`digests?agencyCode=${DEMO_AGENCY_CODE}&depth=2&prefixes=abc`)).status, 400, 'a prefix not shorter than the depth is refused')
  t.equal((await get(`digests?agencyCode=${DEMO_AGENCY_CODE}&depth=8&prefixes=`)).status, 400, 'more than 65,536 buckets in one request are refused')
})
