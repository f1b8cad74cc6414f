/**
 * The supervisor's view (监督), end to end: an agency's cases are pulled and delivered; the
 * view counts them, names the decisions that reached the platform after the entry deadline
 * (迟录) — judged here from the platform's own copies and the time of delivery — and, after
 * a reconciliation, the cases the platform lost. `--since` narrows the counts; a bad one is
 * refused naming what is expected. API, CLI table and CLI --json agree; a viewer may read it.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { entryDeadlineMs } from '../../src/reconcile/time-rules.js'
import { builtInRegistry } from '../../adapters/index.js'
import { DEMO_AGENCY_CODE } from '../../fixtures/agency-sim/agency-record.js'
import { startWorld, TEST_PLATFORM_TOKEN } from '../helpers/world.js'
import { canonicalTarget } from '../helpers/targets.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'
import { runCli } from '../helpers/run-cli.js'
import { platformCases } from '../helpers/newest-versions.js'
import type { SupervisionRow } from '../../src/admin/supervision.js'

const AGENCY = 'market-regulation-peixian'
const TOKEN = 'viewer-token-supervision-1'
const DEADLINE_DAYS = 30

/** What the platform holds: case number → its decision date (absent when the case has none). */
async function platformDecisions (url: string): Promise<Map<string, string | undefined>> {
  return new Map([...await platformCases(url, TEST_PLATFORM_TOKEN, DEMO_AGENCY_CODE)].map(([n, c]) => [n, c.dates?.decided]))
}

