/**
 * The hostile-input catalogue's SFTP cases (fixtures/hostile/catalogue.ts): files dropped on
 * a real OpenSSH sshd for three agencies of one hub (market regulation: JSON and NDJSON;
 * urban management: GBK CSV; ecology: GBK XML), pulled with the sftp source and delivered
 * to the platform simulator through real Redis. One server and one hub for all cases.
 */
import t from 'tap'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { SFTP_CASES, urbanRow, URBAN_HEADER, type DropAgency } from '../../fixtures/hostile/catalogue.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { startSshd } from '../helpers/sshd.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { namesIn } from '../adapters/sftp-helpers.js'
import { at, checkNoPollution, checkQuarantined, findEntry, platformCases, prototypeSnapshot, waitDelivered } from './hostile-kit.js'

const TOKEN = 'hostile-sftp-token'
const AGENCIES: Record<DropAgency, { id: string; code: string; mapping: string }> = {
  market: { id: 'market-regulation-peixian', code: '11320322014165834G', mapping: DEMO_MAPPING },
  urban: { id: 'urban-management-gbk-csv', code: '11320322014170932K', mapping: join(projectRoot, 'fixtures/exports/urban-management-gbk-csv/mapping.yaml') },
  ecology: { id: 'ecology-gbk-xml', code: '11320322MB1580421M', mapping: join(projectRoot, 'fixtures/exports/ecology-gbk-xml/mapping.yaml') },
}

t.test('hostile files dropped on SFTP: each has its documented outcome, the good records beside it arrive, the hub keeps running', async t => {
  const before = prototypeSnapshot()
  const sshd = await startSshd(t)
  const platform = await startPlatformSimulator({ port: 0, tokens: [TOKEN] })
  t.teardown(async () => await platform.close())
  for (const dir of Object.keys(AGENCIES)) mkdirSync(join(sshd.root, dir))
  const config = tempDir(t).write('hub.yaml', JSON.stringify({
    redis: { url: { env: 'TEST_REDIS_URL' }, keyPrefix: testPrefix(t as never, 'hostile-sftp'), requirePersistence: false },
    admin: { host: '127.0.0.1', port: 0 },
    push: { batchSize: 200, backoff: { delayMs: 50, jitter: 0 } },
    targets: { platform: { kind: 'http-batch', baseUrl: platform.url, token: { env: 'HOSTILE_SFTP_TOKEN' }, timeoutMs: 10000 } },
    agencies: Object.entries(AGENCIES).map(([dir, a]) => ({
      id: a.id, mapping: a.mapping, target: 'platform', schedule: '0 0 0 1 1 *',
      source: { kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory: join(sshd.root, dir), completion: 'marker', timeoutMs: 20000, retries: 0 },
    })),
  }))
  const log = capturingLogger('info')
  const hub = await startHub({ config: await loadConfig(config, builtInRegistry(), { ...process.env, TEST_REDIS_URL, HOSTILE_SFTP_TOKEN: TOKEN }), registry: builtInRegistry(), logger: log.logger, schedule: false })
  t.teardown(async () => await hub.close())

  for (const c of SFTP_CASES) {
    await t.test(`${c.id}: ${c.input}`, async t => {
      const agency = AGENCIES[c.agency]
      const dir = join(sshd.root, c.agency)
      const files = c.files()
      for (const f of files) {
        if (f.link !== undefined) symlinkSync(f.link, join(dir, f.name))
        else writeFileSync(join(dir, f.name), f.bytes)
        if (f.marker !== false) writeFileSync(join(dir, `${f.name}.ok`), '')
      }
      const summary = await hub.pullNow(agency.id)
      t.ok(summary !== undefined, 'the pull completed')
      const o = c.outcome
      const hostileFile = files[0]?.name ?? ''
      if (o.kind === 'quarantined') {
        const entries = await hub.ledger.quarantine(agency.id)
        const where = c.at === undefined ? { caseNumber: c.caseNumber ?? '' } : { file: c.at.file, line: c.at.line }
        checkQuarantined(t, findEntry(entries, where), o)
        t.ok(namesIn(sshd, `${c.agency}/processed`).includes(hostileFile), 'the file is processed: its good records went through')
      }
      if (o.kind === 'file-rejected') {
        t.ok(namesIn(sshd, `${c.agency}/rejected`).includes(hostileFile), 'the file is in rejected/')
        const report = readFileSync(join(dir, 'rejected', `${hostileFile}.error.txt`), 'utf8')
        t.match(report, `error:    ${o.code}`)
        t.match(report, o.says)
        if (c.at !== undefined) t.match(report, `line:     ${c.at.line}`)
      }
      if (o.kind === 'delivered') {
        const held = await waitDelivered(platform, TOKEN, agency.code, [c.caseNumber ?? ''])
        t.equal(at(held.get(c.caseNumber ?? ''), o.field), o.value, `${o.field} arrived verbatim`)
      }
      if (o.kind === 'ignored') {
        t.ok(existsSync(join(dir, hostileFile)) || files[0]?.link !== undefined, 'the file is where it was')
        t.notOk([...namesIn(sshd, `${c.agency}/processed`), ...namesIn(sshd, `${c.agency}/rejected`)].includes(hostileFile), 'neither processed nor rejected')
        if (o.says !== undefined) t.ok(log.warnings().some(w => w.msg === o.says && w.file === JSON.stringify(hostileFile)), `warned: ${o.says}`)
      }
      if (c.good.length > 0) await waitDelivered(platform, TOKEN, agency.code, c.good)
      if (o.kind !== 'delivered') {
        const held = await platformCases(platform, TOKEN, agency.code)
        t.notOk([...held.keys()].some(n => n.startsWith('BAD-')), 'no hostile record was delivered')
      }
    })
  }

  await t.test('afterwards the hub is healthy and ingests an ordinary file', async t => {
    writeFileSync(join(sshd.root, 'urban', 'last.csv'), [URBAN_HEADER, urbanRow('GOOD-after-all'), ''].join('\r\n'))
    writeFileSync(join(sshd.root, 'urban', 'last.csv.ok'), '')
    t.ok(await hub.pullNow(AGENCIES.urban.id))
    await waitDelivered(platform, TOKEN, AGENCIES.urban.code, ['GOOD-after-all'])
    t.equal((await fetch(`${hub.adminUrl}/healthz`)).status, 200, 'the hub answers its health probe')
    const delivered = await Promise.all(Object.values(AGENCIES).map(async a => [...(await platformCases(platform, TOKEN, a.code)).values()]))
    checkNoPollution(t, before, delivered.flat())
  })
})
