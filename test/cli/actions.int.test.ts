import t from 'tap'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { fingerprint } from '../../src/contracts/fingerprint.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import type { DeadLetterEntry } from '../../src/ledger/entries.js'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { runCli } from '../helpers/run-cli.js'
import { waitFor } from '../helpers/wait-for.js'

const agencyStats = async (url: string): Promise<{ records: number; invalidByDesign: number }> => await (await fetch(`${url}/__sim/stats`)).json() as never

t.test('casebridge sync pulls an agency now and, without a terminal, prints only the final JSON', async t => {
  const h = await startOperatorHub(t, 'cli-sync', { agency: { records: 150, seed: 4 } })
  const source = await agencyStats(h.world.agency.url)
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator }
  const run = await runCli(['sync', '--agency', AGENCY, '--json', '--poll-ms', '100'], { env })
  t.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout) as { sync: { started: boolean }; agency: { counts: { pulled: number }; pulling: boolean } }
  t.equal(out.sync.started, true, 'the pull was started')
  t.equal(out.agency.counts.pulled, source.records, 'it waited for the whole pull: every source record was read')
  t.equal(out.agency.pulling, false)
  const viewer = await runCli(['sync', '--agency', AGENCY], { env: { ...env, CASEBRIDGE_ADMIN_TOKEN: TOKENS.viewer } })
  t.equal(viewer.code, 1, 'a viewer may not trigger pulls')
  const bare = await fetch(`${h.hub.adminUrl}/api/agencies/${AGENCY}/sync`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.operator}` } })
  t.equal(bare.status, 202, 'a POST without a body is accepted too (curl -X POST)')
})

t.test('casebridge sync on a paused agency says it is paused and exits 1 instead of following a pull that never comes', async t => {
  const h = await startOperatorHub(t, 'cli-sync-paused', { agency: { records: 20, seed: 4 } })
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator, CASEBRIDGE_LOCALE: 'en' }
  t.equal((await runCli(['pause', '--agency', AGENCY], { env })).code, 0)
  const run = await runCli(['sync', '--agency', AGENCY, '--poll-ms', '50'], { env })
  t.equal(run.code, 1, 'exit 1')
  t.match(run.stderr, new RegExp(`${AGENCY} is paused \\(since .*\\): it is not pulled\\. Resume it first: casebridge resume --agency ${AGENCY}`), 'it says why and what to do')
  t.equal((await h.hub.ledger.counters(AGENCY)).pulled, 0, 'and nothing was pulled')
  const zh = await runCli(['sync', '--agency', AGENCY], { env: { ...env, CASEBRIDGE_LOCALE: 'zh-CN' } })
  t.match(zh.stderr, /已暂停/, 'in Chinese too')
})

t.test('a reader that stops early (casebridge … | head) ends the CLI quietly, not with an EPIPE stack trace', async t => {
  const { spawn } = await import('node:child_process')
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'help'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.destroy() // the reader is gone before the first line is written
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  t.equal(code, 0, 'exit 0')
  t.notMatch(stderr, /EPIPE|Error|at /, `nothing on stderr but what the command meant to say (${JSON.stringify(stderr.slice(0, 200))})`)
})

t.test('casebridge quarantine lists the records with their reasons and an admin discards them all', async t => {
  const h = await startOperatorHub(t, 'cli-quarantine', { agency: { records: 100, seed: 6 } })
  await h.hub.pullNow(AGENCY)
  const inLedger = (await h.hub.ledger.quarantine(AGENCY)).length
  t.ok(inLedger > 0, `records are quarantined (${inLedger})`)
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.admin, CASEBRIDGE_LOCALE: 'en' }
  const list = await runCli(['quarantine', '--json'], { env })
  t.equal(list.code, 0, list.stderr)
  const listed = JSON.parse(list.stdout) as { count: number; entries: { recordKey: string; problems: { reason: string }[] }[] }
  t.equal(listed.count, inLedger, 'the single agency is chosen without --agency')
  t.ok(listed.entries.every(e => e.problems.every(p => p.reason.length > 0)), 'every problem has an operator-readable reason')
  const table = await runCli(['quarantine', 'list'], { env })
  t.match(table.stdout, `${AGENCY}: ${inLedger} record(s) in quarantine`)
  t.match(table.stdout, listed.entries[0]!.recordKey.slice(0, 20), 'the table names the records')
  t.match(table.stdout, 'validation failed')

  const discard = await runCli(['quarantine', 'discard', '--agency', AGENCY, '--all', '--json'], { env })
  t.equal(discard.code, 0, discard.stderr)
  t.same(JSON.parse(discard.stdout), { agency: AGENCY, discarded: inLedger })
  t.equal((await h.hub.ledger.quarantine(AGENCY)).length, 0, 'quarantine is empty')
})

t.test('casebridge dead-letters lists, delivers again and discards dead letters', async t => {
  const h = await startOperatorHub(t, 'cli-dead')
  const person = JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'cases', 'valid', 'person-party-fine-decided.json'), 'utf8')) as CanonicalCase
  const other = { ...person, caseNumber: `${person.caseNumber}-2` }
  const dead = (c: CanonicalCase): DeadLetterEntry => ({ agencyId: AGENCY, caseNumber: c.caseNumber, fingerprint: fingerprint(c), reason: 'HTTP 503 after 10 attempts', attempts: 10, deadLetteredAt: new Date().toISOString(), case: c })
  await h.hub.ledger.recordDeadLetters(AGENCY, [dead(person), dead(other)])
  const env = { CASEBRIDGE_ADMIN_URL: h.hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.operator, CASEBRIDGE_LOCALE: 'zh-CN' }

  const list = await runCli(['dead-letters', '--agency', AGENCY], { env })
  t.equal(list.code, 0, list.stderr)
  t.match(list.stdout, `${AGENCY}：2 件推送失败的案件`)
  t.match(list.stdout, /案件编号\s+尝试次数\s+原因\s+时间/)

  const retry = await runCli(['dead-letters', 'retry', '--agency', AGENCY, person.caseNumber, '--json'], { env })
  t.equal(retry.code, 0, retry.stderr)
  t.same(JSON.parse(retry.stdout), { agency: AGENCY, requeued: 1, superseded: 0, notFound: 0 })
  await waitFor('the retried case to reach the platform', async () => (await h.hub.ledger.counters(AGENCY)).pushed === 1)
  const acked = (await h.hub.ledger.ackedVersions(AGENCY, [person.caseNumber]))[0]
  t.equal(acked?.fingerprint, fingerprint(person), 'the platform acknowledged the version that was dead-lettered')

  const discard = await runCli(['dead-letters', 'discard', '--agency', AGENCY, other.caseNumber], { env: { ...env, CASEBRIDGE_ADMIN_TOKEN: TOKENS.admin } })
  t.equal(discard.code, 0, discard.stderr)
  t.match(discard.stdout, `${AGENCY}：已丢弃 1 件推送失败的案件`)
  t.same(await h.hub.ledger.deadLetters(AGENCY), [], 'no dead letter is left')
})

t.test('casebridge hash-token prints the SHA-256 of the token on standard input, one trailing newline ignored', async t => {
  const token = 'a-long-random-operator-token'
  const expected = createHash('sha256').update(token).digest('hex')
  const run = await runCli(['hash-token'], { stdin: `${token}\n` })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, `${expected}\n`)
  t.notMatch(run.stdout + run.stderr, token, 'the token itself is never printed')
  const empty = await runCli(['hash-token'], { stdin: '\n', env: { CASEBRIDGE_LOCALE: 'en' } })
  t.equal(empty.code, 2)
  t.match(empty.stderr, 'no token on standard input')
  const mistyped = await runCli(['hash-token', '--jsno'], { stdin: `${token}\n`, env: { CASEBRIDGE_LOCALE: 'en' } })
  t.equal(mistyped.code, 2, 'a mistyped option is refused, not ignored')
  t.match(mistyped.stderr, /--jsno.*--json/s, 'it names the option and the nearest one')
  t.equal(mistyped.stdout, '', 'and nothing is hashed')
})

t.test('check-config accepts the demo config with a token hash and refuses a token pasted in clear, in the config\'s language or the one asked for', async t => {
  const env = { CASEBRIDGE_REDIS_URL: 'redis://127.0.0.1:6379', CASEBRIDGE_PLATFORM_TOKEN: 'x', CASEBRIDGE_DEMO_PARTY_SECRET: 'p'.repeat(32) }
  const hashed = { ...env, CASEBRIDGE_DEMO_ADMIN_TOKEN_SHA256: createHash('sha256').update('demo-admin-token').digest('hex') }
  const demo = join(projectRoot, 'config', 'demo.yaml')
  const good = await runCli(['check-config', 'config/demo.yaml'], { env: hashed })
  t.equal(good.code, 0, good.stderr)
  const lines = good.stdout.trimEnd().split('\n')
  t.equal(lines[0], `${demo}：有效（4 个机构，1 个目标）`, 'zh-CN: the demo config says no hub.locale')
  t.match(lines[1], /^ {2}market-regulation-peixian：映射版本 \S+（.*market-regulation-peixian\.yaml）$/)
  t.equal(lines.length, 5, 'one line per agency')
  const english = await runCli(['check-config', 'config/demo.yaml', '--lang', 'en'], { env: hashed })
  t.equal(english.stdout.split('\n')[0], `${demo}: valid (agencies: 4, targets: 1)`)

  const json = await runCli(['check-config', 'config/demo.yaml', '--json'], { env: hashed })
  t.equal(json.code, 0, json.stderr)
  const report = JSON.parse(json.stdout) as { file: string; valid: boolean; agencies: { id: string; enabled: boolean; mapping: { version: string } }[]; targets: string[] }
  t.match(report, { file: demo, valid: true, targets: ['platform'] })
  t.same(report.agencies.map(a => [a.id, a.enabled]), [['market-regulation-peixian', true], ['ecology-environment-peixian', true], ['urban-management-peixian', true], ['tobacco-monopoly-peixian', true]])
  t.ok(report.agencies.every(a => a.mapping.version.length > 0), 'each agency with its mapping version')

  const clear = await runCli(['check-config', 'config/demo.yaml'], { env: { ...env, CASEBRIDGE_DEMO_ADMIN_TOKEN_SHA256: 'demo-admin-token' } })
  t.equal(clear.code, 2)
  t.match(clear.stderr, `casebridge check-config: ${demo} 无效：`)
  t.match(clear.stderr, 'admin.tokens[0].sha256 (demo-admin): expected the SHA-256 of the token')
  const clearJson = await runCli(['check-config', 'config/demo.yaml', '--json'], { env: { ...env, CASEBRIDGE_DEMO_ADMIN_TOKEN_SHA256: 'demo-admin-token', CASEBRIDGE_LOCALE: 'en' } })
  t.equal(clearJson.code, 2)
  const refused = JSON.parse(clearJson.stdout) as { valid: boolean; error: { code: string; problems: string[] } }
  t.match(refused, { valid: false, error: { code: 'CB_ERR_CONFIG' } })
  t.match(refused.error.problems[0], /^admin\.tokens\[0\]\.sha256 \(demo-admin\): expected the SHA-256/)

  const missingEnv = await runCli(['check-config', 'config/demo.yaml', '--json'], { env: { CASEBRIDGE_LOCALE: 'en' } })
  t.equal(missingEnv.code, 2)
  t.match((JSON.parse(missingEnv.stdout) as { error: { problems: string[] } }).error.problems.join('\n'), 'environment variable CASEBRIDGE_REDIS_URL is not set', 'every problem of the loader is listed')
  const noFile = await runCli(['check-config', '--lang', 'en'])
  t.equal(noFile.code, 2)
  t.match(noFile.stderr, 'check-config needs a configuration file')
})
