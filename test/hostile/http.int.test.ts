/**
 * The hostile-input catalogue's HTTP cases (fixtures/hostile/catalogue.ts): each page is
 * served verbatim by the real agency simulator to a hub pulling it with the http-pull
 * source, delivering to the real platform simulator through real Redis. One world and one
 * hub for all cases, in order; the hub must survive every one and still deliver at the end.
 */
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { builtInRegistry } from '../../adapters/index.js'
import { HTTP_CASES, marketRecord, pageOf } from '../../fixtures/hostile/catalogue.js'
import { startWorld, TEST_PLATFORM_TOKEN } from '../helpers/world.js'
import { capturingLogger } from '../helpers/log-capture.js'
import { at, checkNoPollution, checkQuarantined, findEntry, lastPullFailure, platformCases, prototypeSnapshot, waitDelivered } from './hostile-kit.js'

const AGENCY = 'market-regulation-peixian'
const AGENCY_CODE = '11320322014165834G'

t.test('hostile pages from an agency system: each has its documented outcome, the good records beside it arrive, the hub keeps running', async t => {
  const before = prototypeSnapshot()
  const world = await startWorld(t, 'hostile-http', { agency: { records: 0 } })
  const file = world.writeConfig({ pageSize: 200, schedule: '0 0 0 1 1 *' })
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { push: Record<string, unknown> }
  doc.push = { ...doc.push, batchSize: 500 }
  writeFileSync(file, JSON.stringify(doc))
  const log = capturingLogger('info')
  const hub = await startHub({ config: await loadConfig(file, builtInRegistry(), world.env), registry: builtInRegistry(), logger: log.logger, schedule: false })
  t.teardown(async () => await hub.close())

  for (const c of HTTP_CASES) {
    await t.test(`${c.id}: ${c.input}`, async t => {
      const good = marketRecord(`GOOD-${c.id}`)
      world.agency.serveRaw(c.answer(good))
      const summary = await hub.pullNow(AGENCY)
      const o = c.outcome
      if (o.kind === 'pull-fails') {
        t.equal(summary, undefined, 'the pull failed')
        const failure = lastPullFailure(log.entries())
        t.equal(failure?.code, o.code, 'with the documented code')
        t.match(failure?.message, o.says, 'saying what was wrong')
      } else {
        t.ok(summary !== undefined, 'the pull completed')
      }
      if (o.kind === 'quarantined') {
        const entries = await hub.ledger.quarantine(AGENCY)
        checkQuarantined(t, findEntry(entries, c.caseNumber === undefined ? { rule: o.rule } : { caseNumber: c.caseNumber }), o)
      }
      if (o.kind === 'delivered') {
        const held = await waitDelivered(world.platform, TEST_PLATFORM_TOKEN, AGENCY_CODE, [c.caseNumber ?? ''])
        t.equal(at(held.get(c.caseNumber ?? ''), o.field), o.value, `${o.field} arrived verbatim`)
      }
      if (c.withGood) await waitDelivered(world.platform, TEST_PLATFORM_TOKEN, AGENCY_CODE, [String(good.AJBH)])
      if (o.kind === 'quarantined' && c.caseNumber !== undefined) {
        t.notOk((await platformCases(world.platform, TEST_PLATFORM_TOKEN, AGENCY_CODE)).has(c.caseNumber), 'the hostile record was not delivered')
      }
    })
  }

  await t.test('afterwards the hub is healthy and delivers an ordinary page', async t => {
    const last = marketRecord('GOOD-after-all')
    world.agency.serveRaw({ body: pageOf([last]) })
    t.ok(await hub.pullNow(AGENCY), 'the pull completed')
    const held = await waitDelivered(world.platform, TEST_PLATFORM_TOKEN, AGENCY_CODE, ['GOOD-after-all'])
    t.equal((await fetch(`${hub.adminUrl}/healthz`)).status, 200, 'the hub answers its health probe')
    checkNoPollution(t, before, [...held.values()])
  })
})
