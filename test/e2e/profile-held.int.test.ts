/**
 * A case lacking a field the target's profile requires is held, not sent: visible like
 * quarantine (stage "held", the platform field and its canonical source named), counted in
 * status and metrics — and delivered once the profile no longer lacks it (an edit of the
 * profile, hot-reloaded, re-judges the held cases at the next pull).
 */
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { startWorld } from '../helpers/world.js'
import { PROVINCE_PROFILE, startTarget } from '../helpers/targets.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'
const VIEWER = 'viewer-token-held-3f9a1c'

t.test('a case without a field the platform requires is held with the field named, counted, and sent once the profile stops requiring it', async t => {
  const world = await startWorld(t, 'held', { agency: { records: 200, seed: 73 } })
  const target = await startTarget(t, 'province', 'held')
  // The platform of this test requires SAJE (涉案金额): cases without an involved amount cannot go.
  const files = tempDir(t)
  const strict = readFileSync(PROVINCE_PROFILE, 'utf8')
    .replace(/^version: .*$/m, 'version: "strict-1"')
    .replace('/SAJE:   { from: /amounts/involved, money: fen }', '/SAJE:   { from: /amounts/involved, money: fen, required: true }')
  t.not(strict, readFileSync(PROVINCE_PROFILE, 'utf8'), 'the test profile requires SAJE')
  const profile = files.write('province-strict.yaml', strict)
  const section = { ...target.section, profile, profilePollMs: 100 }
  const config = await loadConfig(world.writeConfig({ target: section, pageSize: 50, admin: { tokens: [{ id: 'viewer-1', role: 'viewer', sha256: hashToken(VIEWER) }] } }), builtInRegistry(), { ...world.env, ...target.env })
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger() })
  t.teardown(async () => await hub.close())

  const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  const expected = source.records - source.invalidByDesign
  const counts = async (): Promise<{ stored: number; held: number }> => ({ stored: (await target.totals()).stored, held: (await hub.ledger.counters(AGENCY)).held })
  await waitFor('every valid case stored or held', async () => { const c = await counts(); return c.stored + c.held === expected && c.held > 0 }, { timeoutMs: 60_000, intervalMs: 200, describe: async () => JSON.stringify(await counts()) })
  const { held, stored } = await counts()
  t.ok(held > 0 && stored > 0, `some cases held (${held}), the others stored (${stored})`)

  const entries = (await hub.ledger.quarantine(AGENCY)).filter(e => e.stage === 'held')
  t.equal(entries.length, held, 'each held case is in the quarantine listing with stage "held"')
  t.ok(entries.every(e => e.profileVersion === 'province-exchange@strict-1'), 'each names the profile version that held it')
  t.ok(entries.every(e => e.problems.some(p => p.canonicalField === '/amounts/involved' && p.rule === 'target-required' && p.message.includes('SAJE'))), 'each names the platform field and the canonical field it comes from')
  t.equal((await hub.ledger.counters(AGENCY)).quarantined, (await hub.ledger.quarantine(AGENCY)).length - held, 'held cases are counted apart from quarantine')
  const metrics = await (await fetch(`${hub.adminUrl}/metrics`, { headers: { authorization: `Bearer ${VIEWER}` } })).text()
  t.match(metrics, new RegExp(`casebridge_agency_held_cases\\{[^}]*agency="${AGENCY}"[^}]*\\} ${held}\\b`), 'the held gauge shows them')
  const status = await (await fetch(`${hub.adminUrl}/api/agencies`, { headers: { authorization: `Bearer ${VIEWER}` } })).json() as { agencies?: { id: string; counts: { held: number } }[] } | { id: string; counts: { held: number } }[]
  const rows = Array.isArray(status) ? status : status.agencies ?? []
  t.equal(rows.find(a => a.id === AGENCY)?.counts.held, held, 'the status API shows them')

  // The platform relaxes its rule: the profile is edited, and the held cases go at the next pull.
  writeFileSync(profile, strict.replace(/^version: .*$/m, 'version: "strict-2"').replace('money: fen, required: true }', 'money: fen }'))
  await waitFor('the held cases delivered after the profile edit', async () => { const c = await counts(); return c.stored === expected && c.held === 0 }, { timeoutMs: 60_000, intervalMs: 200, describe: async () => JSON.stringify(await counts()) })
  const totals = await target.totals()
  t.equal(totals.applied, expected, 'each case applied once')
  t.equal(totals.rejected, 0, 'the platform refused none')
  t.same(await hub.ledger.deadLetters(AGENCY), [], 'no dead letters')
})
