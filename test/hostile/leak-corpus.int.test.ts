/**
 * Issue 12, finding 3: personal data in every shape that slipped past the old masks, in a
 * generated corpus of 10,000 agency records (fixtures/hostile/personal-data.ts), sent through a
 * real hub (agency simulator → http-pull → Redis → platform simulator). Afterwards not one ID
 * number, credit code, phone number or name of the corpus is in a log line, in what a viewer's
 * token is answered, in the CLI's masked output or in a webhook notification — while an
 * operator's answer does hold them (so the search would find a leak).
 */
import t from 'tap'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { builtInRegistry } from '../../adapters/index.js'
import { leakCorpus, leaksIn } from '../../fixtures/hostile/personal-data.js'
import { pageOf } from '../../fixtures/hostile/catalogue.js'
import { DEMO_MAPPING, startWorld } from '../helpers/world.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { startWebhookReceiver } from '../alarms/webhook-receiver.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'
const TOKENS = { viewer: 'leak-viewer-token', operator: 'leak-operator-token' }
const SECRET = 'leak-corpus-webhook-secret-32-bytes!'
const RECORDS = 10_000

t.test('a corpus of 10,000 records full of personal data in every shape: 0 leaks across logs, viewer API, CLI and webhooks', async t => {
  const corpus = leakCorpus(RECORDS)
  t.ok(corpus.secrets.ids.size >= RECORDS && corpus.secrets.phones.size >= RECORDS * 0.99 && corpus.secrets.names.size > 100, `the corpus holds ${corpus.secrets.ids.size} ID numbers, ${corpus.secrets.phones.size} phones, ${corpus.secrets.creditCodes.size} credit codes, ${corpus.secrets.names.size} names`)
  const world = await startWorld(t, 'leak-corpus', { agency: { records: 0 } })
  const receiver = await startWebhookReceiver(t, SECRET)
  const files = tempDir(t)
  const mapping = join(files.dir, 'market.yaml')
  copyFileSync(DEMO_MAPPING, mapping)
  const file = world.writeConfig({ pageSize: 200, schedule: '0 0 0 1 1 *', agency: { mapping }, admin: { tokens: (['viewer', 'operator'] as const).map(role => ({ id: `${role}-1`, role, sha256: hashToken(TOKENS[role]) })) } })
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  doc.alarms = { webhooks: [{ name: 'leaks', url: receiver.url, secret: { env: 'LEAK_WEBHOOK_SECRET' }, timeoutMs: 2000 }], delivery: { attempts: 3, backoffMs: 50 } }
  writeFileSync(file, JSON.stringify(doc))
  const env = { ...world.env, LEAK_WEBHOOK_SECRET: SECRET }
  const log = capturingLogger('info')
  const hub = await startHub({ config: await loadConfig(file, builtInRegistry(), env), registry: builtInRegistry(), logger: log.logger, schedule: false })
  t.teardown(async () => await hub.close())

  world.agency.serveRaw({ body: pageOf(corpus.records) })
  const summary = await hub.pullNow(AGENCY)
  t.ok(summary !== undefined, 'the corpus was pulled')
  const quarantined = await hub.ledger.quarantine(AGENCY)
  t.ok(quarantined.length >= RECORDS / 3, `records with a wrong check character are quarantined with their raw data (${quarantined.length})`)

  // A refused mapping edit: an alarm, a webhook notification carrying its detail.
  writeFileSync(mapping, readFileSync(mapping, 'utf8').replace('/factsSummary:                   { from: AQZY, text: [trim] }', '/factsSummary:                   { expr: "$pad(\'\', 200000000)" }'))
  await waitFor('the refused edit\'s webhook', () => receiver.deliveries.some(d => d.json.alarm.kind === 'mapping_invalid'), { timeoutMs: 20_000 })

  const call = async (path: string, role: keyof typeof TOKENS): Promise<string> => {
    const res = await fetch(`${hub.adminUrl}${path}`, { headers: { authorization: `Bearer ${TOKENS[role]}` } })
    t.equal(res.status, 200, `${role} ${path}`)
    return await res.text()
  }
  const viewerAnswers: string[] = []
  for (let offset = 0; offset < quarantined.length; offset += 1000) viewerAnswers.push(await call(`/api/agencies/${AGENCY}/quarantine?limit=1000&offset=${offset}`, 'viewer'))
  for (const path of ['/api/agencies', `/api/agencies/${AGENCY}`, `/api/agencies/${AGENCY}/dead-letters`, '/api/alarms?state=all', '/api/hub']) viewerAnswers.push(await call(path, 'viewer'))
  const preview = await fetch(`${hub.adminUrl}/api/mappings/preview`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.viewer}`, 'content-type': 'application/json' }, body: JSON.stringify({ agency: AGENCY, fileName: 'sample.json', sample: JSON.stringify(corpus.records.slice(0, 300)) }) })
  t.equal(preview.status, 200, 'a viewer previews with the mapping in use')
  viewerAnswers.push(await preview.text())

  const sample = files.write('corpus.json', JSON.stringify(corpus.records))
  const cliText = await runCli(['mapping', 'test', DEMO_MAPPING, sample])
  const cliJson = await runCli(['mapping', 'test', DEMO_MAPPING, sample, '--json'])
  const cliQuarantine = await runCli(['quarantine', 'list', '--agency', AGENCY], { env: { CASEBRIDGE_ADMIN_URL: hub.adminUrl, CASEBRIDGE_ADMIN_TOKEN: TOKENS.viewer } })
  t.equal(cliText.code, 1, 'the CLI ran over the corpus (exit 1: some records are invalid)')
  t.ok(cliJson.stdout.length > 100_000, 'and printed every result')
  t.equal(cliQuarantine.code, 0, 'casebridge quarantine list ran with a viewer token')

  const channels: Record<string, string> = {
    logs: log.entries().map(e => JSON.stringify(e)).join('\n'),
    'viewer API': viewerAnswers.join('\n'),
    CLI: [cliText.stdout, cliText.stderr, cliJson.stdout, cliQuarantine.stdout, cliQuarantine.stderr].join('\n'),
    webhooks: receiver.deliveries.map(d => d.body).join('\n'),
  }
  t.ok(channels.logs!.includes('record quarantined'), 'the logs hold the quarantine lines')
  for (const [channel, text] of Object.entries(channels)) {
    const leaks = leaksIn(text, corpus)
    t.same(leaks.slice(0, 10), [], `0 leaks in ${channel} (${text.length} characters searched; ${leaks.length} found)`)
  }
  const operator = await call(`/api/agencies/${AGENCY}/quarantine?limit=50`, 'operator')
  t.ok(leaksIn(operator, corpus).length > 0, 'an operator\'s answer holds the personal data: the search finds it where it is')
})
