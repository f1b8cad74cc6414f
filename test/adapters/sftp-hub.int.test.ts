import t, { type Test } from 'tap'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import type { PageSummary } from '../../src/sync/pull-agency.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { startSshd, type TestSshd } from '../helpers/sshd.js'
import { TEST_REDIS_URL, testPrefix } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'
import { namesIn } from './sftp-helpers.js'

const TOKEN = 'sftp-hub-token'
const URBAN = { id: 'urban-management-gbk-csv', code: '11320322014170932K', dir: 'urban', fixture: join(projectRoot, 'fixtures/exports/urban-management-gbk-csv') }
const ECOLOGY = { id: 'ecology-gbk-xml', code: '11320322MB1580421M', dir: 'ecology', fixture: join(projectRoot, 'fixtures/exports/ecology-gbk-xml') }
const HEADER = 'AJBH,XZQH,CXLX,AY,DSRXM,ZJHM,AQZY,CFZL,CFJE,LASJ,CFJDRQ,JASJ,AJZT'

interface World { sshd: TestSshd; platform: PlatformSimulator; hub: Hub; pages: PageSummary[]; onPage: { hook?: (p: PageSummary) => void } }

/** sshd + platform simulator + an in-process hub with both file agencies on SFTP; pulls driven by the test. */
async function startWorld (t: Test, label: string, source: Record<string, unknown> = {}): Promise<World> {
  const sshd = await startSshd(t)
  for (const a of [URBAN, ECOLOGY]) mkdirSync(join(sshd.root, a.dir))
  const platform = await startPlatformSimulator({ port: 0, tokens: [TOKEN] })
  t.teardown(async () => await platform.close())
  const files = tempDir(t)
  const sftp = (dir: string) => ({ kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory: join(sshd.root, dir), completion: 'marker', timeoutMs: 5000, ...source })
  const config = files.write('hub.yaml', JSON.stringify({
    redis: { url: { env: 'TEST_REDIS_URL' }, keyPrefix: testPrefix(t as never, label), requirePersistence: false },
    admin: { host: '127.0.0.1', port: 0 },
    logging: { level: 'silent' },
    push: { batchSize: 200, backoff: { delayMs: 50, jitter: 0 } },
    targets: { platform: { kind: 'http-batch', baseUrl: platform.url, token: { env: 'SFTP_HUB_TOKEN' }, timeoutMs: 5000 } },
    agencies: [URBAN, ECOLOGY].map(a => ({ id: a.id, mapping: join(a.fixture, 'mapping.yaml'), target: 'platform', schedule: '0 0 * * * *', source: sftp(a.dir) })),
  }))
  const env = { ...process.env, TEST_REDIS_URL, SFTP_HUB_TOKEN: TOKEN }
  const pages: PageSummary[] = []
  const onPage: World['onPage'] = {}
  const hub = await startHub({ config: await loadConfig(config, builtInRegistry(), env), registry: builtInRegistry(), logger: silentLogger(), schedule: false, onPage: p => { pages.push(p); onPage.hook?.(p) } })
  t.teardown(async () => await hub.close())
  return { sshd, platform, hub, pages, onPage }
}

function drop (sshd: TestSshd, dir: string, name: string, bytes: Buffer): void {
  writeFileSync(join(sshd.root, dir, name), bytes)
  writeFileSync(join(sshd.root, dir, `${name}.ok`), '')
}

