import t, { type Test } from 'tap'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { queuePrefix } from '../../src/redis/queue-prefix.js'
import { Ledger } from '../../src/ledger/ledger.js'
import type { QuarantineEntry } from '../../src/ledger/entries.js'
import { pushQueueName, type PushJobData } from '../../src/delivery/push-job.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import { mapRecords } from '../../src/pipeline/map-records.js'
import { reprocessQuarantine } from '../../src/sync/reprocess-quarantine.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'

const AGENCY = 'test-agency'
const CODE = '11320322014165834G'
const mappingText = (version: string, filed: string, extra = ''): string => `version: "${version}"\nagency: ${AGENCY}\ncaseNumberField: ${version === '3' ? 'BH' : 'AJBH'}\n${extra}` +
  `constants:\n  /schemaVersion: 1\n  /agency: { code: "${CODE}", name: 测试局 }\n  /classification: { field: other, procedure: summary, cause: 测试 }\n  /regionCode: "320322"\n  /status: filed\n  /transfer: { suspectedCrime: false }\n  /penalties: []\n` +
  `fields:\n  /caseNumber: { from: AJBH, required: true }\n  /parties:\n    each: .\n    fields:\n      /kind: { const: person }\n      /name: { from: XM, required: true }\n      /idNumber: { from: SFZ, text: [upper], required: true }\n  /dates/filed: { from: LASJ, date: ${filed}, required: true }\n`

interface Setup { redis: Redis; ledger: Ledger; queue: Queue<PushJobData> }

async function setup (t: Test): Promise<Setup> {
  const prefix = testPrefix(t, 'reprocess')
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })
  t.teardown(() => { redis.disconnect() })
  const queue = new Queue<PushJobData>(pushQueueName('platform'), { connection: redis, prefix: queuePrefix(prefix) })
  t.teardown(async () => await queue.close())
  return { redis, ledger: new Ledger(redis, prefix), queue }
}

const records = [
  { AJBH: 'A-1', XM: '张三', SFZ: '32032219921105101x', LASJ: '2024-01-31' },
  { AJBH: 'A-2', XM: '李四', SFZ: '320322198503172011', LASJ: '2024-02-01' },
  { AJBH: 'A-3', XM: '', SFZ: '320322198503172011', LASJ: '2024-02-02' },
  { AJBH: 'TEST-4', XM: '王五', SFZ: '320322198503172011', LASJ: '2024-02-03' },
]

/** Quarantine `records` as a pull with mapping version 1 (dates written yyyyMMdd, which they are not) would. */
async function quarantineWithV1 (s: Setup): Promise<QuarantineEntry[]> {
  const v1 = compileMapping(mappingText('1', 'yyyyMMdd'), '/virtual/v1.yaml')
  const page = mapRecords(AGENCY, v1, records)
  const unreadable: QuarantineEntry = { agencyId: AGENCY, recordKey: '#unreadable-1', caseNumber: undefined, stage: 'parse', problems: [{ canonicalField: '', rule: 'parse', message: 'x.csv, line 9: bad row' }], mappingVersion: '1', quarantinedAt: new Date(0).toISOString(), raw: {}, origin: { file: 'x.csv', line: 9 } }
  const quarantined = [...page.quarantined, unreadable]
  await s.ledger.commitPage(AGENCY, { seen: [], quarantined, released: [], cursor: null, counts: {} })
  return quarantined
}

