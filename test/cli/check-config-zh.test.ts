/**
 * check-config words the loader's problems in the operator's language: a broken configuration
 * file of each kind — YAML syntax, schema problems (unknown key, missing key, wrong type,
 * enum, limit), an unknown adapter kind, an unknown target, a bad cron expression, an agency
 * id used twice, a secret variable unset, a NAME_FILE that cannot be read or is empty, both
 * set, a short webhook secret — gives Chinese with no English sentence in zh-CN, and in
 * English the very problems `--json` gives. Runs the CLI as a child process; no server.
 */
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { latinSentences } from '../helpers/latin-sentences.js'
import { DEMO_MAPPING } from '../helpers/world.js'

const agency = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id: 'market-regulation-peixian', mapping: DEMO_MAPPING, target: 'platform', source: { kind: 'http-pull', baseUrl: 'http://127.0.0.1:9' }, ...extra })
const platform = { kind: 'http-batch', baseUrl: 'http://127.0.0.1:9', token: { env: 'CHECK_ZH_TOKEN' } }
const config = (over: Record<string, unknown>): string => JSON.stringify({ admin: { host: '127.0.0.1' }, targets: { platform }, agencies: [agency()], ...over })

const CASES: ReadonlyArray<{ name: string; text: (dir: string) => string; env?: (dir: string) => NodeJS.ProcessEnv }> = [
  { name: 'YAML syntax', text: () => 'hub: { name: [unclosed\n' },
  { name: 'unknown key', text: () => config({ hub: { name: 'x', bogus: 1 } }) },
  { name: 'missing key', text: () => config({ agencies: [{ id: 'a', target: 'platform', source: { kind: 'http-pull', baseUrl: 'http://127.0.0.1:9' } }] }) },
  { name: 'wrong type and limit', text: () => config({ push: { batchSize: 0, concurrency: 'four' } }) },
  { name: 'enum', text: () => config({ hub: { locale: 'fr' } }) },
  { name: 'unknown adapter kind, unknown target, bad cron, id twice', text: () => config({ targets: { platform, other: { kind: 'nosuch' } }, agencies: [agency({ target: 'platformx', schedule: 'every minute' }), agency()] }) },
  { name: 'secret unset', text: () => config({}), env: () => ({ CHECK_ZH_TOKEN: '' }) },
  { name: 'secret file unreadable', text: () => config({}), env: dir => ({ CHECK_ZH_TOKEN: '', CHECK_ZH_TOKEN_FILE: join(dir, 'no-such-file') }) },
  { name: 'secret file empty', text: () => config({}), env: dir => { writeFileSync(join(dir, 'empty'), ''); return { CHECK_ZH_TOKEN: '', CHECK_ZH_TOKEN_FILE: join(dir, 'empty') } } },
  { name: 'secret set twice', text: () => config({}), env: dir => { writeFileSync(join(dir, 'token'), 'x'); return { CHECK_ZH_TOKEN: 'x', CHECK_ZH_TOKEN_FILE: join(dir, 'token') } } },
  { name: 'short webhook secret', text: () => config({ alarms: { webhooks: [{ url: 'http://127.0.0.1:9/hook', secret: { env: 'CHECK_ZH_HOOK' } }] } }), env: () => ({ CHECK_ZH_HOOK: 'too-short' }) },
]

for (const c of CASES) {
  t.test(`check-config, ${c.name}: Chinese in zh-CN, the --json problems in English`, async t => {
    const files = tempDir(t)
    const file = files.write('hub.yaml', c.text(files.dir))
    const env = { CHECK_ZH_TOKEN: 'x', ...c.env?.(files.dir) }
    const zh = await runCli(['check-config', file, '--lang', 'zh-CN'], { env })
    t.equal(zh.code, 2, 'invalid')
    const lines = zh.stderr.trim().split('\n')
    t.ok(lines.length >= 2, `at least one problem: ${zh.stderr}`)
    t.same(latinSentences(zh.stderr), [], `no English sentence in zh-CN:\n${zh.stderr}`)
    const json = await runCli(['check-config', file, '--json', '--lang', 'en'], { env })
    const problems = (JSON.parse(json.stdout) as { error: { problems: string[] } }).error.problems
    const en = await runCli(['check-config', file, '--lang', 'en'], { env })
    t.same(en.stderr.trim().split('\n').slice(1).map(l => l.trim()), problems, 'the English text output lists exactly the --json problems')
    t.equal(lines.length - 1, problems.length, 'one line per problem in both languages')
  })
}
