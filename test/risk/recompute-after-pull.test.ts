/**
 * When the findings are computed again after a pull (pure logic: the ledger, store and alarms
 * are stand-ins that count calls). A pull that changed cases computes at once; one that changed
 * nothing only when the last computation is a minute old by the monitor's clock — time limits
 * move with it — instead of re-reading every agency's facts after every pull.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RiskMonitor, UNCHANGED_REFRESH_MS } from '../../src/risk/risk-monitor.js'
import { compileRiskRules } from '../../src/risk/risk-rules.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import type { Ledger } from '../../src/ledger/ledger.js'
import type { FindingsStore } from '../../src/risk/findings-store.js'

t.test('a pull that changed nothing computes again only once the last computation is a minute old', async t => {
  const file = join(projectRoot, 'mappings', 'transfer-risk.yaml')
  const rules = compileRiskRules(readFileSync(file, 'utf8'), file)
  let reads = 0
  let nowMs = Date.parse('2026-12-01T00:00:00Z')
  const ledger = { riskFacts: async () => { reads++; return { facts: new Map(), crimeSeenMs: new Map() } } } as unknown as Ledger
  const store = { write: async () => undefined, counts: async () => ({}) } as unknown as FindingsStore
  const alarms = { report: async () => undefined, resolve: async () => undefined }
  const monitor = new RiskMonitor({ ledger, store, alarms, agencies: ['a', 'b'], rules: () => rules, now: () => nowMs, logger: silentLogger() })

  await monitor.recomputeAfterPull(false)
  t.equal(reads, 2, 'the first pull computes (both agencies\' facts read)')
  await monitor.recomputeAfterPull(false)
  t.equal(reads, 2, 'an unchanged pull right after: not again')
  await monitor.recomputeAfterPull(true)
  t.equal(reads, 4, 'a pull that changed cases: at once')
  nowMs += UNCHANGED_REFRESH_MS - 1
  await monitor.recomputeAfterPull(false)
  t.equal(reads, 4, 'unchanged, just under a minute later: not yet')
  nowMs += 1
  await monitor.recomputeAfterPull(false)
  t.equal(reads, 6, 'unchanged, a minute later: again (time limits move with the clock)')
  await monitor.recompute()
  t.equal(reads, 8, 'an explicit recompute (a rules edit, a reconciliation) always runs')
})
