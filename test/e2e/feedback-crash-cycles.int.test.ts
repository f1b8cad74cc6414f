/**
 * Feedback (信息反馈) end to end, issue 19: the platform simulator records decisions on the
 * cases the hub delivered, and ONE hub process with THREE agencies — writers `http` (the
 * agency simulator's callback), `table` (a PostgreSQL status table) and `file` (a directory)
 * — writes every decision to its agency exactly once while it dies by SIGKILL at the feedback
 * crash points again and again. One decision is hidden from the platform's incremental
 * listing on purpose: feedback reconciliation (the full listing against what was written)
 * must report it by its case number, and it must be the only one.
 */
import t from 'tap'
import { TraceStore } from '../../src/trace/trace-store.js'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { creditCode } from '../../fixtures/agency-sim/identity.js'
import { DEMO_AGENCY_CODE, DEMO_REGION_CODE } from '../../fixtures/agency-sim/index.js'
import { FEEDBACK_DECISIONS, type RecordedDecision } from '../../fixtures/platform-sim/index.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'
import { FEEDBACK_CRASH_POINTS } from '../../src/crash-points.js'
import { feedbackAgencyKeys } from '../../src/feedback/feedback-store.js'
import { spawnHub } from '../helpers/hub-process.js'
import { postgresSchema, PG } from '../helpers/sql.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'
import { startWorld, TEST_PLATFORM_TOKEN } from '../helpers/world.js'

const A = 'market-regulation-peixian'
const B = 'market-regulation-fengxian'
const C = 'market-regulation-suining'
const CODE_B = creditCode('11', DEMO_REGION_CODE, '01416611')
const CODE_C = creditCode('11', DEMO_REGION_CODE, '01416612')
const CYCLES = 8
const TOKEN = 'feedback-cycles-operator'
const auth = { authorization: `Bearer ${TOKEN}` }
const PER_CYCLE = 4