t.test('a fixed mapping releases what is valid now, enqueues it once, and keeps the rest with today\'s problems', async t => {
  const s = await setup(t)
  const before = await quarantineWithV1(s)
  t.equal(before.length, 5, 'every record failed version 1, and one unreadable row')
  const v2 = compileMapping(mappingText('2', 'yyyy-MM-dd', 'skip:\n  testRecord: { field: AJBH, startsWith: TEST- }\n'), '/virtual/v2.yaml')
  const summary = await reprocessQuarantine({ agencyId: AGENCY, targetId: 'platform', ledger: s.ledger, queue: s.queue, batchSize: 100, mapping: v2 })
  t.strictSame(summary, { examined: 4, released: 2, enqueued: 2, stillInvalid: 1, skipped: 1, unmappable: 1, mappingVersion: '2' })

  const jobs = await s.queue.getJobs(['waiting', 'delayed', 'prioritized'])
  t.same(jobs.flatMap(j => j.data.items.map(i => i.caseNumber)).sort(), ['A-1', 'A-2'], 'the valid cases are queued for delivery')
  const a1 = jobs.flatMap(j => j.data.items).find(i => i.caseNumber === 'A-1')?.case.parties[0]
  t.equal(a1?.kind === 'person' ? a1.idNumber : undefined, '32032219921105101X', 'mapped by the new version')
  const seen = await s.ledger.seenVersions(AGENCY, ['A-1', 'A-2'])
  t.same(seen.map(v => v?.mappingVersion), ['2', '2'], 'the ledger records the version that produced them')

  const after = await s.ledger.quarantine(AGENCY)
  t.same(after.map(q => q.recordKey).sort(), ['#unreadable-1', 'A-3'], 'the still invalid record and the unreadable row stay; the skipped one left')
  const a3 = after.find(q => q.recordKey === 'A-3')!
  t.equal(a3.mappingVersion, '2')
  t.same(a3.problems.map(p => [p.sourceField, p.canonicalField, p.rule]), [['XM', '/parties/0/name', 'required']], 'its problems are what version 2 finds')
  t.equal(a3.quarantinedAt, before.find(q => q.recordKey === 'A-3')!.quarantinedAt, 'it keeps the time it first came')
  t.strictSame(after.find(q => q.recordKey === '#unreadable-1'), JSON.parse(JSON.stringify(before.find(q => q.recordKey === '#unreadable-1'))), 'the unreadable row is untouched')
  const stats = await s.ledger.counters(AGENCY)
  t.same(stats.skippedByRule, { testRecord: 1 }, 'the skip is counted under its rule')

  const again = await reprocessQuarantine({ agencyId: AGENCY, targetId: 'platform', ledger: s.ledger, queue: s.queue, batchSize: 100, mapping: v2 })
  t.equal(again.enqueued, 0, 'running it again enqueues nothing new')
  t.equal(again.examined, 1)
})

t.test('a record quarantined without a case number leaves its old key when the fix finds the number', async t => {
  const s = await setup(t)
  const v3 = compileMapping(mappingText('3', 'yyyy-MM-dd'), '/virtual/v3.yaml') // caseNumberField BH: no number found
  const page = mapRecords(AGENCY, v3, [{ AJBH: 'B-1', XM: '', SFZ: '320322198503172011', LASJ: '2024-01-31' }])
  await s.ledger.commitPage(AGENCY, { seen: [], quarantined: page.quarantined, released: [], cursor: null, counts: {} })
  t.match((await s.ledger.quarantine(AGENCY))[0]?.recordKey, /^#record-/, 'keyed by content while it has no case number')
  const fixed = compileMapping(mappingText('4', 'yyyy-MM-dd'), '/virtual/v4.yaml')
  await reprocessQuarantine({ agencyId: AGENCY, targetId: 'platform', ledger: s.ledger, queue: s.queue, batchSize: 100, mapping: fixed })
  t.same((await s.ledger.quarantine(AGENCY)).map(q => q.recordKey), ['B-1'], 'one entry, under its case number now, not two')
})

t.test('re-processing waits for a running pull of the agency, and gives up with a typed error', async t => {
  const s = await setup(t)
  await quarantineWithV1(s)
  const v2 = compileMapping(mappingText('2', 'yyyy-MM-dd'), '/virtual/v2.yaml')
  let release = (): void => {}
  const held = new Promise<void>(resolve => { release = resolve })
  let acquired = (): void => {}
  const isHeld = new Promise<void>(resolve => { acquired = resolve })
  const pull = s.ledger.withPullLock(AGENCY, 10_000, async () => { acquired(); await held })
  await isHeld
  await t.rejects(reprocessQuarantine({ agencyId: AGENCY, targetId: 'platform', ledger: s.ledger, queue: s.queue, batchSize: 100, mapping: v2, lockWaitMs: 600 }), { code: 'CB_ERR_REPROCESS_BUSY', family: 'retriable' })
  const waiting = reprocessQuarantine({ agencyId: AGENCY, targetId: 'platform', ledger: s.ledger, queue: s.queue, batchSize: 100, mapping: v2 })
  release()
  await pull
  t.equal((await waiting).released, 3, 'it runs once the pull is done')
})
