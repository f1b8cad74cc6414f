import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { projectRoot } from '../../src/paths.js'
import { loadConfig } from '../../src/config/load-config.js'
import { builtInRegistry } from '../../adapters/index.js'
import { tempDir } from '../helpers/temp-files.js'

// config/compose.yaml read as an operator would, line by line: no docker needed.

interface Service {
  image?: string
  environment?: Record<string, string> | string[]
  secrets?: (string | { source: string })[]
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[]
  ports?: string[]
  restart?: string
  command?: string[] | string
  healthcheck?: { test: string[] }
}
interface Compose { services: Record<string, Service>; secrets: Record<string, { file: string }> }

const composeFile = join(projectRoot, 'config', 'compose.yaml')
const compose = parse(readFileSync(composeFile, 'utf8')) as Compose
const hub = compose.services.hub!
const redis = compose.services.redis!
const envOf = (s: Service): Record<string, string> => Array.isArray(s.environment) ? Object.fromEntries(s.environment.map(e => e.split('=', 2) as [string, string])) : s.environment ?? {}
const secretsOf = (s: Service): string[] => (s.secrets ?? []).map(x => typeof x === 'string' ? x : x.source)
const configPath = (): string => { const c = hub.command as string[]; return c[c.indexOf('--config') + 1]! }
/** compose-hub.yaml as the host sees it: the container's /app/config is config/ of this checkout. */
const hubConfigOnHost = (): string => join(projectRoot, 'config', configPath().replace(/^\/app\/config\//, ''))

t.test('no secret is passed as a plain environment variable: each comes from a Docker secret file', async t => {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(envOf(service))) {
      t.notMatch(key, /TOKEN$|KEY$|PASSWORD$|SECRET$|SHA256$|REDIS_URL$/, `${name}: ${key} is not a secret passed in clear`)
      if (key.endsWith('_FILE')) {
        const secret = value.replace(/^\/run\/secrets\//, '')
        t.ok(value.startsWith('/run/secrets/') && secretsOf(service).includes(secret), `${name}: ${key} reads the secret ${secret} the service is given`)
        t.ok(compose.secrets[secret]?.file !== undefined, `secret ${secret} is declared with a file`)
      }
    }
  }
})

t.test('every environment reference in the hub config the compose runs is satisfied by a _FILE secret, and it loads', async t => {
  const env = envOf(hub)
  const text = readFileSync(hubConfigOnHost(), 'utf8')
  const names = [...text.matchAll(/\{\s*env:\s*([A-Z0-9_]+)\s*\}/g)].map(m => m[1]!)
  t.ok(names.length >= 4, `${names.length} environment references`)
  for (const name of names) t.ok(env[`${name}_FILE`] !== undefined, `${name} comes from ${env[`${name}_FILE`] ?? 'nowhere'}`)

  // Load it as the container would, the secrets as files.
  const secrets = tempDir(t)
  const fileEnv: NodeJS.ProcessEnv = {}
  for (const name of names) fileEnv[`${name}_FILE`] = secrets.write(name, name.endsWith('SHA256') ? `${'ab'.repeat(32)}\n` : name === 'CASEBRIDGE_REDIS_URL' ? 'redis://:pw@redis:6379\n' : 'value\n')
  const config = await loadConfig(hubConfigOnHost(), builtInRegistry(), fileEnv)
  t.ok(config.admin.tokens.length >= 1, 'admin tokens are configured')
  t.ok(config.admin.tokens.some(tk => tk.role === 'admin'), 'an admin token')
  t.equal(config.admin.metrics.requireToken, true, '/metrics wants a token')
  t.equal(config.admin.port, 4000, 'the port compose publishes')
  t.equal(env.CASEBRIDGE_CONFIG, configPath(), 'the HEALTHCHECK reads the config the hub runs with')
})

t.test('config and mappings are mounted read-only, so a mapping edit needs no image rebuild', async t => {
  const mounts = (hub.volumes ?? []).map(v => typeof v === 'string' ? { target: v.split(':')[1], read_only: v.endsWith(':ro'), source: v.split(':')[0] } : v)
  for (const target of ['/app/config', '/app/mappings']) {
    const mount = mounts.find(m => m.target === target)
    t.ok(mount, `${target} is mounted`)
    t.equal(mount?.read_only, true, `${target} read-only`)
  }
  t.ok(configPath().startsWith('/app/config/'), 'the hub runs the mounted config')
})

t.test('the admin port is published on 127.0.0.1 only', async t => {
  t.ok((hub.ports ?? []).length > 0, 'published')
  for (const port of hub.ports ?? []) t.match(port, /^127\.0\.0\.1:\d+:\d+$/, port)
  t.same(redis.ports ?? [], [], 'redis is not published at all')
})

t.test('every service restarts unless stopped, and images are pinned to an exact version', async t => {
  for (const [name, service] of Object.entries(compose.services)) {
    t.equal(service.restart, 'unless-stopped', `${name} restart policy`)
    if (name !== 'hub') t.match(service.image ?? '', /:\d+\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[a-f0-9]{64})?$/, `${name} image ${service.image ?? ''}`)
  }
  const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8')
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map(m => m[1]!)
  t.ok(froms.length >= 1)
  for (const from of froms) t.match(from, /:\d+\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[a-f0-9]{64})?$/, `Dockerfile FROM ${from}`)
  t.notMatch(dockerfile, /127\.0\.0\.1:4000/, 'the HEALTHCHECK hard-codes no port')
})

t.test('redis wants a password from a secret, read without putting it in a process argument', async t => {
  const command = ([] as string[]).concat(redis.command ?? []).join(' ')
  t.ok(secretsOf(redis).includes('redis_password'), 'redis is given the redis_password secret')
  t.match(command, /requirepass/, 'requirepass is set')
  t.match(command, /\/run\/secrets\/redis_password/, 'from the secret')
  t.notMatch(command, /--requirepass/, 'not as a command-line argument')
  t.match(command, /--appendonly yes/, 'persists')
  t.match(command, /--maxmemory-policy noeviction/, 'never evicts')
  t.match(redis.healthcheck?.test.join(' ') ?? '', /REDISCLI_AUTH=.*redis_password/, 'its health check logs in')
  t.ok(secretsOf(hub).includes('redis_url'), 'the hub gets the URL with the password as a secret')
})

t.test('the secrets folder is kept out of git and out of the image', async t => {
  const dockerignore = readFileSync(join(projectRoot, '.dockerignore'), 'utf8').split('\n').map(l => l.trim())
  t.ok(dockerignore.includes('config/secrets'), '.dockerignore leaves config/secrets out of docker build (the Dockerfile copies config/)')
  const gitignore = readFileSync(join(projectRoot, 'config', 'secrets', '.gitignore'), 'utf8').split('\n')
  t.ok(gitignore.includes('*') && gitignore.includes('!.gitignore'), 'git ignores everything in config/secrets but its .gitignore')
  for (const [name, secret] of Object.entries(compose.secrets)) t.match(secret.file, /^\$\{CASEBRIDGE_SECRETS_DIR:-\.\/secrets\}\//, `${name} is read from the secrets folder`)
})
