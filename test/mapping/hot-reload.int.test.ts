import t, { type Test } from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { withoutRoots } from '../../src/admin/machine-paths.js'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import type { MappingStatus } from '../../src/ledger/mapping-state.js'
import type { MappingRefusedEvent } from '../../src/mapping/mapping-watcher.js'
import { uniformCreditCheckChar } from '../../src/schema/check-digits.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { builtInRegistry } from '../../adapters/index.js'
import { DEMO_MAPPING, startWorld, type World } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'
import { latinSentences } from '../helpers/latin-sentences.js'

const AGENCY = 'market-regulation-peixian'
const OTHER = 'market-regulation-other'
const ORIGINAL = readFileSync(DEMO_MAPPING, 'utf8')
const VIEWER_TOKEN = 'reload-viewer-token-3f9a'
/** 1-based line of the demo mapping where `needle` first appears. */
const lineOf = (needle: string): number => ORIGINAL.slice(0, ORIGINAL.indexOf(needle)).split('\n').length

interface Setup { world: World; hub: Hub; file: string; otherFile: string; refused: MappingRefusedEvent[]; expected: number; invalid: Array<{ caseNumber: string; field: string }> }

/** A hub syncing the demo agency from a mapping in a temp folder, and a second agency from its own copy. */
async function setup (t: Test): Promise<Setup> {
  const world = await startWorld(t, 'reload', { agency: { records: 160, seed: 21 } })
  const files = tempDir(t)
  const file = files.write('market.yaml', ORIGINAL)
  const first17 = '11320322014165899'
  const otherFile = files.write('other.yaml', ORIGINAL.replace(`agency: ${AGENCY}`, `agency: ${OTHER}`).replace('"11320322014165834G"', `"${first17}${uniformCreditCheckChar(first17)}"`))
  const config = JSON.parse(readFileSync(world.writeConfig({ schedule: '*/1 * * * * *' }), 'utf8')) as { agencies: Array<Record<string, unknown>>; admin: Record<string, unknown> }
  config.admin.tokens = [{ id: 'viewer-1', role: 'viewer', sha256: hashToken(VIEWER_TOKEN) }]
  const base = config.agencies[0]!
  config.agencies = [{ ...base, mapping: file }, { ...base, id: OTHER, mapping: otherFile }]
  const refused: MappingRefusedEvent[] = []
  const loaded = await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env)
  const hub = await startHub({ config: loaded, registry: builtInRegistry(), logger: silentLogger(), onMappingRefused: e => { refused.push(e) } })
  t.teardown(async () => await hub.close())
  const stats = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number; invalidCases: Array<{ caseNumber: string; field: string }> }
  const expected = 2 * (stats.records - stats.invalidByDesign)
  await waitFor('both agencies synced', () => world.platform.stats().totals.stored === expected, { describe: () => JSON.stringify(world.platform.stats().totals) })
  return { world, hub, file, otherFile, refused, expected, invalid: stats.invalidCases }
}

async function status (hub: Hub, agency = AGENCY): Promise<MappingStatus> {
  return await hub.ledger.mappingStatus(agency)
}