async function storedCases (platform: PlatformSimulator, agencyCode: string): Promise<Record<string, unknown>[]> {
  const url = new URL('/api/v1/cases', platform.url)
  url.searchParams.set('agencyCode', agencyCode)
  url.searchParams.set('pageSize', '1000')
  const page = await (await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as { items: { case: Record<string, unknown> }[] }
  return page.items.map(i => i.case)
}

/** A valid urban-management row (see the fixture mapping). */
function urbanRow (n: number): string {
  return `沛城管简〔2024〕${String(n).padStart(6, '0')}号,320322,2,乱堆乱放,李四,320322198503144213,,01,,20240201,20240201,20240201,40`
}

t.test('a GBK CSV and a GBK XML export dropped on SFTP reach the platform exactly as their expected canonical cases', async t => {
  const w = await startWorld(t, 'sftp-map')
  drop(w.sshd, URBAN.dir, 'cases.csv', readFileSync(join(URBAN.fixture, 'cases.csv')))
  drop(w.sshd, ECOLOGY.dir, 'cases.xml', readFileSync(join(ECOLOGY.fixture, 'cases.xml')))
  for (const a of [URBAN, ECOLOGY]) {
    const summary = await w.hub.pullNow(a.id)
    t.equal(summary?.quarantined, 0, `${a.id}: nothing quarantined`)
    const expected = JSON.parse(readFileSync(join(a.fixture, 'expected.json'), 'utf8')) as { caseNumber: string }[]
    await waitFor(`${a.id}: the platform to hold ${expected.length} cases`, async () => (await storedCases(w.platform, a.code)).length === expected.length)
    const stored = await storedCases(w.platform, a.code)
    for (const e of expected) t.same(stored.find(c => c.caseNumber === e.caseNumber), e, `${a.id}: ${e.caseNumber} as expected`)
    t.same(namesIn(w.sshd, `${a.dir}/processed`).length, 2, `${a.id}: file and marker moved to processed/`)
  }
})

t.test('a CSV with broken rows delivers its good rows and quarantines each bad one with its file and line', async t => {
  const w = await startWorld(t, 'sftp-broken')
  const text = [HEADER, urbanRow(1), `${urbanRow(2)},extra-field`, urbanRow(3).replace('20240201,20240201,20240201', '20240231,20240201,20240201'), urbanRow(4), ''].join('\r\n')
  drop(w.sshd, URBAN.dir, 'day.csv', iconv.encode(text, 'gbk'))
  const summary = await w.hub.pullNow(URBAN.id)
  t.equal(summary?.quarantined, 2, 'two rows quarantined')
  await waitFor('the two good rows on the platform', async () => (await storedCases(w.platform, URBAN.code)).length === 2)
  t.same((await storedCases(w.platform, URBAN.code)).map(c => c.caseNumber).sort(), ['沛城管简〔2024〕000001号', '沛城管简〔2024〕000004号'])
  const quarantine = await w.hub.ledger.quarantine(URBAN.id)
  const parse = quarantine.find(q => q.stage === 'parse')
  t.same(parse?.origin, { file: 'day.csv', line: 3 }, 'the unreadable row: file and line')
  t.match(parse?.problems[0]?.message, /day\.csv, line 3: expected 13 fields as the header row has, found 14/, 'what was expected')
  const mapping = quarantine.find(q => q.stage === 'mapping')
  t.same(mapping?.origin, { file: 'day.csv', line: 4 }, 'the row that failed mapping: file and line')
  t.equal(mapping?.caseNumber, '沛城管简〔2024〕000003号')
  t.ok(mapping?.problems.some(p => p.sourceField === 'LASJ'), 'names the source field')
  t.same(namesIn(w.sshd, `${URBAN.dir}/processed`), ['day.csv', 'day.csv.ok'], 'the file is processed, not rejected: its good rows went through')
})

t.test('a connection dropped mid-file (sshd killed during the read) leaves the file in place, and after reconnecting it is ingested once', async t => {
  const w = await startWorld(t, 'sftp-drop', { pageSize: 500, retries: 1 })
  const rows = 20_000
  const text = [HEADER, ...Array.from({ length: rows }, (_, i) => urbanRow(i + 1)), ''].join('\r\n')
  drop(w.sshd, URBAN.dir, 'big.csv', iconv.encode(text, 'gbk'))
  let stopped = false
  w.onPage.hook = () => {
    if (stopped) return
    stopped = true
    void w.sshd.stop() // kills synchronously: the read in progress loses its connection
  }
  const interrupted = await w.hub.pullNow(URBAN.id)
  t.equal(stopped, true, 'sshd was stopped after the first page')
  t.equal(interrupted, undefined, 'the pull failed (logged; the hub goes on)')
  const deliveredBefore = w.pages.reduce((n, p) => n + p.records, 0)
  t.ok(deliveredBefore < rows, `only part of the file was read before the drop (${deliveredBefore} of ${rows})`)

  await w.sshd.start()
  t.same(namesIn(w.sshd, URBAN.dir), ['big.csv', 'big.csv.ok', 'processed', 'rejected'], 'the file stayed in place')
  const resumed = await w.hub.pullNow(URBAN.id)
  t.ok(resumed !== undefined, 'the next pull reconnects and completes')
  await waitFor(`all ${rows} cases on the platform`, () => w.platform.stats().agencies[URBAN.code]?.stored === rows, { timeoutMs: 60_000, describe: () => JSON.stringify(w.platform.stats().agencies[URBAN.code]) })
  t.equal(w.platform.stats().agencies[URBAN.code]?.applied, rows, 'each case written to the platform once')
  t.same(namesIn(w.sshd, `${URBAN.dir}/processed`), ['big.csv', 'big.csv.ok'], 'moved to processed/ once complete')
  t.equal(resumed?.changed, rows - deliveredBefore, 'the replayed part was recognised by the ledger and not sent again')
})
