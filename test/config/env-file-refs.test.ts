import t from 'tap'
import { lookupEnv, resolveEnvRefs } from '../../src/config/env-refs.js'
import { loadConfig } from '../../src/config/load-config.js'
import { ConfigError, ProfileSecretError } from '../../src/errors.js'
import { compileProfileText } from '../../src/profile/load-profile.js'
import { builtInRegistry } from '../../adapters/index.js'
import { tempDir } from '../helpers/temp-files.js'

// Docker secrets and systemd credentials arrive as files: NAME_FILE names the file holding NAME's value.

t.test('NAME_FILE satisfies an environment reference, one trailing newline removed', async t => {
  const files = tempDir(t)
  const lf = files.write('lf', 'the-secret\n')
  const crlf = files.write('crlf', 'the-secret\r\n')
  const two = files.write('two', 'the-secret\n\n')
  const bare = files.write('bare', 'the-secret')
  t.same(lookupEnv('TOKEN', { TOKEN_FILE: lf }), { found: true, value: 'the-secret' }, 'LF removed')
  t.same(lookupEnv('TOKEN', { TOKEN_FILE: crlf }), { found: true, value: 'the-secret' }, 'CRLF removed')
  t.same(lookupEnv('TOKEN', { TOKEN_FILE: two }), { found: true, value: 'the-secret\n' }, 'only one newline removed')
  t.same(lookupEnv('TOKEN', { TOKEN_FILE: bare }), { found: true, value: 'the-secret' }, 'no newline: the file as it is')
  t.same(lookupEnv('TOKEN', { TOKEN: 'direct' }), { found: true, value: 'direct' }, 'the variable itself still works')
})

t.test('a NAME_FILE that cannot be used is a problem naming the variable and the file', async t => {
  const files = tempDir(t)
  const absent = `${files.dir}/absent`
  const empty = files.write('empty', '\n')
  const both = files.write('both', 'x')
  t.match(lookupEnv('TOKEN', { TOKEN_FILE: absent }), { found: false, unset: false, problem: `TOKEN_FILE names ${absent}, which cannot be read (ENOENT)` })
  t.match(lookupEnv('TOKEN', { TOKEN_FILE: files.dir }), { found: false, unset: false, problem: `TOKEN_FILE names ${files.dir}, which cannot be read (EISDIR)` })
  t.match(lookupEnv('TOKEN', { TOKEN_FILE: empty }), { found: false, unset: false, problem: `TOKEN_FILE names ${empty}, which is empty` })
  t.match(lookupEnv('TOKEN', { TOKEN: 'a', TOKEN_FILE: both }), { found: false, unset: false, problem: 'both TOKEN and TOKEN_FILE are set; set only one of them' })
  t.match(lookupEnv('TOKEN', {}), { found: false, unset: true, problem: /environment variable TOKEN is not set .*TOKEN_FILE/ })
})

t.test('every reference is resolved from its own variable or file, each file read once', async t => {
  const files = tempDir(t)
  const secret = files.write('secret', 's3\n')
  const reads: string[] = []
  const { value, missing } = resolveEnvRefs({ a: { env: 'A' }, list: [{ env: 'B' }, { env: 'C' }], plain: 'x' }, { A: 'one', B_FILE: secret }, file => { reads.push(file); return 's3\n' })
  t.same(value, { a: 'one', list: ['s3', ''], plain: 'x' })
  t.same(reads, [secret])
  t.same(missing.map(m => ({ path: m.path, name: m.name })), [{ path: ['list', 1], name: 'C' }])
})

const CONFIG = `hub:
  name: test-hub
redis:
  url: { env: TEST_REDIS_URL }
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

t.test('the config loader reads secrets from NAME_FILE and names a broken file in its error', async t => {
  const files = tempDir(t)
  const config = files.write('hub.yaml', CONFIG)
  const token = files.write('platform_token', 'from-a-docker-secret\n')
  const loaded = await loadConfig(config, builtInRegistry(), { TEST_REDIS_URL: 'redis://127.0.0.1:6379', TEST_PLATFORM_TOKEN_FILE: token })
  t.equal(loaded.targets.platform?.token, 'from-a-docker-secret')
  const absent = `${files.dir}/no-such-secret`
  const error = await loadConfig(config, builtInRegistry(), { TEST_REDIS_URL_FILE: absent, TEST_PLATFORM_TOKEN_FILE: token }).then(() => undefined, (err: unknown) => err)
  t.ok(error instanceof ConfigError, 'a ConfigError')
  t.match((error as Error).message, new RegExp(`4:\\d+ redis\\.url: TEST_REDIS_URL_FILE names ${absent}, which cannot be read \\(ENOENT\\)`))
  t.notMatch((error as Error).message, /from-a-docker-secret/, 'no secret value in the message')
})

t.test('a target profile\'s secrets may come from NAME_FILE too, and a broken file names itself when the secret is needed', async t => {
  const files = tempDir(t)
  const tokenFile = files.write('tok', 'abc\n')
  const text = 'name: t\nversion: "1"\nrecord: identity\nauth: { kind: bearer, token: { env: TOK } }\n'
  const fromFile = compileProfileText(text, '/x/p.yaml', { env: { TOK_FILE: tokenFile } })
  t.same(fromFile.missingSecrets, [])
  t.same(fromFile.sign('GET', '/', '', 0, ''), { Authorization: 'Bearer abc' })
  const absent = `${files.dir}/gone`
  const broken = compileProfileText(text, '/x/p.yaml', { env: { TOK_FILE: absent } })
  t.same(broken.missingSecrets, ['TOK'])
  t.throws(() => broken.sign('GET', '/', '', 0, ''), new ProfileSecretError(`the profile's bearer token comes from environment variable TOK: TOK_FILE names ${absent}, which cannot be read (ENOENT)`))
})