/** New cases at the agency reach the platform: the hub is still syncing. */
async function keepsSyncing (t: Test, s: Setup, what: string): Promise<void> {
  const before = s.world.platform.stats().totals.stored
  const res = await fetch(`${s.world.agency.url}/__sim/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 2 }) })
  t.equal(res.status, 200, 'two cases added at the agency')
  // Both agencies read the same simulator: four more cases on the platform.
  await waitFor(`new cases delivered ${what}`, () => s.world.platform.stats().totals.stored === before + 4, { describe: async () => JSON.stringify(s.world.platform.stats().totals) + JSON.stringify((await s.hub.ledger.quarantine(AGENCY)).map(q => [q.caseNumber, q.mappingVersion, q.problems])) })
  t.pass(`the hub keeps syncing ${what}`)
}

/** Write `text` as the mapping, wait until the hub refused it, and check what it says. */
async function refuse (t: Test, s: Setup, text: string, message: RegExp): Promise<void> {
  const count = s.refused.length
  const written = Date.now()
  writeFileSync(s.file, text)
  const event = await waitFor('the edit to be refused', () => s.refused.length > count && s.refused[s.refused.length - 1], { timeoutMs: 10_000 })
  t.ok(Date.now() - written <= 5000, `refused within 5 s (${Date.now() - written} ms)`)
  t.match(event.message, message, 'the message names file, line and column')
  t.equal(event.active.version, '2024.1', 'the event names the version that stays in use')
  t.equal(s.hub.mappings.get(AGENCY)?.current().version, '2024.1', 'the previous version stays active')
  const recorded = await status(s.hub)
  t.equal(recorded.error, event.message, 'the refusal is recorded for operators')
  t.equal(recorded.version, '2024.1')
  t.equal((await status(s.hub, OTHER)).error, undefined, 'the other agency is unaffected')
  const api = await (await fetch(`${s.hub.adminUrl}/api/agencies`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } })).json() as { agencies: Array<{ id: string; mapping: MappingStatus }> }
  t.equal(api.agencies.find(a => a.id === AGENCY)?.mapping.error, withoutRoots(event.message, [dirname(s.file)]), 'GET /api/agencies shows the refusal, naming the file relative to the mappings folder for a viewer')
  t.equal(api.agencies.find(a => a.id === AGENCY)?.mapping.version, '2024.1', 'and the version in use')
  const alarm = await waitFor('the refusal raised as an alarm', async () => (await s.hub.alarms.list({ agencyId: AGENCY, state: 'open' })).find(a => a.kind === 'mapping_invalid'))
  t.pass('an open mapping_invalid alarm names the agency')
  const reason = (alarm.detail as { reason?: unknown }).reason
  t.ok(typeof reason === 'string' && reason.includes(':') && latinSentences(reason).length === 0, `the alarm words the refusal in the hub's language (zh-CN), beside the English message: ${String(reason)}`)
  await keepsSyncing(t, s, 'after the refused edit')
}

t.test('invalid mapping edits are refused with file, line and column, the old version keeps syncing, and a fix re-processes quarantine', async t => {
  const s = await setup(t)
  const esc = s.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

  await t.test('a YAML syntax error', async t => {
    await refuse(t, s, ORIGINAL.replace('  /caseNumber:                     { from: AJBH, text: [trim], required: true }', '  /caseNumber:                     { from: AJBH, text: [trim], required: true'),
      new RegExp(`^${esc}:\\d+:\\d+: YAML syntax error: `))
  })
  await t.test('an unknown transform', async t => {
    await refuse(t, s, ORIGINAL.replace('/regionCode:                     { from: XZQH, text: [trim, halfwidth]', '/regionCode:                     { from: XZQH, text: [trim, fullwidth]'),
      new RegExp(`^${esc}:${lineOf('/regionCode:')}:\\d+: unknown text transform "fullwidth" \\(allowed: trim, upper, lower, halfwidth, collapseSpaces, removeSpaces\\)$`))
  })
  await t.test('a code table missing a code the mapping uses', async t => {
    await refuse(t, s, ORIGINAL.replace('codes: { "1": person, "2": organisation }', 'codes: { "2": organisation }'),
      new RegExp(`^${esc}:${lineOf('/idNumber:')}:\\d+: code "1" of DSRLX is used here, but table partyKind \\(${esc}:${lineOf('partyKind:') + 1}:\\d+\\) does not have it; add the code to the table or correct the condition$`))
  })

  await t.test('a fixed version loads, and the records it makes valid leave quarantine and reach the platform', async t => {
    const fixable = s.invalid.filter(c => c.field === '/transfer/suspectedCrime')
    t.ok(fixable.length > 0, 'some transferred cases are quarantined, flagged not suspected (a stale SFSXFZ column)')
    const quarantinedBefore = (await s.hub.ledger.quarantine(AGENCY)).length
    const storedBefore = s.world.platform.stats().totals.stored
    const written = Date.now()
    writeFileSync(s.file, ORIGINAL.replace('version: "2024.1"', 'version: "2024.2"')
      .replace('/transfer/suspectedCrime:        { from: SFSXFZ, table: yesNo, required: true }', '/transfer/suspectedCrime:        { required: true, choose: [{ when: { field: AJZT, equals: "50" }, const: true }, { from: SFSXFZ, table: yesNo }] }'))
    await waitFor('version 2024.2 in use', () => s.hub.mappings.get(AGENCY)?.current().version === '2024.2', { timeoutMs: 10_000 })
    t.ok(Date.now() - written <= 5000, `loaded within 5 s (${Date.now() - written} ms)`)
    const recorded = await waitFor('the status to show the new version', async () => { const st = await status(s.hub); return st.version === '2024.2' ? st : undefined })
    t.equal(recorded.error, undefined, 'the refusal is cleared')
    await waitFor('the alarm resolved', async () => !(await s.hub.alarms.list({ agencyId: AGENCY, state: 'open' })).some(a => a.kind === 'mapping_invalid'))
    t.pass('the mapping_invalid alarm is resolved by the good version')
    await waitFor('the fixed records on the platform', () => s.world.platform.stats().totals.stored === storedBefore + fixable.length, { describe: () => JSON.stringify(s.world.platform.stats().totals) })
    const quarantine = await s.hub.ledger.quarantine(AGENCY)
    t.equal(quarantine.length, quarantinedBefore - fixable.length, 'they left quarantine')
    for (const c of fixable) t.notOk(quarantine.some(q => q.caseNumber === c.caseNumber), `${c.caseNumber} is out of quarantine`)
    t.ok(quarantine.every(q => q.mappingVersion === '2024.2'), 'the records still invalid carry the problems of the new version')
    const seen = await s.hub.ledger.seenVersions(AGENCY, fixable.map(c => c.caseNumber))
    t.ok(seen.every(v => v?.mappingVersion === '2024.2'), 'the ledger records the version that produced them')
    t.equal((await s.hub.ledger.quarantine(OTHER)).length, s.invalid.length, 'the other agency\'s quarantine is untouched')
    await keepsSyncing(t, s, 'with the new version')
  })
})

t.test('an edited shared code table is watched like the mapping file', async t => {
  const world = await startWorld(t, 'reload-table', { agency: { records: 40, seed: 3 } })
  const files = tempDir(t)
  const tableFile = files.write('yes-no.yaml', 'codes: { "0": false, "1": true }\nunknown: reject\n')
  const file = files.write('market.yaml', ORIGINAL.replace('  yesNo:\n    codes: { "0": false, "1": true }\n    unknown: reject\n', '  yesNo: { file: yes-no.yaml }\n'))
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as { agencies: Array<Record<string, unknown>> }
  config.agencies[0]!.mapping = file
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  t.same(hub.mappings.get(AGENCY)?.files(), [file, tableFile], 'the mapping file and its shared table are watched')
  writeFileSync(tableFile, 'codes: { "0": false, "1": true }\nunknown: rejekt\n')
  const refused = await waitFor('the table edit to be refused', async () => (await status(hub)).error, { timeoutMs: 10_000 })
  t.equal(refused, `${tableFile}:2:10: "unknown" has an unknown value (allowed: reject, pass, default)`)
})
