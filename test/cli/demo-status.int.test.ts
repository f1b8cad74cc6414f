import t from 'tap'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { projectRoot } from '../../src/paths.js'
import type { AgencyStatus } from '../../src/admin/agency-status.js'
import { translator } from '../../src/i18n/translate.js'
import { humanSeconds } from '../../src/cli/operator-context.js'
import { runCli } from '../helpers/run-cli.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'

/** The demo's four agencies (config/demo.yaml) and, for the file drops, what their sample exports hold. */
const HTTP_AGENCY = 'market-regulation-peixian'
const DROPS: Readonly<Record<string, string>> = { 'ecology-environment-peixian': 'ecology-environment', 'urban-management-peixian': 'urban-management', 'tobacco-monopoly-peixian': 'tobacco-monopoly' }
const RECORDS = 120

interface Agencies { generatedAt: string; agencies: AgencyStatus[] }

t.test('after the demo has run, casebridge status shows every demo agency with lag and counts, and status --json has the numbers of /api/agencies', async t => {
  const prefix = testPrefix(t, 'demo-status')
  const work = tempDir(t, 'casebridge-demo-')
  const token = `demo-test-${randomBytes(8).toString('hex')}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--records', String(RECORDS),
    '--agency-port', '0', '--platform-port', '0', '--admin-port', '0', '--key-prefix', prefix, '--work-dir', work.dir], {
    cwd: projectRoot, env: { ...process.env, REDIS_URL: TEST_REDIS_URL, CASEBRIDGE_ADMIN_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  })
  let output = ''
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const lines = createInterface({ input: child.stdout })
  const seen: string[] = []
  const waiters: { match: RegExp; resolve: (m: RegExpMatchArray) => void }[] = []
  lines.on('line', line => {
    seen.push(line)
    output += line + '\n'
    for (const w of waiters.splice(0)) {
      const m = line.match(w.match)
      if (m !== null) w.resolve(m)
      else waiters.push(w)
    }
  })
  /** The first line the demo prints matching `match` (one printed already counts); fails if the demo exits first. */
  const line = async (match: RegExp, what: string): Promise<RegExpMatchArray> => {
    const earlier = seen.map(l => l.match(match)).find(m => m !== null)
    if (earlier !== undefined && earlier !== null) return earlier
    return await Promise.race([
      new Promise<RegExpMatchArray>(resolve => waiters.push({ match, resolve })),
      exited.then(code => { throw new Error(`the demo exited (code ${code}) before ${what}:\n${output.slice(-3000)}`) }),
    ])
  }

  const adminUrl = (await line(/^Hub admin API:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/agencies/, 'its admin API was up'))[1]!
  const agencyUrl = (await line(/^Agency simulator:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/cases/, 'naming the agency simulator'))[1]!
  t.not(adminUrl, 'http://127.0.0.1:4000', 'the demo runs on a port of its own, beside any `npm start`')
  t.match(await line(/^Operate it: .* status --url http/, 'saying how to operate it'), /--url/, 'the demo tells how to reach its moved admin API')
  await line(/^Summary after [\d.]+ s: /, 'the sync was complete')

  const env = { CASEBRIDGE_ADMIN_URL: adminUrl, CASEBRIDGE_ADMIN_TOKEN: token }
  const api = async (): Promise<Agencies> => {
    const res = await fetch(`${adminUrl}/api/agencies`, { headers: { authorization: `Bearer ${token}` } })
    t.equal(res.status, 200)
    return await res.json() as Agencies
  }
  /**
   * The demo keeps polling every 5 s and a pull moves lastPullOkAt, while a CLI run under
   * load can take longer than that: take a run when the counts, lag and alarms did not move
   * between the reads before and after it, and check each lastPullOkAt the run saw lies
   * between the two reads' values.
   */
  const settled = (a: Agencies): unknown => a.agencies.map(x => ({ id: x.id, counts: x.counts, lagSeconds: x.lagSeconds, openAlarms: x.openAlarms }))
  const steady = async <T>(run: () => Promise<T>): Promise<{ value: T; before: Agencies; api: Agencies }> => {
    for (let attempt = 1; ; attempt++) {
      const before = await api()
      const value = await run()
      const after = await api()
      if (JSON.stringify(settled(before)) === JSON.stringify(settled(after))) return { value, before, api: after }
      if (attempt === 10) throw new Error('the counts kept changing across ten status runs')
    }
  }

  const json = await steady(async () => await runCli(['status', '--json'], { env }))
  t.equal(json.value.code, 0, `status --json exits 0 ${json.value.stderr}`)
  const fromCli = JSON.parse(json.value.stdout) as Agencies
  t.same(settled(fromCli), settled(json.api), 'the CLI\'s JSON has exactly the counts, lag and alarms of /api/agencies')
  for (const [i, a] of fromCli.agencies.entries()) {
    const earliest = json.before.agencies[i]?.lastPullOkAt ?? ''
    const latest = json.api.agencies[i]?.lastPullOkAt ?? ''
    t.ok(a.lastPullOkAt !== null && a.lastPullOkAt >= earliest && a.lastPullOkAt <= latest,
      `${a.id}: the CLI's lastPullOkAt ${a.lastPullOkAt} is the API's, read between ${earliest} and ${latest}`)
  }
  t.same(fromCli.agencies.map(a => a.id), [HTTP_AGENCY, ...Object.keys(DROPS)], 'all three demo agencies, in config order')

  const sim = await (await fetch(`${agencyUrl}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
  t.equal(sim.records, RECORDS)
  const expected: Record<string, { pushed: number; quarantined: number }> = { [HTTP_AGENCY]: { pushed: sim.records - sim.invalidByDesign, quarantined: sim.invalidByDesign } }
  for (const [id, fixture] of Object.entries(DROPS)) {
    const { summary } = JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'agencies', fixture, 'expected.json'), 'utf8')) as { summary: { valid: number; invalid: number } }
    expected[id] = { pushed: summary.valid, quarantined: summary.invalid }
  }
  for (const a of fromCli.agencies) {
    t.match(a.counts, { pushed: expected[a.id]!.pushed, quarantined: expected[a.id]!.quarantined, deadLettered: 0 }, `${a.id}: every valid case delivered, the invalid ones in quarantine`)
    t.ok(a.counts.pulled >= a.counts.pushed + a.counts.quarantined, `${a.id}: counts pulled`)
    t.equal(a.lagSeconds, 0, `${a.id}: nothing waits for the platform`)
    t.not(a.lastPullOkAt, null, `${a.id}: pulled successfully`)
  }

  const table = await steady(async () => await runCli(['status'], { env }))
  t.equal(table.value.code, 0, `status exits 0 ${table.value.stderr}`)
  const rows = table.value.stdout.trimEnd().split('\n')
  t.match(rows[0], '枢纽 casebridge-demo：4 个机构', 'the demo hub in its language (zh-CN)')
  const zh = translator('zh-CN')
  for (const a of table.api.agencies) {
    const row = rows.find(r => r.startsWith(`${a.id} `))
    t.ok(row, `${a.id} has a row`)
    const cells = (row ?? '').split(/\s{2,}/)
    // The demo's sources cannot count what they have not handed over yet (no count endpoint, file drops): "unknown", never 0.
    t.same(cells.slice(-7), [humanSeconds(zh, a.lagSeconds), zh('cli.status.unpulledUnknown'), a.counts.pulled, a.counts.pushed, a.counts.quarantined, a.counts.deadLettered, a.openAlarms ?? '-'].map(String),
      `${a.id}: lag, unpulled backlog, pulled, pushed, quarantined, dead letters and open alarms as /api/agencies has them`)
  }
})
