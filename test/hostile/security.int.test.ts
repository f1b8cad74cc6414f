/**
 * The hostile catalogue's security cases (fixtures/hostile/security-cases.ts, issue 12): each
 * finding of the review tried against one hub running as its own process (`casebridge run`),
 * with the agency and platform simulators and real Redis behind it. Every case has its named
 * outcome, and after every case the hub is the same process (same PID) and answers /healthz;
 * the slow expression's case shows /healthz answering while that request is still running.
 */
import t, { type Test } from 'tap'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { projectRoot } from '../../src/paths.js'
import { pageOf } from '../../fixtures/hostile/catalogue.js'
import { leakCorpus, leaksIn } from '../../fixtures/hostile/personal-data.js'
import { SECURITY_CASES, type SecurityCase } from '../../fixtures/hostile/security-cases.js'
import { DEMO_MAPPING, startWorld } from '../helpers/world.js'
import { spawnHub } from '../helpers/hub-process.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'
const TOKENS = { viewer: 'sec-viewer-token', operator: 'sec-operator-token', admin: 'sec-admin-token' } as const
type Role = keyof typeof TOKENS

t.test('the security review\'s attacks: each has its named outcome and the hub process survives all of them', async t => {
  const world = await startWorld(t, 'hostile-security', { agency: { records: 0 } })
  const files = tempDir(t)
  const mappings = join(files.dir, 'mappings')
  mkdirSync(mappings)
  const mapping = join(mappings, 'market.yaml')
  const good = readFileSync(DEMO_MAPPING, 'utf8')
  writeFileSync(mapping, good)
  const config = world.writeConfig({
    schedule: '0 0 0 1 1 *', logLevel: 'info', agency: { mapping },
    admin: { tokens: (Object.keys(TOKENS) as Role[]).map(role => ({ id: `${role}-1`, role, sha256: hashToken(TOKENS[role]) })), badTokenLimit: { burst: 10, perMinute: 10 } },
  })
  const hub = spawnHub(config, world.env)
  t.teardown(async () => { hub.child.kill('SIGTERM'); await hub.exited })
  await hub.started
  const url = hub.adminUrl()
  const pid = hub.child.pid
  const call = async (path: string, o: { role?: Role; token?: string; method?: string; body?: unknown } = {}): Promise<{ status: number; text: string }> => {
    const token = o.token ?? (o.role === undefined ? undefined : TOKENS[o.role])
    const res = await fetch(`${url}${path}`, { method: o.method ?? 'GET', headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(o.body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }) })
    return { status: res.status, text: await res.text() }
  }
  const patched = (patch: readonly [string, string]): string => {
    const text = good.replace(patch[0], patch[1])
    if (text === good) throw new Error(`the patch ${patch[0]} does not apply to the demo mapping`)
    return text
  }

  const run = async (t: Test, c: SecurityCase): Promise<void> => {
    const a = c.attack
    const o = c.outcome
    switch (a.how) {
      case 'preview': {
        const body = { agency: AGENCY, fileName: 'sample.ndjson', sample: a.records.map(r => JSON.stringify(r)).join('\n') + '\n', ...(a.patch === undefined ? {} : { mapping: patched(a.patch) }) }
        const attack = call('/api/mappings/preview', { role: a.role, method: 'POST', body })
        let answered = false
        void attack.then(() => { answered = true })
        if (a.healthzWhileRunning === true) {
          // The order of events: /healthz answers, more than once, before the attacking request does.
          const before: number[] = []
          while (!answered) {
            const status = (await call('/healthz')).status
            if (!answered) before.push(status)
          }
          t.ok(before.length >= 2, `/healthz answered ${before.length} times while the attack was running`)
          t.ok(before.every(s => s === 200), 'each time 200')
        }
        const res = await attack
        if (o.kind === 'refused') {
          t.equal(res.status, o.status, 'the documented status')
          const parsed = JSON.parse(res.text) as { error: string; message: string }
          t.equal(parsed.error, o.error, 'the documented error label')
          t.ok(parsed.message.includes(o.says), `saying: ${parsed.message}`)
        } else if (o.kind === 'records-failed') {
          t.equal(res.status, 200)
          const report = JSON.parse(res.text) as { results: Array<{ outcome: string; problems?: Array<{ rule: string; message: string }> }> }
          t.equal(report.results.length, a.records.length, 'a result for every record')
          t.ok(report.results.every(r => r.outcome === 'invalid' && r.problems?.some(p => p.rule === o.rule && p.message.includes(o.says))), `every record refused with rule ${o.rule}: ${o.says}`)
        } else throw new Error(`${c.id}: no check for ${o.kind}`)
        t.notOk(res.text.includes(files.dir), 'no absolute path of the machine in the answer')
        return
      }
      case 'edit-mapping': {
        if (o.kind !== 'edit-refused') throw new Error(`${c.id}: expected edit-refused`)
        writeFileSync(mapping, patched(a.patch))
        let alarm: { kind: string; detail?: { message?: string } } | undefined
        await waitFor('the mapping alarm', async () => {
          const alarms = JSON.parse((await call('/api/alarms', { role: 'admin' })).text) as { alarms: Array<{ kind: string; detail?: { message?: string } }> }
          alarm = alarms.alarms.find(x => x.kind === o.alarm)
          return alarm !== undefined
        }, { timeoutMs: 20_000 })
        t.ok(alarm?.detail?.message?.includes(o.says), `the alarm says why: ${alarm?.detail?.message ?? ''}`)
        const ready = JSON.parse((await call('/readyz')).text) as { checks: Array<{ name: string; ok: boolean; detail: string }> }
        const check = ready.checks.find(x => x.name === `mapping:${AGENCY}`)
        t.ok(check?.ok === true && check.detail.includes('this version stays active'), `the last good version stays: ${check?.detail ?? ''}`)
        writeFileSync(mapping, good)
        return
      }
      case 'cli-mapping-test': {
        if (o.kind !== 'cli-refuses') throw new Error(`${c.id}: expected cli-refuses`)
        const file = files.write('mappings/bomb.yaml', patched(a.patch))
        const sample = files.write('sample.ndjson', '{"AJBH":"X-1"}\n')
        // The case's words are the English message (the zh-CN default words it in Chinese, test/cli/mapping-diagnostics-zh.test.ts).
        const res = await runCli(['mapping', 'test', file, sample, '--lang', 'en'])
        t.equal(res.code, o.exit, `exit ${o.exit} (not a signal)`)
        t.ok(res.stderr.includes(o.says), `saying: ${res.stderr.trim()}`)
        t.equal(res.stderr.trim().split('\n').length, 1, 'one line')
        t.notMatch(res.stderr, /unexpected failure|\n\s+at /, 'no stack trace')
        return
      }
      case 'cli-check-config': {
        if (o.kind !== 'cli-refuses') throw new Error(`${c.id}: expected cli-refuses`)
        const doc = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>
        doc.alarms = { webhooks: [{ url: 'http://127.0.0.1:9/alarms', secret: { env: 'SEC_WEBHOOK_SECRET' } }] }
        const file = files.write('short-secret.yaml', JSON.stringify(doc))
        const res = await runCli(['check-config', file, '--lang', 'en'], { env: { ...world.env, SEC_WEBHOOK_SECRET: a.webhookSecret } })
        t.equal(res.code, o.exit)
        t.ok(res.stderr.includes(o.says), `saying: ${res.stderr.trim()}`)
        t.notOk(res.stderr.includes(`"${a.webhookSecret}"`), 'the secret is not echoed')
        return
      }
      case 'probe-paths': {
        const res = await call(a.path)
        t.ok(res.status === 200 || res.status === 503, `${a.path} answers`)
        for (const dir of [files.dir, projectRoot]) t.notOk(res.text.includes(dir), `no ${dir} in ${a.path}`)
        t.match(res.text, /market\.yaml/, 'the mapping is named by its file name')
        return
      }
      case 'pull-personal-data': {
        const corpus = leakCorpus(a.records, 7)
        const logFrom = hub.output().length
        world.agency.serveRaw({ body: pageOf(corpus.records) })
        t.equal((await call(`/api/agencies/${AGENCY}/sync`, { role: 'operator', method: 'POST', body: {} })).status, 202)
        await waitFor('the corpus\'s quarantine entries', async () => (JSON.parse((await call(`/api/agencies/${AGENCY}/quarantine?limit=1000`, { role: 'operator' })).text) as { count: number }).count >= a.records / 3)
        const viewer = [`/api/agencies/${AGENCY}/quarantine?limit=1000`, `/api/agencies/${AGENCY}/dead-letters`, `/api/agencies/${AGENCY}`]
        const answers = await Promise.all(viewer.map(async path => (await call(path, { role: 'viewer' })).text))
        t.same(leaksIn(answers.join('\n'), corpus), [], 'no personal data in the viewer\'s answers')
        t.same(leaksIn(hub.output().slice(logFrom), corpus), [], 'none in the hub\'s log')
        t.ok(hub.output().slice(logFrom).includes('record quarantined'), 'whose quarantine lines were written')
        return
      }
      case 'bad-token-storm': {
        const good: number[] = []
        const bad = new Map<number, number>()
        for (let i = 0; i < a.badTokens; i++) {
          if (i % 10 === 0) good.push((await call('/api/agencies', { role: 'viewer' })).status)
          const status = (await call('/api/agencies', { token: `storm-${i}` })).status
          bad.set(status, (bad.get(status) ?? 0) + 1)
        }
        t.ok(good.every(s => s === (o.kind === 'served' ? o.status : -1)), `the valid token was answered ${good.join(', ')}`)
        t.ok((bad.get(429) ?? 0) > 0 && (bad.get(401) ?? 0) > 0, `the bad tokens were answered 401, then 429 (${JSON.stringify([...bad])})`)
      }
    }
  }

  for (const c of SECURITY_CASES) {
    await t.test(`${c.id} (finding ${c.finding}): ${c.input}`, async t => {
      await run(t, c)
      t.equal(hub.child.exitCode, null, 'the hub process is still running')
      t.equal(hub.child.pid, pid, 'the same process')
      t.equal((await call('/healthz')).status, 200, 'and answers /healthz')
    })
  }
  t.notMatch(hub.output(), /Fatal JavaScript|invalid size error|unexpected failure/, 'the hub never crashed nor logged an unexpected failure')
})
