/**
 * `npm run bundle` gives a tarball that installs and runs with no network at all: unpacked
 * and run inside a network namespace that has nothing but the loopback interface, beside a
 * Redis and the platform simulator started in that namespace, its hub turns ready and
 * delivers a file drop's cases. Needs root for `unshare -n` (CI runs as root); without it the
 * test fails saying so, it never skips.
 */
import t, { type Test } from 'tap'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readlinkSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { freePort } from '../../fixtures/sim-shared/free-port.js'
import type { Expected } from '../../fixtures/agencies/sample-kit.js'
import { testPrefix } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const PLATFORM_TOKEN = 'bundle-test-platform-token'

/** A process that holds a fresh network namespace open; everything else joins it with nsenter. */
async function isolatedNetwork (t: Test): Promise<{ run: (cmd: string, args: readonly string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string }) => ChildProcess; runToEnd: (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv) => { status: number | null; out: string } }> {
  const probe = spawnSync('unshare', ['-n', 'true'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(`this test needs a network namespace (unshare -n, as root; util-linux): ${probe.error?.message ?? probe.stderr.trim()}`)
  }
  const holder = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' })
  t.teardown(() => { holder.kill('SIGKILL') })
  const ours = readlinkSync('/proc/self/ns/net')
  await waitFor('the namespace holder to enter its own network namespace', () => {
    try { return readlinkSync(`/proc/${holder.pid}/ns/net`) !== ours } catch { return false }
  }, { timeoutMs: 10_000, intervalMs: 20 })
  const enter = (cmd: string, args: readonly string[]): string[] => ['-t', String(holder.pid), '-n', '--', cmd, ...args]
  const runToEnd = (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): { status: number | null; out: string } => {
    const r = spawnSync('nsenter', enter(cmd, args), { encoding: 'utf8', env: env ?? process.env, timeout: 20_000 })
    return { status: r.status, out: `${r.stdout}${r.stderr}` }
  }
  const lo = runToEnd('ip', ['link', 'set', 'lo', 'up'])
  if (lo.status !== 0) throw new Error(`could not bring lo up in the namespace: ${lo.out}`)
  const run = (cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess => {
    const child = spawn('nsenter', enter(cmd, args), { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd })
    t.teardown(() => { child.kill('SIGKILL') })
    return child
  }
  return { run, runToEnd }
}

function collect (child: ChildProcess): () => string {
  let out = ''
  child.stdout?.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr?.on('data', (c: Buffer) => { out += c.toString() })
  return () => out
}

/** GET `url` from inside the namespace: { status, body } or { error } (the test process itself cannot reach it). */
function getInside (net: Awaited<ReturnType<typeof isolatedNetwork>>, url: string): { status?: number; body?: string; error?: string } {
  const script = 'fetch(process.argv[1]).then(async r => console.log(JSON.stringify({ status: r.status, body: await r.text() })), e => console.log(JSON.stringify({ error: e.cause?.code ?? e.message })))'
  const { out } = net.runToEnd(process.execPath, ['-e', script, url])
  try { return JSON.parse(out.trim().split('\n').at(-1) ?? '') as { status?: number; body?: string; error?: string } } catch { return { error: out } }
}

t.test('the offline bundle installs and runs in a network namespace with only loopback, and delivers a file drop', async t => {
  const work = tempDir(t, 'casebridge-bundle-test-')
  const net = await isolatedNetwork(t)

  // Build the bundle (this side has node_modules; the bundle needs nothing else).
  const built = spawnSync('bash', [join(projectRoot, '.ci', 'bundle'), '--out', join(work.dir, 'out')], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 })
  if (built.status !== 0) throw new Error(`npm run bundle failed: ${built.stderr.slice(-2000)}`)
  const tarball = built.stdout.trim().split('\n').at(-1)!
  t.match(tarball, /casebridge-\d+\.\d+\.\d+\.tar\.gz$/)

  // Nothing but loopback in there: no route to anywhere else.
  const links = net.runToEnd('ip', ['-o', 'link'])
  t.same(links.out.trim().split('\n').map(l => l.split(':')[1]?.trim()), ['lo'], 'the namespace has the loopback interface only')
  t.match(getInside(net, 'http://10.255.255.1:80/'), { error: /ENETUNREACH|EHOSTUNREACH|ENETDOWN/ }, 'another address is unreachable')

  // Install = unpack, inside the namespace.
  const installed = net.runToEnd('tar', ['-xzf', tarball, '-C', work.dir])
  t.equal(installed.status, 0, `unpacked inside the namespace ${installed.out}`)
  const app = join(work.dir, tarball.split('/').at(-1)!.replace(/\.tar\.gz$/, ''))
  t.ok(existsSync(join(app, 'package.json')) && existsSync(join(app, 'node_modules', 'fastify')), 'unpacked: the hub and its dependencies')
  t.notOk(existsSync(join(app, 'test')) || existsSync(join(app, 'fixtures')), 'no tests or simulators in the bundle')
  t.notOk(existsSync(join(app, 'node_modules', 'typescript')) || existsSync(join(app, 'node_modules', 'tap')), 'no dev dependency in the bundle')

  // The launcher refuses a Node.js older than the bundle needs, in both languages.
  const oldNode = work.write('old-node', '#!/bin/sh\n[ "$1" = --version ] && echo v18.20.0 && exit 0\nexit 1\n')
  chmodSync(oldNode, 0o755)
  const refused = spawnSync(join(app, 'bin', 'casebridge'), ['help'], { encoding: 'utf8', env: { PATH: process.env.PATH, NODE: oldNode } })
  t.equal(refused.status, 2, 'an old Node.js: exit 2')
  t.match(refused.stderr, /needs Node\.js >= 20\.18, found: v18\.20\.0[\s\S]*需要 20\.18 或更高版本的 Node\.js/)

  // Redis and the platform simulator, inside the namespace.
  const redisPort = await freePort()
  const redisDir = join(work.dir, 'redis')
  mkdirSync(redisDir)
  const redis = net.run('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'])
  const redisOut = collect(redis)
  await waitFor('redis-server in the namespace', () => redisOut().includes('Ready to accept connections'), { timeoutMs: 15_000, describe: redisOut })
  const platformPort = await freePort()
  const platform = net.run(process.execPath, ['--import', 'tsx', 'fixtures/platform-sim/main.ts', '--port', String(platformPort), '--token', PLATFORM_TOKEN], { cwd: projectRoot })
  const platformOut = collect(platform)
  await waitFor('the platform simulator in the namespace', () => platformOut().includes(String(platformPort)), { timeoutMs: 30_000, describe: platformOut })

  // A file drop of the ecology agency's GBK XML export, and a hub config that pulls it every second.
  const fixture = join(projectRoot, 'fixtures', 'agencies', 'ecology-environment')
  const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Expected
  const drop = join(work.dir, 'drop')
  mkdirSync(drop)
  copyFileSync(join(fixture, expected.sample), join(drop, 'hj-cases-20241101.xml'))
  writeFileSync(join(drop, 'hj-cases-20241101.xml.ok'), '')
  const adminPort = await freePort()
  const config = work.write('hub.yaml', JSON.stringify({
    hub: { name: 'bundle-test' },
    redis: { url: `redis://127.0.0.1:${redisPort}`, keyPrefix: testPrefix(t, 'bundle'), requirePersistence: true },
    admin: { host: '127.0.0.1', port: adminPort },
    push: { backoff: { delayMs: 50, jitter: 0 } },
    targets: { platform: { kind: 'http-batch', baseUrl: `http://127.0.0.1:${platformPort}`, token: { env: 'BUNDLE_PLATFORM_TOKEN' } } },
    agencies: [{ id: 'ecology-environment-peixian', mapping: join(app, expected.mapping), target: 'platform', schedule: '* * * * * *', source: { kind: 'dir-drop', directory: drop, completion: 'marker' } }],
  }))
  // The secret as a file (NAME_FILE), the way systemd credentials and Docker secrets hand it over.
  const token = work.write('platform_token', `${PLATFORM_TOKEN}\n`)
  const env = { PATH: process.env.PATH, BUNDLE_PLATFORM_TOKEN_FILE: token, NODE_ENV: 'production', CASEBRIDGE_CONFIG: config }

  const hub = net.run(join(app, 'bin', 'casebridge'), ['run', '--config', config], { env, cwd: app })
  const hubOut = collect(hub)
  const ready = await waitFor('the bundle\'s hub to answer /readyz with 200', () => {
    const r = getInside(net, `http://127.0.0.1:${adminPort}/readyz`)
    return r.status === 200 ? r : false
  }, { timeoutMs: 40_000, intervalMs: 500, describe: () => hubOut().slice(-2000) })
  t.equal(ready.status, 200, 'the hub is ready')

  const stored = await waitFor('the drop\'s valid cases on the platform', () => {
    const r = getInside(net, `http://127.0.0.1:${platformPort}/__sim/stats`)
    const n = r.body === undefined ? 0 : (JSON.parse(r.body) as { totals: { stored: number } }).totals.stored
    return n >= expected.summary.valid ? n : false
  }, { timeoutMs: 40_000, intervalMs: 500, describe: () => hubOut().slice(-2000) })
  t.equal(stored, expected.summary.valid, `all ${expected.summary.valid} valid cases of the drop were delivered`)

  const health = net.runToEnd(process.execPath, [join(app, 'dist', 'src', 'cli', 'healthcheck-main.js')], env)
  t.equal(health.status, 0, `the bundle's health probe finds the hub: ${health.out}`)

  hub.kill('SIGTERM')
  const exit = await new Promise<number | null>(resolve => hub.once('exit', code => resolve(code)))
  t.equal(exit, 0, 'the hub stops cleanly on SIGTERM')
  t.notMatch(hubOut(), new RegExp(PLATFORM_TOKEN), 'the secret is not in the log')
})
