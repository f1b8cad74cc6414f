/**
 * A drop folder whose processed/ cannot be written to: the files are ingested, but cannot
 * be moved out of the inbox. The agency must not stop there — later files are read — and
 * the operator must see why (status, alarm) until the folder is fixed.
 */
import t from 'tap'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import type { Expected } from '../../fixtures/agencies/sample-kit.js'
import { startWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'urban-management-peixian'
const FIXTURE = join(projectRoot, 'fixtures', 'agencies', 'urban-management')

t.test('files ingested but impossible to move to processed/ neither stop the agency nor pass silently: later files are read, status and a source_problem alarm name the folder and the error, and both clear once the folder is fixed', async t => {
  const world = await startWorld(t, 'stuck-drop', { agency: { records: 0 } })
  const files = tempDir(t)
  const folder = join(files.dir, 'drop')
  mkdirSync(folder)
  // processed/ lives on another file system (tmpfs): no file can be moved into it (EXDEV), as with a folder the login may not write.
  const elsewhere = mkdtempSync('/dev/shm/cb-processed-')
  t.teardown(() => { rmSync(elsewhere, { recursive: true, force: true }) })
  t.not(statSync(elsewhere).dev, statSync(folder).dev, 'precondition: /dev/shm is another file system than the drop folder')
  symlinkSync(elsewhere, join(folder, 'processed'))

  const exp = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected
  const VIEWER = 'viewer-token-of-this-test'
  const config = JSON.parse(readFileSync(world.writeConfig({ admin: { tokens: [{ id: 'viewer-1', role: 'viewer', sha256: hashToken(VIEWER) }] } }), 'utf8')) as { agencies: Array<Record<string, unknown>> }
  config.agencies = [{ ...config.agencies[0], id: AGENCY, mapping: join(projectRoot, exp.mapping), source: { kind: 'dir-drop', directory: folder, completion: 'marker' } }]
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())

  copyFileSync(join(FIXTURE, exp.sample), join(folder, 'cg-1.csv'))
  writeFileSync(join(folder, 'cg-1.csv.ok'), '')
  await hub.pullNow(AGENCY)
  await waitFor('the first file delivered', () => world.platform.stats().totals.stored === exp.summary.valid, { describe: () => JSON.stringify(world.platform.stats().totals) })
  t.ok(readdirSync(folder).includes('cg-1.csv'), 'the file is still in the inbox: it could not be moved')

  const problems = await hub.ledger.sourceProblems(AGENCY)
  t.equal(problems.length, 1, 'the source reports one problem')
  t.match(problems[0]?.message, /cannot be moved to .*processed/, 'naming the folder')
  t.match(problems[0]?.message, /EXDEV/, 'and the system\'s error')
  const res = await fetch(`${hub.adminUrl}/api/agencies`, { headers: { authorization: `Bearer ${VIEWER}` } })
  t.equal(res.status, 200, 'GET /api/agencies answers')
  const status = await res.json() as { agencies: { id: string; sourceProblems: { code: string }[] }[] }
  t.same(status.agencies.find(a => a.id === AGENCY)?.sourceProblems.map(p => p.code), ['CB_ERR_FILES_NOT_MOVED'], 'GET /api/agencies shows it')
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'source_problem')
  t.equal(alarm?.state, 'open', 'a source_problem alarm is open')
  t.match(String(alarm?.detail?.message), /processed/, 'its detail says where')

  // A second file: read although the first is still stuck; the first is not read again.
  const pulledBefore = (await hub.ledger.counters(AGENCY)).pulled
  const lines = readFileSync(join(FIXTURE, exp.sample))
  const firstRows = lines.subarray(0, lines.indexOf(0x0a, lines.indexOf(0x0a, lines.indexOf(0x0a) + 1) + 1) + 1) // header and two rows
  writeFileSync(join(folder, 'cg-2.csv'), firstRows)
  writeFileSync(join(folder, 'cg-2.csv.ok'), '')
  await hub.pullNow(AGENCY)
  t.equal((await hub.ledger.counters(AGENCY)).pulled - pulledBefore, 2, 'the next pull reads the new file\'s two rows, and nothing of the stuck one')

  // The folder is fixed: the next pull moves both, the problem and the alarm clear.
  unlinkSync(join(folder, 'processed'))
  mkdirSync(join(folder, 'processed'))
  await hub.pullNow(AGENCY)
  t.same(readdirSync(join(folder, 'processed')).sort(), ['cg-1.csv', 'cg-1.csv.ok', 'cg-2.csv', 'cg-2.csv.ok'], 'both files are in processed/')
  t.same(await hub.ledger.sourceProblems(AGENCY), [], 'no problem left')
  t.equal((await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'source_problem')?.state, 'resolved', 'the alarm resolved')
  t.equal(world.platform.stats().totals.applied, exp.summary.valid, 'every case written once')

  // A file drop has no listing: reconciliation learns the agency code from what the platform acknowledged.
  const result = await hub.reconcileNow(AGENCY)
  t.equal(result.source, 'not-listed', 'the source offers no full listing')
  t.not(result.target, 'not-compared', `the platform side is compared all the same (${result.target})`)
  t.equal(result.counts.target, exp.summary.valid, 'every delivered case is found there')
})
