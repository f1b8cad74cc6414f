/**
 * Completeness (信息不全), measured end to end: the ten-column county export dropped into a
 * folder is delivered — every case with its identity — and its gaps are counted per field.
 * The API, `casebridge completeness` (table and --json) and /metrics agree with each other
 * and with a count made here from the export; the incomplete_records alarm opens while the
 * decision date is missing in more cases than allowed and resolves once the agency fills it
 * in; the fields its system does not have (absent:) are reported as such and never alarm.
 */
import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'
import { runCli } from '../helpers/run-cli.js'

const AGENCY = 'county-ten-column'
const FIXTURE = join(projectRoot, 'fixtures', 'agencies', 'county-ten-column')
const TOKEN = 'viewer-token-completeness-1'

interface Field { field: string; missingInRecords: number; missingByDesign: boolean; note?: string; ratio: number | null }
interface Answer { agency: string; cases: number; fields: Field[] }

t.test('completeness is counted per field, agrees in API, CLI and metrics, and alarms below its minimum', async t => {
  const world = await startWorld(t, 'completeness', { agency: { records: 0 } })
  const files = tempDir(t)
  const folder = join(files.dir, 'drop')
  mkdirSync(folder)
  // The fixture's seven rows and an eighth: a complete row whose cause (an expected field) is empty.
  const fixture = readFileSync(join(FIXTURE, 'sample.csv'), 'utf8')
  const first = fixture.split('\n')[1]!
  const sample = fixture + first.replace('县市监罚〔2026〕1号', '县市监罚〔2026〕8号').replace(',销售过期食品,', ',,') + '\n'
  writeFileSync(join(folder, 'export-1.csv'), sample)
  writeFileSync(join(folder, 'export-1.csv.ok'), '')
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as Record<string, unknown> & { agencies: Array<Record<string, unknown>>; admin: Record<string, unknown> }
  const mappingText = readFileSync(join(FIXTURE, 'mapping.yaml'), 'utf8')
  const mappingFile = files.write('county.yaml', mappingText)
  config.agencies = [{ ...config.agencies[0], id: AGENCY, mapping: mappingFile, source: { kind: 'dir-drop', directory: folder, completion: 'marker' } }]
  config.admin = { ...config.admin, tokens: [{ id: 'viewer-1', role: 'viewer', sha256: hashToken(TOKEN) }] }
  config.alarms = { completeness: { '/dates/decided': 0.95, '/dates/filed': 0.95, '/classification/cause': 0.5 } }
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  await hub.pullNow(AGENCY)
  await waitFor('the five valid cases on the platform', () => world.platform.stats().totals.stored === 5, { describe: () => JSON.stringify(world.platform.stats().totals) })
  // Identity missing, or a value wrong: quarantined with the field, as before.
  const quarantine = await hub.ledger.quarantine(AGENCY)
  t.same(quarantine.map(q => `${q.caseNumber ?? ''} ${q.problems.map(p => p.canonicalField).join(',')}`).sort(), ['县市监罚〔2026〕4号 /parties/0/name', '县市监罚〔2026〕5号 /dates/decided', '县市监罚〔2026〕6号 /parties/0/idNumber'],
    'the record without a party name, the impossible date and the wrong check digit are quarantined with their field')

  // The count made here: of the export's rows that are valid (5), one (record 7) is decided without its decision date, one (record 8) has no cause.
  const api = async (): Promise<Answer> => await (await fetch(`${hub.adminUrl}/api/agencies/${AGENCY}/completeness`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Answer
  const report = await api()
  t.equal(report.cases, 5, 'five cases')
  const decided = report.fields.find(f => f.field === '/dates/decided')
  t.same(decided, { field: '/dates/decided', missingInRecords: 1, missingByDesign: false, ratio: 0.8 }, 'the decision date (implied by the status): missing in one of five cases')
  const filed = report.fields.find(f => f.field === '/dates/filed')
  t.match(filed, { missingByDesign: true, missingInRecords: 0, note: 'the filing date is not exported', ratio: 0 }, 'the filing date: not in the system, with the mapping\'s note')
  t.match(report.fields.find(f => f.field === '/classification/cause'), { missingInRecords: 1, missingByDesign: false, ratio: 0.8 }, 'the cause (always expected): missing in one case, which was delivered all the same')

  const env = { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKEN }
  const json = await runCli(['completeness', '--agency', AGENCY, '--json'], { env })
  t.equal(json.code, 0, json.stderr)
  t.same(JSON.parse(json.stdout), report, 'casebridge completeness --json: the API\'s numbers')
  const table = await runCli(['completeness', '--agency', AGENCY, '--lang', 'en'], { env })
  t.equal(table.code, 0, table.stderr)
  t.match(table.stdout, new RegExp(`^${AGENCY}: 5 case\\(s\\)`), 'the table names the agency and its cases')
  t.match(table.stdout, /\/dates\/decided\s+80\.0%\s+1\s/, 'and the decision date at 80.0 %, 1 missing')
  t.match(table.stdout, /\/dates\/filed\s+0\.0%\s+not in the agency's system\s+the filing date is not exported/, 'and the filing date as not in the system')

  const metrics = await (await fetch(`${hub.adminUrl}/metrics`)).text()
  const sample1 = (field: string): number | undefined => {
    const line = metrics.split('\n').find(l => l.startsWith(`casebridge_agency_field_completeness_ratio{agency="${AGENCY}",field="${field}"}`))
    return line === undefined ? undefined : Number(line.split(' ').pop())
  }
  t.equal(sample1('/dates/decided'), 0.8, '/metrics: the same ratio')
  t.equal(sample1('/classification/cause'), 0.8, '/metrics: the same ratio for the cause')
  t.equal(sample1('/dates/filed'), 0, '/metrics: 0 for a field the system does not have')

  // The alarm: the decision date is below its 95 %; the filing date (absent by design) is not judged.
  await waitFor('the incomplete_records alarm open', async () => (await hub.alarms.list({ agencyId: AGENCY })).some(a => a.kind === 'incomplete_records' && a.state === 'open'))
  const alarm = (await hub.alarms.list({ agencyId: AGENCY })).find(a => a.kind === 'incomplete_records')
  t.equal(alarm?.count, 1, 'counted in cases lacking the field')
  t.equal(alarm?.detail?.message, '/dates/decided 80.0% < 95%', 'the message names the field, its share and its minimum — not the cause (80 % ≥ its 50 %), nor the field the system lacks')

  // The agency fills the date in: the case changes, its gap goes, the alarm resolves.
  writeFileSync(join(folder, 'export-2.csv'), sample.split('\n').map(l => l.startsWith('县市监罚〔2026〕7号') ? l.replace(',1500.00,,已处罚', ',1500.00,2026-06-01,已处罚') : l).join('\n'))
  writeFileSync(join(folder, 'export-2.csv.ok'), '')
  await hub.pullNow(AGENCY)
  await waitFor('the decision date complete', async () => (await api()).fields.find(f => f.field === '/dates/decided')?.missingInRecords === 0)
  t.equal((await api()).cases, 5, 'still five cases: the amended one counts once')
  await waitFor('the incomplete_records alarm resolved', async () => (await hub.alarms.list({ agencyId: AGENCY })).some(a => a.kind === 'incomplete_records' && a.state === 'resolved'))

  // The administrator takes /dates/filed off absent: (say the vendor promised the column): the
  // ledger kept every gap, so the figures say at once that all five cases lack it — no re-pull.
  writeFileSync(mappingFile, mappingText.replace('version: "2026.1"', 'version: "2026.2"').replace('  /dates/filed: the filing date is not exported\n', ''))
  await waitFor('the edited mapping judged', async () => (await api()).fields.find(f => f.field === '/dates/filed')?.missingByDesign === false, { timeoutMs: 30_000 })
  t.match((await api()).fields.find(f => f.field === '/dates/filed'), { missingInRecords: 5, missingByDesign: false, ratio: 0 }, 'the filing date: now missing in all five records')
  // And the alarm follows the edit at once, without a pull (the hub is not scheduled here; a
  // pull asked for now could also find the lock taken by the re-processing the edit started).
  await waitFor('the alarm open again, for the filing date', async () => (await hub.alarms.list({ agencyId: AGENCY })).some(a => a.kind === 'incomplete_records' && a.state === 'open' && a.detail?.message === '/dates/filed 0.0% < 95%'))
})
