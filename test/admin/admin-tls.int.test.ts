import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { tempDir } from '../helpers/temp-files.js'

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made now with openssl. */
function makeCertificates (dir: string): Record<'caKey' | 'ca' | 'serverKey' | 'server' | 'clientKey' | 'client', string> {
  const f = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }) }
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=casebridge-test-ca')
  for (const [name, subject, ext] of [['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', '/CN=ops-client', 'extendedKeyUsage=clientAuth']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', subject)
    writeFileSync(f(`${name}.ext`), ext + '\n')
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '1', '-extfile', f(`${name}.ext`))
  }
  return { caKey: f('ca.key'), ca: f('ca.pem'), serverKey: f('server.key'), server: f('server.pem'), clientKey: f('client.key'), client: f('client.pem') }
}

/** GET over HTTPS trusting `ca`, presenting the client certificate when given; the status, or the connection error's code. */
async function get (url: string, ca: string, client?: { key: string; cert: string }): Promise<number | string> {
  return await new Promise(resolve => {
    const req = request(url, { ca: readFileSync(ca), ...(client === undefined ? {} : { key: readFileSync(client.key), cert: readFileSync(client.cert) }), headers: { authorization: `Bearer ${TOKENS.viewer}` } }, res => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    req.end()
  })
}

t.test('admin.tls serves the admin API over HTTPS with a certificate made at test time', async t => {
  const certs = makeCertificates(tempDir(t).dir)
  const h = await startOperatorHub(t, 'admin-tls', { schedule: false, adminOverrides: { tls: { keyFile: certs.serverKey, certFile: certs.server } } })
  t.match(h.hub.adminUrl, /^https:\/\/127\.0\.0\.1:\d+$/, 'the hub says its admin URL is https')
  t.equal(await get(`${h.hub.adminUrl}/healthz`, certs.ca), 200, '/healthz over TLS')
  t.equal(await get(`${h.hub.adminUrl}/api/agencies`, certs.ca), 200, 'an /api route over TLS with a token')
  const plain = await fetch(h.hub.adminUrl.replace('https:', 'http:') + '/healthz').then(r => r.status, (err: Error) => err.name)
  t.not(plain, 200, 'plain HTTP is not served')
})

t.test('with admin.tls.clientCaFile a client must present a certificate that CA signed (mutual TLS)', async t => {
  const certs = makeCertificates(tempDir(t).dir)
  const h = await startOperatorHub(t, 'admin-mtls', { schedule: false, adminOverrides: { tls: { keyFile: certs.serverKey, certFile: certs.server, clientCaFile: certs.ca } } })
  t.not(await get(`${h.hub.adminUrl}/healthz`, certs.ca), 200, 'without a client certificate the handshake is refused')
  t.equal(await get(`${h.hub.adminUrl}/healthz`, certs.ca, { key: certs.clientKey, cert: certs.client }), 200, 'with the client certificate it is served')
  t.equal(await get(`${h.hub.adminUrl}/api/agencies`, certs.ca, { key: certs.clientKey, cert: certs.client }), 200, 'and the token still decides the role')
})
