import t from 'tap'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dirDropSource } from '../../adapters/dir-drop-source.js'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import type { SourceAdapter, SourcePage } from '../../src/contracts/source-adapter.js'
import { ConfigError, RemoteRefusedError } from '../../src/errors.js'
import { memoryAdapterState } from '../../src/ledger/adapter-state.js'
import { silentLogger } from '../../src/logging/logger.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { mapPage } from '../../src/pipeline/map-records.js'
import { projectRoot } from '../../src/paths.js'
import { tempDir } from '../helpers/temp-files.js'

const ECOLOGY = join(projectRoot, 'fixtures/exports/ecology-gbk-xml')

async function pullAll (source: SourceAdapter): Promise<SourcePage[]> {
  const pages: SourcePage[] = []
  for await (const page of source.pull(null, new AbortController().signal)) pages.push(page)
  return pages
}

t.test('dir-drop source reads a GBK XML export with the encoding and record path of the agency mapping, and it maps to the expected cases', async t => {
  const drop = tempDir(t)
  const mapping = await loadMapping(join(ECOLOGY, 'mapping.yaml'))
  writeFileSync(join(drop.dir, 'cases.xml'), readFileSync(join(ECOLOGY, 'cases.xml')))
  writeFileSync(join(drop.dir, 'cases.xml.ok'), '')
  const context: AdapterContext = { logger: silentLogger(), name: 'ecology-gbk-xml', input: () => mapping.input, state: memoryAdapterState() }
  const source = dirDropSource.create({ kind: 'dir-drop', directory: drop.dir, completion: 'marker' }, context)
  t.teardown(async () => await source.close())
  const pages = await pullAll(source)
  const records = pages.flatMap(p => [...p.records])
  const origins = pages.flatMap(p => [...(p.origins ?? [])])
  t.same(origins, [{ file: 'cases.xml', line: 4 }, { file: 'cases.xml', line: 22 }], 'each record knows where its element starts')
  const mapped = await mapPage('ecology-gbk-xml', mapping, records, origins)
  t.same(mapped.quarantined, [], 'nothing quarantined')
  t.same([...mapped.valid.values()].map(v => v.case), JSON.parse(readFileSync(join(ECOLOGY, 'expected.json'), 'utf8')))
  t.same(readdirSync(join(drop.dir, 'processed')).sort(), ['cases.xml', 'cases.xml.ok'])
})

t.test('dir-drop source reads an XML entity bomb harmlessly, entities left as text', async t => {
  const drop = tempDir(t)
  writeFileSync(join(drop.dir, 'bomb.xml'), readFileSync(join(projectRoot, 'fixtures/hostile/xml-entity-bomb.xml')))
  writeFileSync(join(drop.dir, 'bomb.xml.ok'), '')
  const context: AdapterContext = { logger: silentLogger(), name: 'hostile', input: () => ({ encoding: 'utf-8', xmlRecordPath: 'cases.case' }), state: memoryAdapterState() }
  const source = dirDropSource.create({ kind: 'dir-drop', directory: drop.dir, completion: 'marker' }, context)
  t.teardown(async () => await source.close())
  const records = (await pullAll(source)).flatMap(p => [...p.records])
  t.same(records.map(r => r.AQZY), ['&g;', 'plain &lt;text&gt;'])
})

t.test('dir-drop source on a missing directory fails as a configuration problem naming the directory', async t => {
  const drop = tempDir(t)
  const missing = join(drop.dir, 'not-mounted')
  const source = dirDropSource.create({ kind: 'dir-drop', directory: missing }, { logger: silentLogger(), name: 'x', input: () => ({ encoding: 'utf-8' }), state: memoryAdapterState() })
  const err = await pullAll(source).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof RemoteRefusedError, `a RemoteRefusedError (${String(err)})`)
  t.match((err as Error).message, missing)
})

t.test('a file source created without the hub\'s adapter state refuses to start', async t => {
  t.throws(() => dirDropSource.create({ kind: 'dir-drop', directory: '/tmp' }, { logger: silentLogger(), name: 'x', input: () => ({ encoding: 'utf-8' }) }), ConfigError)
})
