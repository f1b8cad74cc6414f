import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { ConfigError } from '../../src/errors.js'
import { builtInRegistry } from '../../adapters/index.js'
import { tempDir } from '../helpers/temp-files.js'

const GOOD = `hub:
  name: test-hub
redis:
  url: redis://127.0.0.1:6379
  keyPrefix: cbtest
targets:
  platform:
    kind: http-batch
    baseUrl: http://127.0.0.1:4002
    token: { env: TEST_PLATFORM_TOKEN }
agencies:
  - id: demo
    mapping: ../mappings/demo.yaml
    target: platform
    source:
      kind: http-pull
      baseUrl: http://127.0.0.1:4001
`
const env = { TEST_PLATFORM_TOKEN: 'secret-token' }

async function configProblem (t: Test, text: string, environment: NodeJS.ProcessEnv = env): Promise<{ file: string; error: ConfigError }> {
  const file = tempDir(t).write('hub.yaml', text)
  const error = await loadConfig(file, builtInRegistry(), environment).then(() => undefined, (err: unknown) => err)
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`)
  return { file, error }
}

t.test('a valid config loads with defaults filled in, secrets resolved and everything frozen', async t => {
  const file = tempDir(t).write('hub.yaml', GOOD)
  const config = await loadConfig(file, builtInRegistry(), env)
  t.equal(config.push.batchSize, 200, 'push default applied')
  t.equal(config.push.backoff.jitter, 0.5, 'nested default applied')
  t.equal(config.agencies[0]?.schedule, '*/30 * * * * *')
  t.equal(config.targets.platform?.token, 'secret-token', 'env reference resolved')
  t.equal(config.agencies[0]?.source.pageSize, 200, 'adapter schema default applied')
  t.ok(config.agencies[0]?.mapping.endsWith('/mappings/demo.yaml'), 'mapping path made absolute relative to the config file')
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.agencies[0]), 'frozen')
})

t.test('an unknown key fails at start naming file, line, path and the allowed keys', async t => {
  const { file, error } = await configProblem(t, GOOD.replace('  keyPrefix: cbtest', '  keyPrefix: cbtest\n  keyprefx: oops'))
  t.equal(error.code, 'CB_ERR_CONFIG')
  t.match(error.message, file)
  t.match(error.message, /6:3 redis\.keyprefx: unknown key "keyprefx"; allowed here: url, sentinels, name, sentinelPassword, cluster, username, password, tls, keyPrefix, requirePersistence/)
})

t.test('a value of the wrong type names the path and the expected type', async t => {
  const { error } = await configProblem(t, GOOD.replace('name: test-hub', 'name: test-hub\npush:\n  batchSize: "lots"'))
  t.match(error.message, /push\.batchSize: expected integer/)
})

t.test('a typo inside an adapter section is caught by the adapter\'s own schema', async t => {
  const { error } = await configProblem(t, GOOD.replace('      baseUrl: http://127.0.0.1:4001', '      baseUrl: http://127.0.0.1:4001\n      pagesize: 50'))
  t.match(error.message, /agencies\[0\]\.source\.pagesize: unknown key "pagesize"; allowed here: kind, baseUrl, path, [a-zA-Z, ]*\bpageSize\b/)
})

t.test('a missing environment variable names the variable and where it is used', async t => {
  const { error } = await configProblem(t, GOOD, {})
  t.match(error.message, /10:\d+ targets\.platform\.token: environment variable TEST_PLATFORM_TOKEN is not set/)
})

t.test('a secret written in clear text is refused: secrets come from the environment', async t => {
  const { error } = await configProblem(t, GOOD.replace('token: { env: TEST_PLATFORM_TOKEN }', 'token: plain-secret'))
  t.match(error.message, /targets\.platform\.token: expected object/)
  t.notMatch(error.message, /plain-secret/, 'the secret itself is not echoed')
})

t.test('an unknown adapter kind lists the known kinds', async t => {
  const { error } = await configProblem(t, GOOD.replace('kind: http-pull', 'kind: ftp-pull'))
  t.match(error.message, /agencies\[0\]\.source\.kind: unknown source adapter kind "ftp-pull"; known kinds: http-pull/)
})

t.test('an agency pointing at an undefined target and a missing required key are both reported at once', async t => {
  const { error } = await configProblem(t, GOOD.replace('    target: platform', '    target: platfrom'))
  t.match(error.message, /agencies\[0\]\.target: unknown target "platfrom"; defined targets: platform/)
  const second = await configProblem(t, GOOD.replace('    mapping: ../mappings/demo.yaml\n', ''))
  t.match(second.error.message, /agencies\[0\]\.mapping: required key "mapping" is missing/)
})

t.test('a YAML syntax error is reported with its line and column', async t => {
  const { error } = await configProblem(t, GOOD.replace('  name: test-hub', '  name: [unclosed'))
  t.match(error.message, /Invalid configuration in .*hub\.yaml:\n {2}\d+:\d+ YAML syntax error/)
})

t.test('a missing config file is a clear error', async t => {
  const error = await loadConfig('/nonexistent/hub.yaml', builtInRegistry(), env).catch((err: unknown) => err)
  t.ok(error instanceof ConfigError)
  t.match((error as Error).message, /\/nonexistent\/hub\.yaml: cannot read the configuration file \(ENOENT\)/)
})

t.test('an invalid cron schedule is refused', async t => {
  const { error } = await configProblem(t, GOOD.replace('    target: platform', '    target: platform\n    schedule: "every five minutes"'))
  t.match(error.message, /agencies\[0\]\.schedule: not a valid schedule: "every five minutes" \(a cron expression of six fields/)
  const tooFast = await configProblem(t, GOOD.replace('    target: platform', '    target: platform\n    schedule: "every 20ms"'))
  t.match(tooFast.error.message, /agencies\[0\]\.schedule: the schedule "every 20ms" pulls more often than every 100 ms/)
})

t.test('a rhythm below the second is accepted as a pull schedule', async t => {
  const file = tempDir(t).write('hub.yaml', GOOD.replace('    target: platform', '    target: platform\n    schedule: "every 250ms"'))
  const config = await loadConfig(file, builtInRegistry(), env)
  t.equal(config.agencies[0]?.schedule, 'every 250ms')
})

t.test('a webhook secret shorter than 32 bytes is refused, naming where it is set and not echoing it', async t => {
  const withHook = GOOD + 'alarms:\n  webhooks:\n    - { url: "http://127.0.0.1:9000/alarms", secret: { env: HOOK_SECRET } }\n'
  const { error } = await configProblem(t, withHook, { ...env, HOOK_SECRET: 'x' })
  t.match(error.message, /alarms\.webhooks\[0\]\.secret: the webhook secret is 1 bytes long; at least 32 are needed/)
  const file = tempDir(t).write('hub.yaml', withHook)
  const config = await loadConfig(file, builtInRegistry(), { ...env, HOOK_SECRET: 'k'.repeat(32) })
  t.equal(config.agencies.length, 1, 'a 32-byte secret is accepted')
})

t.test('redis takes a Sentinel set or a Cluster instead of a URL, passwords from the environment and a CA file relative to the config', async t => {
  const sentinel = GOOD.replace('  url: redis://127.0.0.1:6379', '  sentinels: [{ host: 127.0.0.1, port: 26379 }]\n  name: casebridge\n  password: { env: REDIS_PASSWORD }\n  tls: { caFile: ca.pem }')
  const config = await loadConfig(tempDir(t).write('hub.yaml', sentinel), builtInRegistry(), { ...env, REDIS_PASSWORD: 'from-env' })
  t.same(config.redis.sentinels, [{ host: '127.0.0.1', port: 26379 }])
  t.equal(config.redis.password, 'from-env', 'the password comes from the environment')
  t.ok(config.redis.tls?.caFile?.endsWith('/ca.pem') === true && config.redis.tls.caFile.startsWith('/'), 'the CA file is made absolute')
  const cluster = await loadConfig(tempDir(t).write('hub.yaml', GOOD.replace('  url: redis://127.0.0.1:6379', '  cluster: { nodes: [{ host: 127.0.0.1, port: 7000 }] }')), builtInRegistry(), env)
  t.same(config.redis.cluster, undefined)
  t.same(cluster.redis.cluster?.nodes, [{ host: '127.0.0.1', port: 7000 }])
})

t.test('a Sentinel set without the name of its primary, or with a Cluster beside it, is refused', async t => {
  const noName = await configProblem(t, GOOD.replace('  url: redis://127.0.0.1:6379', '  sentinels: [{ host: 127.0.0.1, port: 26379 }]'))
  t.match(noName.error.message, /redis.*name/)
  const both = await configProblem(t, GOOD.replace('  url: redis://127.0.0.1:6379', '  sentinels: [{ host: 127.0.0.1, port: 26379 }]\n  name: casebridge\n  cluster: { nodes: [{ host: 127.0.0.1, port: 7000 }] }'))
  t.match(both.error.message, /redis/)
})