t.test('every platform decision reaches its agency once through the http, table and file writers across SIGKILLs of the hub, and reconciliation names the one withheld', async t => {
  const world = await startWorld(t, 'feedback-cycles', { agency: { records: 30, seed: 31, latencyMs: 2 } })
  const second = await world.addAgency(B, CODE_B, { records: 30, seed: 32 })
  const third = await world.addAgency(C, CODE_C, { records: 30, seed: 33 })
  const { schema, client } = await postgresSchema(t, 'feedback')
  const files = tempDir(t)
  const drop = join(files.dir, 'feedback-drop')
  mkdirSync(drop)

  // The world's config, with a writer per agency and a fast feedback schedule.
  const base = JSON.parse(readFileSync(world.writeConfig({ moreAgencies: [second, third], logLevel: 'info', admin: { tokens: [{ id: 'ops', role: 'operator', sha256: hashToken(TOKEN) }] } }), 'utf8')) as { agencies: Record<string, unknown>[] } & Record<string, unknown>
  const writers: Record<string, Record<string, unknown>> = {
    [A]: { kind: 'http', url: `${world.agency.url}/api/feedback`, timeoutMs: 3000 },
    [B]: { kind: 'table', dialect: 'postgres', host: PG.host, port: PG.port, user: PG.user, database: PG.database, schema, table: 'case_feedback', createTable: true },
    [C]: { kind: 'file', directory: drop },
  }
  const config = files.write('feedback-hub.yaml', JSON.stringify({
    ...base,
    // One write at a time: a kill interrupts at most the one write under way.
    feedback: { schedule: 'every 200ms', pageSize: 5, concurrency: 1, lockDurationMs: 2000, backoff: { delayMs: 50, maxDelayMs: 500, jitter: 0.2 }, reconcile: { schedule: '*/1 * * * * *', minAgeSeconds: 0 } },
    agencies: base.agencies.map(a => ({ ...a, feedback: { writer: writers[a.id as string] } })),
  }))

  // First the forward sync: decisions exist only for cases the platform holds.
  const codes = new Map([[A, DEMO_AGENCY_CODE], [B, CODE_B], [C, CODE_C]])
  const held = async (code: string): Promise<string[]> => {
    const res = await fetch(`${world.platform.url}/api/v1/cases?agencyCode=${code}&pageSize=1000`, { headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}` } })
    return ((await res.json()) as { items: { case: { caseNumber: string } }[] }).items.map(i => i.case.caseNumber)
  }
  const first = spawnHub(config, world.env)
  t.teardown(() => { first.child.kill('SIGKILL') })
  await first.started
  const expectedCases = async (): Promise<boolean> => (await Promise.all([...codes.values()].map(held))).every(list => list.length >= 20)
  await waitFor('the platform to hold the cases of the three agencies', expectedCases, { timeoutMs: 60_000, intervalMs: 200, describe: () => first.output().slice(-2000) })
  const cases = new Map(await Promise.all([...codes].map(async ([id, code]) => [id, await held(code)] as const)))

  const rng = new Rng(1919)
  const recorded: RecordedDecision[] = []
  const record = async (agencyId: string, opts: { hidden?: boolean } = {}): Promise<RecordedDecision> => {
    const list = cases.get(agencyId) as string[]
    const caseNumber = list[rng.int(0, list.length - 1)] as string
    const decision = FEEDBACK_DECISIONS[rng.int(0, FEEDBACK_DECISIONS.length - 1)] as string
    const res = await fetch(`${world.platform.url}/__sim/feedback`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ caseNumber, agencyCode: codes.get(agencyId), decision, at: new Date(Date.now() - 60_000).toISOString(), note: `决定 ${recorded.length + 1}`, ...opts }),
    })
    t.equal(res.status, 200, 'the platform records a decision on a case it holds')
    const d = await res.json() as RecordedDecision
    recorded.push(d)
    return d
  }
  const withheld = await record(A, { hidden: true })
  for (const id of [A, B, C]) for (let i = 0; i < PER_CYCLE; i++) await record(id)

  const visible = (agencyId: string): RecordedDecision[] => recorded.filter(d => d.agencyCode === codes.get(agencyId) && d.id !== withheld.id)
  const atAgencies = async (): Promise<{ http: string[]; table: string[]; file: string[] }> => ({
    http: world.agency.feedback().map(d => d.id),
    table: (await client.query<{ decision_id: string }>(`SELECT decision_id FROM "${schema}".case_feedback`).catch(() => ({ rows: [] }))).rows.map(r => r.decision_id),
    file: readdirSync(drop).filter(f => f.endsWith('.json') && !f.startsWith('.')).map(f => f.slice(0, -'.json'.length)),
  })
  const allArrived = async (): Promise<boolean> => {
    const now = await atAgencies()
    return now.http.length === visible(A).length && now.table.length === visible(B).length && now.file.length === visible(C).length
  }
  first.child.kill('SIGKILL')
  await first.exited

  // The crash cycles: each hub dies at a feedback crash point (seeded order, 1st to 3rd visit), more decisions recorded before each.
  let kills = 1
  const died: Record<string, number> = {}
  let order: string[] = []
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    if (order.length === 0) order = [...FEEDBACK_CRASH_POINTS].map(p => ({ p, k: rng.next() })).sort((x, y) => x.k - y.k).map(x => x.p)
    const point = order.shift() as string
    const visit = rng.int(1, 3)
    for (const id of [A, B, C]) for (let i = 0; i < PER_CYCLE; i++) await record(id)
    const hub = spawnHub(config, { ...world.env, CASEBRIDGE_CRASH_AT: `${point}:${visit}` })
    t.teardown(() => { hub.child.kill('SIGKILL') })
    // The watch stops with its cycle (no polling beside the next one's).
    let cycleOver = false
    const outcome = await Promise.race([
      hub.exited.then(exit => ({ exit })),
      waitFor('the feedback to arrive', async () => cycleOver || await allArrived(), { timeoutMs: 60_000, intervalMs: 50 }).then(() => ({ exit: undefined })),
    ])
    cycleOver = true
    if (outcome.exit === undefined) {
      hub.child.kill('SIGKILL')
      await hub.exited
      kills++
      t.comment(`cycle ${cycle}: ${point}:${visit} not reached before every decision arrived (killed anyway)`)
      continue
    }
    t.equal(outcome.exit.signal, 'SIGKILL', `cycle ${cycle}: died by SIGKILL at ${point}:${visit}`, { output: hub.output().slice(-2000) })
    kills++
    died[point] = (died[point] ?? 0) + 1
  }
  const atPoints = Object.values(died).reduce((a, b) => a + b, 0)
  t.comment(`crashes by point: ${JSON.stringify(died)}; ${kills} SIGKILLs in all`)
  t.ok(atPoints >= 5, `at least 5 hubs died at a feedback crash point mid-way (${atPoints})`)
  t.ok(Object.keys(died).length >= 3, `the crashes landed at several points (${Object.keys(died).join(', ')})`)

  // The last hub, not killed: everything arrives, and reconciliation names the withheld decision.
  const last = spawnHub(config, world.env)
  t.teardown(() => { last.child.kill('SIGKILL') })
  await last.started
  await waitFor('every visible decision at its agency', allArrived, { timeoutMs: 60_000, intervalMs: 100, describe: async () => `${JSON.stringify(await atAgencies()).slice(0, 800)}; ${last.output().slice(-2000)}` })
  const alarmOf = async (): Promise<{ state: string; count: number; samples: string[] } | undefined> => {
    const res = await fetch(`${last.adminUrl()}/api/alarms?agency=${A}`, { headers: auth })
    const body = await res.json() as { alarms: { kind: string; state: string; count: number; samples: string[] }[] }
    return body.alarms.find(a => a.kind === 'feedback_pending' && a.state !== 'resolved' && a.count === 1)
  }
  const alarm = await waitFor('feedback reconciliation to report only the withheld decision', alarmOf, { timeoutMs: 30_000, intervalMs: 250, describe: () => last.output().slice(-2000) })
  t.same(alarm.samples, [withheld.caseNumber], 'the feedback_pending alarm names the case of the withheld decision')
  const feedbackOf = async (id: string): Promise<{ pending: number; written: number; deadLetters: number; pendingDecisions: { id: string; caseNumber: string; foundBy: string }[] }> =>
    await (await fetch(`${last.adminUrl()}/api/agencies/${id}/feedback`, { headers: auth })).json() as { pending: number; written: number; deadLetters: number; pendingDecisions: { id: string; caseNumber: string; foundBy: string }[] }
  const fa = await feedbackOf(A)
  t.match(fa, { pending: 1, written: visible(A).length, deadLetters: 0 }, `${A}: every visible decision written, the withheld one pending`)
  t.same(fa.pendingDecisions.map(p => ({ id: p.id, caseNumber: p.caseNumber, foundBy: p.foundBy })), [{ id: withheld.id, caseNumber: withheld.caseNumber, foundBy: 'reconciliation' }], 'found by reconciliation, with its case number')
  for (const id of [B, C]) t.match(await feedbackOf(id), { pending: 0, written: visible(id).length, deadLetters: 0 }, `${id}: every decision written, none pending`)
  const clean = async (id: string): Promise<boolean> => ((await (await fetch(`${last.adminUrl()}/api/alarms?agency=${id}`, { headers: auth })).json()) as { alarms: { kind: string; state: string }[] }).alarms.every(a => a.kind !== 'feedback_pending' || a.state === 'resolved')
  // A run may have judged the last decisions of B or C just before the hub recorded them written: the next run resolves it.
  t.ok(await waitFor('no feedback_pending alarm for the agencies that have every decision', async () => await clean(B) && await clean(C), { timeoutMs: 15_000, intervalMs: 250 }), 'no feedback_pending alarm stays open for the agencies that have every decision')
  last.child.kill('SIGTERM')
  t.equal((await last.exited).code, 0, 'the last hub stops cleanly on SIGTERM')

  // Exactly once at each agency.
  const now = await atAgencies()
  const sorted = (list: readonly string[]): string[] => [...list].sort()
  const inbox = world.agency.feedback()
  t.same(sorted(now.http), sorted(visible(A).map(d => d.id)), 'http: the agency system holds exactly the visible decisions of its cases')
  t.ok(inbox.every(d => d.body.caseNumber === recorded.find(r => r.id === d.id)?.caseNumber && d.decision === recorded.find(r => r.id === d.id)?.decision), 'http: each with its case number and decision')
  const httpRepeats = inbox.reduce((n, d) => n + d.deliveries - 1, 0)
  t.ok(httpRepeats <= kills, `http: a decision is delivered again only when a kill interrupted its write (${httpRepeats} repeated deliveries, suppressed by the decision id; ${kills} kills)`)
  const rows = (await client.query<{ decision_id: string; case_number: string; decision: string; writes: number }>(`SELECT decision_id, case_number, decision, writes FROM "${schema}".case_feedback`)).rows
  t.same(sorted(rows.map(r => r.decision_id)), sorted(visible(B).map(d => d.id)), 'table: one row per decision (the primary key), exactly the visible ones')
  t.ok(rows.every(r => recorded.find(d => d.id === r.decision_id)?.caseNumber === r.case_number), 'table: each row carries its case number')
  const tableRepeats = rows.reduce((n, r) => n + Number(r.writes) - 1, 0)
  t.ok(tableRepeats <= kills, `table: repeated upserts (${tableRepeats}) only where a kill interrupted a write, and still one row`)
  t.same(sorted(now.file), sorted(visible(C).map(d => d.id)), 'file: one file per decision, exactly the visible ones')
  for (const f of now.file) {
    const content = JSON.parse(readFileSync(join(drop, `${f}.json`), 'utf8')) as { id: string; caseNumber: string }
    if (content.id !== f || content.caseNumber !== recorded.find(d => d.id === f)?.caseNumber) t.fail(`file ${f}.json holds another decision: ${JSON.stringify(content)}`)
  }
  t.pass('file: every file holds its whole decision (written under a temporary name, then renamed)')

  // The hub's own record agrees.
  const redis = world.redis.connect()
  t.teardown(() => { redis.disconnect() })
  for (const id of [A, B, C]) {
    t.equal(await redis.hlen(feedbackAgencyKeys(world.prefix, id).written), visible(id).length, `${id}: the hub recorded each decision written once`)
    t.equal(await redis.hlen(feedbackAgencyKeys(world.prefix, id).dead), 0, `${id}: no feedback dead letters`)
  }

  // Each written decision is in its case's trace once ("feedback", committed with the record
  // of the write), whatever the kills; the withheld one not at all; every chain verifies.
  const traces = new TraceStore(redis, world.prefix)
  for (const id of [A, B, C]) {
    for (const d of visible(id)) {
      const events = (await traces.events(id, d.caseNumber)).filter(e => e.kind === 'feedback' && e.decisionId === d.id)
      if (events.length !== 1 || events[0]?.decision !== d.decision) t.fail(`${id} ${d.caseNumber}: ${events.length} feedback events for decision ${d.id}`)
    }
    t.pass(`${id}: every written decision is in its case's trace exactly once, with its decision`)
    t.same((await traces.verify(id)).breaks, [], `${id}: every chain verifies`)
  }
  t.notOk((await traces.events(A, withheld.caseNumber)).some(e => e.kind === 'feedback' && e.decisionId === withheld.id), 'the withheld decision (never written) is not in the trace')
})