t.test('the supervision view counts pulled, delivered, late and missing cases, in API and CLI, all or since a day', async t => {
  const world = await startWorld(t, 'supervision', { agency: { records: 80, seed: 4242 } })
  const files = tempDir(t)
  const config = JSON.parse(readFileSync(world.writeConfig({ agency: { reconcile: { minAgeSeconds: 0, schedule: '0 0 0 1 1 *', entryDeadlineDays: DEADLINE_DAYS } } }), 'utf8')) as Record<string, unknown> & { admin: Record<string, unknown> }
  config.admin = { ...config.admin, tokens: [{ id: 'viewer-1', role: 'viewer', sha256: hashToken(TOKEN) }] }
  const startedMs = Date.now()
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  await hub.pullNow(AGENCY)
  const valid = (await hub.ledger.counters(AGENCY)).valid
  t.ok(valid > 50, `most of the 80 records are valid cases (${valid})`)
  await waitFor('every valid case on the platform', () => world.platform.stats().totals.stored === valid, { describe: () => JSON.stringify(world.platform.stats().totals) })
  await waitFor('nothing pending', async () => await hub.ledger.pendingCount(AGENCY) === 0)
  const deliveredMs = Date.now()

  const api = async (query = ''): Promise<{ status: number; body: { agencies: SupervisionRow[]; message?: string } }> => {
    const res = await fetch(`${hub.adminUrl}/api/supervision${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    return { status: res.status, body: await res.json() as { agencies: SupervisionRow[]; message?: string } }
  }

  // 迟录 judged here: each decision was first acknowledged between startedMs and deliveredMs.
  const decisions = await platformDecisions(world.platform.url)
  t.equal(decisions.size, valid, 'the platform holds every valid case')
  const surelyLate = new Set<string>()
  const maybeLate = new Set<string>()
  for (const [caseNumber, decided] of decisions) {
    if (decided === undefined) continue
    const deadline = entryDeadlineMs(decided, DEADLINE_DAYS)
    if (deadline < startedMs) surelyLate.add(caseNumber)
    else if (deadline < deliveredMs) maybeLate.add(caseNumber)
  }
  t.ok(surelyLate.size > 0 && surelyLate.size < decisions.size, `some decisions are late, not all (${surelyLate.size} of ${decisions.size})`)

  const all = await api()
  t.equal(all.status, 200, 'a viewer may read the view')
  const row = all.body.agencies[0]!
  t.equal(all.body.agencies.length, 1, 'one row per agency')
  t.match(row, { agency: AGENCY, since: null, pulled: valid, delivered: valid, pending: 0, missingOnPlatform: null, transferRisk: null, timeLimits: null, feedbackPending: null },
    'pulled and delivered: every valid case; no reconciliation yet, so missing is not known (null, not 0); the parts the hub does not keep are null')
  t.ok(row.lateEntries.count >= surelyLate.size && row.lateEntries.count <= surelyLate.size + maybeLate.size, `late entries: the ${surelyLate.size} decisions whose deadline had passed before delivery (${row.lateEntries.count})`)
  t.equal(row.lateEntries.deadlineDays, DEADLINE_DAYS, 'with the agency\'s deadline')
  t.ok(row.lateEntries.samples.length === Math.min(20, row.lateEntries.count) && row.lateEntries.samples.every(n => surelyLate.has(n) || maybeLate.has(n)), 'the samples are late cases')

  // The platform loses two cases; a reconciliation finds them missing.
  const lost = [...decisions.keys()].slice(3, 5)
  const drift = canonicalTarget(world.platform).drift
  for (const n of lost) await drift.remove(DEMO_AGENCY_CODE, n)
  await hub.reconcileNow(AGENCY)
  const after = (await api(`?agency=${AGENCY}`)).body.agencies[0]!
  t.equal(after.missingOnPlatform?.count, 2, 'two cases missing on the platform')
  t.same([...after.missingOnPlatform?.samples ?? []].sort(), [...lost].sort(), 'named by their case numbers')
  t.ok(Date.parse(after.missingOnPlatform?.reconciledAt ?? '') >= deliveredMs, 'as of the reconciliation just run')
  t.equal(after.delivered, valid, 'delivered counts what the platform acknowledged, lost afterwards or not')
  const metrics = await (await fetch(`${hub.adminUrl}/metrics`)).text()
  const sample = (name: string): number | undefined => {
    const line = metrics.split('\n').find(l => l.startsWith(`${name}{agency="${AGENCY}"}`))
    return line === undefined ? undefined : Number(line.split(' ').pop())
  }
  t.equal(sample('casebridge_agency_cases_missing_on_platform'), 2, '/metrics: the same two missing cases')
  t.equal(sample('casebridge_agency_cases_delivered'), valid, '/metrics: the same delivered cases')
  t.equal(sample('casebridge_agency_late_entries_total'), after.lateEntries.count, '/metrics: the reconciliation judged the same decisions late as the view')

  // Since: a moment before the pull counts everything; tomorrow (China time) counts nothing.
  const before = (await api(`?since=${encodeURIComponent(new Date(startedMs - 1000).toISOString())}`)).body.agencies[0]!
  t.match(before, { pulled: valid, delivered: valid }, 'since a moment before the pull: every case')
  const tomorrow = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10)
  const none = (await api(`?since=${tomorrow}`)).body.agencies[0]!
  t.match(none, { since: tomorrow, pulled: 0, delivered: 0, pending: 0, lateEntries: { count: 0 } }, 'since tomorrow: nothing pulled, delivered or decided')
  t.equal(none.missingOnPlatform?.count, 2, 'missing on the platform is the platform as last compared, whatever the since')

  for (const bad of ['2026-02-30', '2026-12-01T08:00:00', 'yesterday']) {
    const refused = await api(`?since=${encodeURIComponent(bad)}`)
    t.equal(refused.status, 400, `since=${bad} is refused`)
    t.match(refused.body.message, /^since: expected a day \(YYYY-MM-DD\) or a date-time with an offset/, 'naming what is expected')
  }
  t.equal((await api('?agency=no-such-agency')).status, 404, 'an unknown agency: 404')

  const env = { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKEN }
  const json = await runCli(['supervision', '--json'], { env })
  t.equal(json.code, 0, json.stderr)
  t.same(JSON.parse(json.stdout), (await api()).body, 'casebridge supervision --json: the API\'s answer')
  const table = await runCli(['supervision', '--agency', AGENCY, '--lang', 'en'], { env })
  t.equal(table.code, 0, table.stderr)
  const line = table.stdout.split('\n').find(l => l.startsWith(AGENCY))
  t.match(line, new RegExp(`^${AGENCY}\\s+${valid}\\s+${valid}\\s+0\\s+2\\s+${after.lateEntries.count}\\s+-\\s+-\\s+-\\s*$`), 'the table row: pulled, delivered, pending, missing, late, and "-" for what is not kept')
  t.match(table.stdout, new RegExp(`${AGENCY}: 2 case\\(s\\) missing on the platform at .*${lost[0]!.replace(/[()[\]〔〕]/g, '.')}`), 'below it, the missing cases by number')
  t.match(table.stdout, /"-": the hub does not keep this/, 'and what "-" means')
  const zh = await runCli(['supervision', '--lang', 'zh-CN'], { env })
  t.match(zh.stdout, /^监督概览：枢纽掌握的全部案件/, 'in Chinese too')
  const refusedCli = await runCli(['supervision', '--since', '2026-13-01', '--lang', 'en'], { env })
  t.equal(refusedCli.code, 1, 'a bad --since: exit 1')
  t.match(refusedCli.stderr, /since: expected a day \(YYYY-MM-DD\)/, 'with the API\'s reason')
})
