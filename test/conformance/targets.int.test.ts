import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import { silentLogger } from '../../src/logging/logger.js'
import { httpBatchTarget } from '../../adapters/http-batch-target.js'
import { sftpTarget } from '../../adapters/sftp-target.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { startSshd } from '../helpers/sshd.js'
import { CLOSED_PORT } from '../helpers/sql.js'
import { targetConformance } from './target.js'

const TOKEN = 'conformance-token'
const context = (name: string): AdapterContext => ({ logger: silentLogger(), name, input: () => ({ encoding: 'utf-8' }) })

t.test('http-batch target keeps the target contract', async t => {
  const platform = await startPlatformSimulator({ port: 0, tokens: [TOKEN] })
  t.teardown(async () => await platform.close())
  const config = (baseUrl: string) => ({ kind: 'http-batch', baseUrl, token: TOKEN, path: '/api/v1/cases/batch', timeoutMs: 3000, connections: 2 }) as never
  await targetConformance(t, 'http-batch', {
    create: () => httpBatchTarget.create(config(platform.url), context('conformance-http')),
    createUnreachable: () => httpBatchTarget.create(config(`http://127.0.0.1:${CLOSED_PORT}`), context('conformance-http')),
    stored: async agencyCode => {
      const listed: string[] = []
      let token: string | null = null
      do {
        const url = new URL('/api/v1/cases', platform.url)
        url.searchParams.set('agencyCode', agencyCode)
        if (token !== null) url.searchParams.set('pageToken', token)
        const page = await (await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as { items: { case: { caseNumber: string } }[]; nextPageToken: string | null }
        listed.push(...page.items.map(i => i.case.caseNumber))
        token = page.nextPageToken
      } while (token !== null)
      // The platform upserts: a second write of a case shows as more applied writes than cases held.
      const applied = platform.stats().agencies[agencyCode]?.applied ?? 0
      return applied > listed.length ? [...listed, ...listed.slice(0, applied - listed.length)] : listed
    },
  })
})

t.test('sftp target keeps the target contract', async t => {
  const sshd = await startSshd(t)
  const config = (port: number) => ({ kind: 'sftp', host: sshd.host, port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory: sshd.root, timeoutMs: 3000 }) as never
  await targetConformance(t, 'sftp', {
    create: () => sftpTarget.create(config(sshd.port), context('conformance-sftp')),
    createUnreachable: () => sftpTarget.create(config(CLOSED_PORT), context('conformance-sftp')),
    // What a platform reading the inbox receives: every case of every complete (manifested) batch.
    stored: async agencyCode => readdirSync(sshd.root)
      .filter(name => name.endsWith('.manifest.json') && !name.startsWith('.'))
      .map(name => JSON.parse(readFileSync(join(sshd.root, name), 'utf8')) as { agencyCode: string; batch: string })
      .filter(m => m.agencyCode === agencyCode)
      .flatMap(m => readFileSync(join(sshd.root, m.batch), 'utf8').split('\n').filter(line => line !== '').map(line => (JSON.parse(line) as { caseNumber: string }).caseNumber)),
  })
})
