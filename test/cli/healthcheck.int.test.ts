import t from 'tap'
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { projectRoot } from '../../src/paths.js'
import { healthUrlOf } from '../../src/cli/health-probe.js'
import { tempDir } from '../helpers/temp-files.js'

// The image's HEALTHCHECK runs this probe; it must follow admin.port, never a hard-coded 4000.

async function runHealthcheck (config: string, locale = 'en'): Promise<{ code: number | null; out: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/healthcheck-main.ts'], { cwd: projectRoot, env: { ...process.env, CASEBRIDGE_CONFIG: config, CASEBRIDGE_LOCALE: locale, HC_PLATFORM_TOKEN: 'x' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => { out += c.toString() })
    child.stderr.on('data', (c: Buffer) => { out += c.toString() })
    child.on('error', reject)
    child.on('close', code => resolve({ code, out }))
  })
}

function configFor (port: number): string {
  return `hub:
  name: hc-test
admin:
  host: 0.0.0.0
  port: ${port}
targets:
  platform:
    kind: http-batch
    baseUrl: http://127.0.0.1:9
    token: { env: HC_PLATFORM_TOKEN }
agencies:
  - id: demo
    mapping: ${projectRoot}/mappings/demo.yaml
    target: platform
    source:
      kind: http-pull
      baseUrl: http://127.0.0.1:9
`
}

t.test('the health probe asks /healthz on the configured admin port and says healthy or not by its exit code', async t => {
  const paths: string[] = []
  const server: Server = createServer((req, res) => { paths.push(req.url ?? ''); res.writeHead(req.url === '/healthz' ? 200 : 404).end('{}') })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const port = (server.address() as AddressInfo).port
  const file = tempDir(t).write('hub.yaml', configFor(port))

  const up = await runHealthcheck(file)
  t.equal(up.code, 0, up.out)
  t.match(up.out, `healthy: http://127.0.0.1:${port}/healthz answered 200`)
  t.same(paths, ['/healthz'], 'asked exactly the liveness route')
  const zh = await runHealthcheck(file, 'zh-CN')
  t.equal(zh.code, 0)
  t.match(zh.out, `健康：http://127.0.0.1:${port}/healthz 返回 200`, 'in Chinese too')

  await new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  const down = await runHealthcheck(file)
  t.equal(down.code, 1, down.out)
  t.match(down.out, `unhealthy: http://127.0.0.1:${port}/healthz did not answer (ECONNREFUSED)`)
})

t.test('a configuration the probe cannot use exits 2 with the reason', async t => {
  const bad = await runHealthcheck(tempDir(t).write('hub.yaml', 'hub: [\n'))
  t.equal(bad.code, 2)
  t.match(bad.out, /casebridge healthcheck: cannot probe the hub: .*hub\.yaml/)
})

t.test('the probe address follows admin.host and admin.tls', async t => {
  t.equal(healthUrlOf({ host: '127.0.0.1', port: 4100 }), 'http://127.0.0.1:4100/healthz')
  t.equal(healthUrlOf({ host: '0.0.0.0', port: 4100 }), 'http://127.0.0.1:4100/healthz', 'every address: asked on loopback')
  t.equal(healthUrlOf({ host: '::', port: 4100 }), 'http://[::1]:4100/healthz')
  t.equal(healthUrlOf({ host: '10.1.2.3', port: 8443, tls: { keyFile: 'k', certFile: 'c' } }), 'https://10.1.2.3:8443/healthz')
  t.throws(() => healthUrlOf({ host: '127.0.0.1', port: 0 }), { code: 'CB_ERR_CONFIG' })
})
