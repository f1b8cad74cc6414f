import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { memoryAdapterState } from '../../src/ledger/adapter-state.js'
import { silentLogger } from '../../src/logging/logger.js'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import { IngestedContent } from '../../adapters/file-ingest/ingested-content.js'
import { dirDropSource } from '../../adapters/dir-drop-source.js'
import { tempDir } from '../helpers/temp-files.js'

const DAY = 86_400_000
const START = Date.parse('2024-03-01T10:00:00Z')

t.test('content hashes are kept for the retention period, then forgotten with their size counts and day buckets', async t => {
  const state = memoryAdapterState()
  let now = START
  const content = new IngestedContent(state, 30, () => now)
  await content.remember('a'.repeat(64), 100, 'a.csv')
  await content.remember('b'.repeat(64), 100, 'b.csv') // same size, other content
  now += 10 * DAY
  await content.remember('c'.repeat(64), 200, 'c.csv')
  t.equal(await content.prune(), 0, 'nothing is older than 30 days yet')
  t.ok(await content.ingestedAs('a'.repeat(64)), 'remembered')

  now = START + 31 * DAY
  t.equal(await content.prune(), 2, 'the two files of the first day are forgotten')
  t.equal(await content.ingestedAs('a'.repeat(64)), undefined)
  t.equal(await content.ingestedAs('b'.repeat(64)), undefined)
  t.equal(await content.sizeSeen(100), false, 'their size count went to zero and is gone')
  t.ok(await content.ingestedAs('c'.repeat(64)), 'a file of a later day is still known')
  t.equal(await content.sizeSeen(200), true)
  t.equal(await content.prune(), 0, 'pruning again does nothing')

  now = START + 365 * DAY
  t.equal(await content.prune(), 1, 'a hub stopped for months catches up in one call')
  t.same([...state.entries.keys()].sort(), ['oldest-day'], 'nothing of the forgotten files is left')
})

t.test('a content ingested again after it expired is kept under its new day, and a size shared by two files survives one of them', async t => {
  const state = memoryAdapterState()
  let now = START
  const content = new IngestedContent(state, 30, () => now)
  await content.remember('a'.repeat(64), 100, 'a.csv')
  now += 20 * DAY
  await content.remember('b'.repeat(64), 100, 'b.csv')
  now = START + 31 * DAY
  await content.remember('a'.repeat(64), 100, 'a-again.csv') // same bytes, dropped again after expiry
  t.equal(await content.prune(), 1, 'the first day is pruned')
  t.match(await content.ingestedAs('a'.repeat(64)), { file: 'a-again.csv' }, 'the newer memory of the same content stays')
  t.equal(await content.sizeSeen(100), true, 'two remembered files still have that size')
  now = START + 51 * DAY
  t.equal(await content.prune(), 1)
  t.equal(await content.sizeSeen(100), true, 'one left')
  now = START + 62 * DAY
  t.equal(await content.prune(), 1)
  t.equal(await content.sizeSeen(100), false)
})

t.test('the stable-completion poll record holds only the names of the latest listing', async t => {
  const drop = tempDir(t)
  const state = memoryAdapterState()
  const context: AdapterContext = { logger: silentLogger(), name: 'x', input: () => ({ encoding: 'utf-8' }), state }
  const source: SourceAdapter = dirDropSource.create({ kind: 'dir-drop', directory: drop.dir, completion: 'stable' }, context)
  t.teardown(async () => await source.close())
  const pull = async (): Promise<void> => { for await (const _ of source.pull(null, new AbortController().signal)) { /* drain */ } }
  writeFileSync(join(drop.dir, 'a.csv'), 'AJBH\n1\n')
  writeFileSync(join(drop.dir, 'b.csv'), 'AJBH\n2\n')
  await pull()
  t.same(Object.keys(JSON.parse(state.entries.get('previous-poll') ?? '{}') as object).sort(), ['a.csv', 'b.csv'])
  await pull() // both taken and moved to processed/
  await pull()
  t.same(JSON.parse(state.entries.get('previous-poll') ?? '{}'), {}, 'files no longer listed leave nothing behind')
  t.equal([...state.entries.keys()].filter(k => k.startsWith('content:')).length, 2, 'their content hashes are kept (retention)')
})
