import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { DEMO_MAPPING, startWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/temp-files.js'
import { runCli } from '../helpers/run-cli.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

t.test('casebridge quarantine retry re-maps the quarantine with the edited mapping; the hub then delivers what became valid', async t => {
  const world = await startWorld(t, 'qretry', { agency: { records: 160, seed: 17 } })
  const files = tempDir(t)
  const mappingFile = files.write('market.yaml', readFileSync(DEMO_MAPPING, 'utf8'))
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as { agencies: Array<Record<string, unknown>> }
  config.agencies[0]!.mapping = mappingFile
  const configFile = files.write('hub.yaml', JSON.stringify(config))
  const stats = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number; invalidCases: Array<{ field: string }> }
  const expected = stats.records - stats.invalidByDesign
  const fixable = stats.invalidCases.filter(c => c.field === '/transfer/suspectedCrime').length
  t.ok(fixable > 0, 'some transferred records are flagged not suspected (a stale SFSXFZ column)')

  const first = await startHub({ config: await loadConfig(configFile, builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  await first.pullNow(AGENCY)
  await waitFor('the first sync', () => world.platform.stats().totals.stored === expected)
  await first.close()

  writeFileSync(mappingFile, readFileSync(DEMO_MAPPING, 'utf8').replace('version: "2024.1"', 'version: "2024.9"')
    .replace('/transfer/suspectedCrime:        { from: SFSXFZ, table: yesNo, required: true }', '/transfer/suspectedCrime:        { required: true, choose: [{ when: { field: AJZT, equals: "50" }, const: true }, { from: SFSXFZ, table: yesNo }] }'))

  const usage = await runCli(['quarantine', 'retry', '--config', configFile, '--lang', 'en'], { env: world.env })
  t.equal(usage.code, 2, 'without --agency: a usage error')
  t.match(usage.stderr, /quarantine retry needs --agency/)
  const unknown = await runCli(['quarantine', 'retry', '--agency', 'nope', '--config', configFile], { env: world.env })
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, new RegExp(`中没有机构“nope”；已配置：${AGENCY}`), 'in the config\'s language (hub.locale, zh-CN by default)')

  const run = await runCli(['quarantine', 'retry', '--agency', AGENCY, '--config', configFile], { env: world.env })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout.trim(), `${AGENCY}：已用映射版本 2024.9 重新处理 ${stats.invalidByDesign} 条隔离记录：${fixable} 条放行（${fixable} 条已排队推送），${stats.invalidByDesign - fixable} 条仍无效，0 条跳过`)

  const english = await runCli(['quarantine', 'retry', '--agency', AGENCY, '--config', configFile, '--lang', 'en'], { env: world.env })
  t.equal(english.stdout.trim(), `${AGENCY}: ${stats.invalidByDesign - fixable} quarantined records re-processed with mapping 2024.9: 0 released (0 queued for delivery), ${stats.invalidByDesign - fixable} still invalid, 0 skipped`, '--lang en: in English')

  const json = await runCli(['quarantine', 'retry', '--agency', AGENCY, '--config', configFile, '--json'], { env: world.env })
  t.equal(json.code, 0)
  t.strictSame(JSON.parse(json.stdout), { agency: AGENCY, examined: stats.invalidByDesign - fixable, released: 0, enqueued: 0, stillInvalid: stats.invalidByDesign - fixable, skipped: 0, unmappable: 0, mappingVersion: '2024.9' }, 'a later run finds only the records still invalid')

  const second = await startHub({ config: await loadConfig(configFile, builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await second.close())
  await waitFor('the released records delivered', () => world.platform.stats().totals.stored === expected + fixable, { describe: () => JSON.stringify(world.platform.stats().totals) })
  t.equal((await second.ledger.quarantine(AGENCY)).length, stats.invalidByDesign - fixable)
})
