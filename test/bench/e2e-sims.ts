/**
 * The end-to-end benchmark's simulators — several agency systems and the platform — in a
 * process of their own, as they are in a deployment: the hub (or the direct pipe) in the
 * benchmark's process does not share its event loop with them.
 *
 *   npx tsx test/bench/e2e-sims.ts --agencies 4 --per-agency 25000 --token T
 *
 * Prints one JSON line once all listen — { agencies: [{ url, records, invalidByDesign }],
 * platformUrl } — and stops on SIGTERM. Agency i is seeded with 100 + i.
 */
import { parseArgs } from 'node:util'
import { startAgencySimulator } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { closeOnSignal } from '../../fixtures/sim-shared/cli.js'

const AGENCY_SEED_BASE = 100

const { values } = parseArgs({ options: { agencies: { type: 'string' }, 'per-agency': { type: 'string' }, token: { type: 'string' } } })
const agencies = await Promise.all(Array.from({ length: Number(values.agencies ?? 1) }, async (_, i) =>
  await startAgencySimulator({ port: 0, seed: AGENCY_SEED_BASE + i, records: Number(values['per-agency'] ?? 0) })))
const platform = await startPlatformSimulator({ port: 0, tokens: [values.token ?? ''] })
closeOnSignal('e2e-sims', { close: async () => { await Promise.all([...agencies, platform].map(async s => await s.close())) } })
process.stdout.write(JSON.stringify({
  agencies: agencies.map(a => ({ url: a.url, records: a.stats().records, invalidByDesign: a.stats().invalidByDesign })),
  platformUrl: platform.url,
}) + '\n')
