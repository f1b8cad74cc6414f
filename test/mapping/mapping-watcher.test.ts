import t, { type Test } from 'tap'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLogger, silentLogger } from '../../src/logging/logger.js'
import { MappingWatcher, type MappingLoadedEvent, type MappingRefusedEvent } from '../../src/mapping/mapping-watcher.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'

const AGENCY = 'market-regulation-peixian'
const ORIGINAL = readFileSync(DEMO_MAPPING, 'utf8')
const version = (v: string): string => ORIGINAL.replace('version: "2024.1"', `version: "${v}"`)

async function open (t: Test, text = ORIGINAL): Promise<{ watcher: MappingWatcher; file: string; dir: string; loaded: MappingLoadedEvent[]; refused: MappingRefusedEvent[] }> {
  const files = tempDir(t)
  const file = files.write('market.yaml', text)
  const watcher = await MappingWatcher.open({ agencyId: AGENCY, file, logger: silentLogger() })
  t.teardown(async () => await watcher.stop())
  const loaded: MappingLoadedEvent[] = []
  const refused: MappingRefusedEvent[] = []
  watcher.onLoaded(e => { loaded.push(e) })
  watcher.onRefused(e => { refused.push(e) })
  return { watcher, file, dir: files.dir, loaded, refused }
}

t.test('an edit is loaded once two checks in a row see it', async t => {
  const w = await open(t)
  t.equal(await w.watcher.check(), 'unchanged')
  writeFileSync(w.file, version('2024.2'))
  t.equal(await w.watcher.check(), 'unchanged', 'first sight: still settling')
  t.equal(w.watcher.current().version, '2024.1')
  t.equal(await w.watcher.check(), 'loaded')
  t.equal(w.watcher.current().version, '2024.2')
  t.same(w.loaded.map(e => [e.previous.version, e.mapping.version]), [['2024.1', '2024.2']])
  t.equal(await w.watcher.check(), 'unchanged', 'nothing more to do')
})

t.test('a file missing or half-written for a moment is not refused', async t => {
  const w = await open(t)
  rmSync(w.file)
  t.equal(await w.watcher.check(), 'unchanged', 'missing: settling')
  writeFileSync(w.file, ORIGINAL)
  t.equal(await w.watcher.check(), 'unchanged', 'back as it was')
  writeFileSync(w.file, ORIGINAL.slice(0, 900))
  t.equal(await w.watcher.check(), 'unchanged', 'half-written: settling')
  writeFileSync(w.file, version('2024.3'))
  t.equal(await w.watcher.check(), 'unchanged', 'written in full: settling again')
  t.equal(await w.watcher.check(), 'loaded')
  t.equal(w.refused.length, 0, 'nothing was refused')
  t.equal(w.watcher.current().version, '2024.3')
})

t.test('a broken edit is refused once, the previous version stays, and a later fix loads', async t => {
  const w = await open(t)
  writeFileSync(w.file, ORIGINAL.replace('date: yyyyMMdd, required: true }\n  /dates/decided', 'date: yyyy-MM-dd-x, required: true }\n  /dates/decided'))
  await w.watcher.check()
  t.equal(await w.watcher.check(), 'refused')
  t.match(w.refused[0]?.message, new RegExp(`^${w.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: unknown date format "yyyy-MM-dd-x"`))
  t.equal(w.refused[0]?.active.version, '2024.1')
  t.equal(w.watcher.current().version, '2024.1')
  t.equal(await w.watcher.check(), 'unchanged', 'the same broken content is not refused again')
  t.equal(w.refused.length, 1)
  writeFileSync(w.file, version('2024.4'))
  await w.watcher.check()
  t.equal(await w.watcher.check(), 'loaded')
})

t.test('a file that names another agency is refused at agency:', async t => {
  const w = await open(t)
  writeFileSync(w.file, ORIGINAL.replace(`agency: ${AGENCY}`, 'agency: someone-else'))
  await w.watcher.check()
  t.equal(await w.watcher.check(), 'refused')
  t.match(w.refused[0]?.message, /:\d+:9: this mapping is for agency "someone-else", but the hub configuration uses it for agency "market-regulation-peixian"$/)
})

t.test('a shared table the edit names but that does not exist yet is watched, and loads once created', async t => {
  const w = await open(t)
  writeFileSync(w.file, ORIGINAL.replace('  yesNo:\n    codes: { "0": false, "1": true }\n    unknown: reject\n', '  yesNo: { file: yes-no.yaml }\n'))
  await w.watcher.check()
  t.equal(await w.watcher.check(), 'refused')
  t.match(w.refused[0]?.message, /cannot read the shared table file yes-no\.yaml in the mappings folder \(ENOENT\)/)
  t.ok(w.watcher.files().includes(join(w.dir, 'yes-no.yaml')), 'the missing table is watched')
  writeFileSync(join(w.dir, 'yes-no.yaml'), 'codes: { "0": false, "1": true }\nunknown: reject\n')
  await w.watcher.check()
  t.equal(await w.watcher.check(), 'loaded', 'creating the table is enough')
})

t.test('a hub does not start with a mapping that does not compile', async t => {
  const files = tempDir(t)
  const file = files.write('bad.yaml', ORIGINAL.replace('version: "2024.1"', 'version: 2024.1'))
  await t.rejects(MappingWatcher.open({ agencyId: AGENCY, file, logger: silentLogger() }), { code: 'CB_ERR_MAPPING_FILE', message: /:\d+:10: "version" must be text, found a number; put it in quotes$/ })
})

t.test('a refused edit is logged as an error naming the file, the line and column, and the version that stays', async t => {
  const lines: string[] = []
  const logger = createLogger({ level: 'info' }, new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } }))
  const files = tempDir(t)
  const file = files.write('market.yaml', ORIGINAL)
  const watcher = await MappingWatcher.open({ agencyId: AGENCY, file, logger })
  t.teardown(async () => await watcher.stop())
  writeFileSync(file, ORIGINAL.replace('version: "2024.1"', 'version: "2024.9"\nfields_typo: {}'))
  await watcher.check()
  t.equal(await watcher.check(), 'refused')
  const entry = lines.map(l => JSON.parse(l) as { level: number; msg: string; file?: string; version?: string }).find(l => l.msg.startsWith('mapping edit refused'))
  t.ok(entry, 'the refusal is in the log')
  t.equal(entry?.level, 50, 'at error level')
  t.equal(entry?.file, file, 'naming the file')
  t.equal(entry?.version, '2024.1', 'and the version that stays active')
  t.match(entry?.msg, /:\d+:\d+: /, 'with line and column')
})
