/**
 * `casebridge check-config --no-env`: the shape of a config is checked where its secrets are
 * not (a review, CI): each unset variable is named as a warning and the exit is 0 when the
 * shape is valid; and a config whose admin server listens beyond the loopback address with
 * no admin tokens is valid but warned about. Runs the CLI as a child process; no server.
 */
import t from 'tap'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import type { CheckConfigReport } from '../../src/cli/check-config-command.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { DEMO_MAPPING } from '../helpers/world.js'

const EXAMPLE = join(projectRoot, 'config', 'production.example.yaml')
/** The example's variables, set empty (an empty variable counts as unset) whatever the test's own environment holds. */
const NO_SECRETS = { CASEBRIDGE_REDIS_URL: '', CASEBRIDGE_PLATFORM_TOKEN: '', PEIXIAN_SCJG_API_KEY: '', CASEBRIDGE_OPERATOR_TOKEN_SHA256: '', CASEBRIDGE_PROMETHEUS_TOKEN_SHA256: '' }

type Valid = Extract<CheckConfigReport, { valid: true }>

/** check-config on a config of {@link configWith}, whose platform token is set. */
async function check (args: readonly string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runCli> {
  return await runCli(['check-config', ...args], { env: { NO_ENV_TEST_PLATFORM_TOKEN: 'x', ...env } })
}

function configWith (files: ReturnType<typeof tempDir>, name: string, admin: Record<string, unknown>, more: Record<string, unknown> = {}): string {
  return files.write(name, JSON.stringify({
    admin,
    targets: { platform: { kind: 'http-batch', baseUrl: 'http://127.0.0.1:9', token: { env: 'NO_ENV_TEST_PLATFORM_TOKEN' } } },
    agencies: [{ id: 'market-regulation-peixian', mapping: DEMO_MAPPING, target: 'platform', source: { kind: 'http-pull', baseUrl: 'http://127.0.0.1:9' } }],
    ...more,
  }))
}

t.test('the example production config checks without its secrets: exit 0, every unset variable named as a warning', async t => {
  const run = await runCli(['check-config', EXAMPLE, '--no-env', '--json', '--lang', 'en'], { env: NO_SECRETS })
  t.equal(run.code, 0, run.stderr)
  const report = JSON.parse(run.stdout) as Valid
  t.equal(report.valid, true)
  t.same(report.missingEnv.map(m => m.name).sort(), ['CASEBRIDGE_OPERATOR_TOKEN_SHA256', 'CASEBRIDGE_PLATFORM_TOKEN', 'CASEBRIDGE_PROMETHEUS_TOKEN_SHA256', 'CASEBRIDGE_REDIS_URL', 'PEIXIAN_SCJG_API_KEY'], 'each variable the file names')
  t.notOk(report.warnings.some(w => w.code !== 'env_not_set'), `the example itself is not warned about (it listens beyond loopback, with tokens): ${JSON.stringify(report.warnings.filter(w => w.code !== 'env_not_set'))}`)
  t.ok(report.missingEnv.some(m => m.name === 'PEIXIAN_SCJG_API_KEY' && m.path === 'agencies[0].source.apiKey'), 'with where it is used')
  t.ok(report.warnings.some(w => w.code === 'env_not_set' && w.message.includes('CASEBRIDGE_REDIS_URL')), 'as warnings')

  const strict = await runCli(['check-config', EXAMPLE, '--json', '--lang', 'en'], { env: NO_SECRETS })
  t.equal(strict.code, 2, 'without --no-env an unset secret still makes the config invalid')
})

t.test('the text output names the unset variables in the language asked for, on stderr', async t => {
  const zh = await runCli(['check-config', EXAMPLE, '--no-env', '--lang', 'zh-CN'], { env: NO_SECRETS })
  t.equal(zh.code, 0, zh.stderr)
  t.match(zh.stdout, /不读环境变量时结构有效（5 个环境变量未设置）/)
  t.match(zh.stderr, '警告：环境变量 CASEBRIDGE_REDIS_URL 未设置（redis.url）')
  const en = await runCli(['check-config', EXAMPLE, '--no-env', '--lang', 'en'], { env: NO_SECRETS })
  t.match(en.stderr, 'warning: environment variable PEIXIAN_SCJG_API_KEY is not set (agencies[0].source.apiKey)')
})

t.test('--no-env still refuses a config whose shape is wrong', async t => {
  const files = tempDir(t)
  const file = configWith(files, 'bad.yaml', { host: '127.0.0.1' }, { push: { batchSize: 0 } })
  const run = await check([file, '--no-env', '--json', '--lang', 'en'])
  t.equal(run.code, 2)
  t.match((JSON.parse(run.stdout) as { error: { problems: string[] } }).error.problems.join('\n'), 'push.batchSize')
})

t.test('a secret from an unset variable is not judged: a webhook secret is not "0 bytes long", a token hash not "not a SHA-256"', async t => {
  const files = tempDir(t)
  const file = configWith(files, 'secrets.yaml', { host: '127.0.0.1', tokens: [{ id: 'ops', role: 'operator', sha256: { env: 'NO_ENV_TEST_TOKEN_SHA256' } }] }, {
    alarms: { webhooks: [{ url: 'http://127.0.0.1:9/alarms', secret: { env: 'NO_ENV_TEST_WEBHOOK_SECRET' } }] },
  })
  const run = await check([file, '--no-env', '--json', '--lang', 'en'], { NO_ENV_TEST_TOKEN_SHA256: '', NO_ENV_TEST_WEBHOOK_SECRET: '' })
  t.equal(run.code, 0, run.stdout)
  t.same((JSON.parse(run.stdout) as Valid).missingEnv.map(m => m.path).sort(), ['admin.tokens[0].sha256', 'alarms.webhooks[0].secret'])
})

t.test('--no-env tolerates only a variable that is not set at all: a NAME_FILE that cannot be read is still refused', async t => {
  const files = tempDir(t)
  const file = configWith(files, 'file-secret.yaml', { host: '127.0.0.1' })
  const run = await check([file, '--no-env', '--json', '--lang', 'en'], { NO_ENV_TEST_PLATFORM_TOKEN: '', NO_ENV_TEST_PLATFORM_TOKEN_FILE: join(files.dir, 'no-such-secret') })
  t.equal(run.code, 2, 'invalid')
  t.match((JSON.parse(run.stdout) as { error: { problems: string[] } }).error.problems.join('\n'), 'NO_ENV_TEST_PLATFORM_TOKEN_FILE names', 'naming the file variable')
})

t.test('a SQL source whose password is not in the environment is listed unchecked, naming the variable', async t => {
  const files = tempDir(t)
  const file = configWith(files, 'sql.yaml', { host: '127.0.0.1' }, {
    agencies: [{
      id: 'market-regulation-peixian', mapping: DEMO_MAPPING, target: 'platform',
      source: { kind: 'sql-postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', password: { env: 'NO_ENV_TEST_PG_PASSWORD' }, relation: 'cases', updatedAtColumn: 'updated_at', idColumn: 'id' },
    }],
  })
  const run = await check([file, '--no-env', '--json', '--lang', 'en'], { NO_ENV_TEST_PG_PASSWORD: '' })
  t.equal(run.code, 0, run.stdout)
  t.same((JSON.parse(run.stdout) as Valid).unchecked, [{ agency: 'market-regulation-peixian', reason: 'needs environment variables that are not set: NO_ENV_TEST_PG_PASSWORD' }])
})

t.test('an admin server beyond the loopback address with no admin tokens is valid but warned about; on the loopback address it is not', async t => {
  const files = tempDir(t)
  for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
    const run = await check([configWith(files, `open-${host.replace(/:/g, '_')}.yaml`, { host }), '--json', '--lang', 'en'])
    t.equal(run.code, 0, `${host}: still valid`)
    const warning = (JSON.parse(run.stdout) as Valid).warnings.find(w => w.code === 'admin_exposed_without_tokens')
    t.match(warning?.message, `listens on ${host}:4000`, `${host}: warned`)
  }
  const text = await check([configWith(files, 'open-text.yaml', { host: '0.0.0.0' }), '--lang', 'zh-CN'])
  t.match(text.stderr, '警告：管理服务监听 0.0.0.0:4000', 'the text output says it too, in Chinese')
  for (const host of ['127.0.0.1', '::1', 'localhost']) {
    const run = await check([configWith(files, `closed-${host.replace(/:/g, '_')}.yaml`, { host }), '--json', '--lang', 'en'])
    t.same((JSON.parse(run.stdout) as Valid).warnings, [], `${host}: no warning`)
  }
})
