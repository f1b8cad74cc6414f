/**
 * One sync scenario, run against every kind of target: today's canonical platform, the
 * provincial exchange (its own field names, codes, signature, answer codes; no idempotency,
 * no fencing) and the 前置库 exchange table on PostgreSQL and MariaDB with its collector.
 * Exactly the source's valid cases arrive, each once, in the platform's own form.
 */
import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld } from '../helpers/world.js'
import { startTarget, TARGET_KINDS } from '../helpers/targets.js'
import { waitFor } from '../helpers/wait-for.js'

const AGENCY = 'market-regulation-peixian'

for (const kind of TARGET_KINDS) {
  t.test(`${kind}: every valid case of the source is delivered once, in the platform's form`, async t => {
    const world = await startWorld(t, `sync-${kind}`, { agency: { records: 300, seed: 71 } })
    const target = await startTarget(t, kind, `sync_${kind.replace('-', '_')}`)
    const source = await (await fetch(`${world.agency.url}/__sim/stats`)).json() as { records: number; invalidByDesign: number }
    const expected = source.records - source.invalidByDesign
    const config = await loadConfig(world.writeConfig({ target: target.section, pageSize: 100 }), builtInRegistry(), { ...world.env, ...target.env })
    const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger() })
    t.teardown(async () => await hub.close())

    const counters = async (): Promise<string> => JSON.stringify({ target: await target.totals(), hub: await hub.ledger.counters(AGENCY) })
    await waitFor(`every valid case held by the ${kind} target`, async () => (await target.totals()).stored + (await hub.ledger.counters(AGENCY)).held === expected, { timeoutMs: 90_000, intervalMs: 200, describe: counters })
    await waitFor('every acknowledgement in the ledger', async () => await hub.ledger.ackedCount(AGENCY) === (await target.totals()).stored, { timeoutMs: 30_000, describe: counters })
    const totals = await target.totals()
    const held = (await hub.ledger.counters(AGENCY)).held
    t.ok(totals.stored > 0, `the target holds cases (${totals.stored}; ${held} held by the hub for missing required fields)`)
    t.equal(totals.applied, totals.stored, 'each case applied once')
    t.equal(totals.reapplied, 0, 'no version went back')
    t.equal(totals.rejected, 0, 'the platform refused no record the hub sent')
    t.same(await hub.ledger.deadLetters(AGENCY), [], 'no dead letters')
  })
}
