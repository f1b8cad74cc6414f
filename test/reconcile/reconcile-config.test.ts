import t from 'tap'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'
import { ConfigError } from '../../src/errors.js'
import { projectRoot } from '../../src/paths.js'
import { alarmsConfig, reconcileConfig } from '../../src/reconcile/reconcile-config.js'
import { builtInRegistry } from '../../adapters/index.js'
import { tempDir } from '../helpers/temp-files.js'
import { DEMO_MAPPING } from '../helpers/world.js'

const ENV = { CASEBRIDGE_REDIS_URL: 'redis://127.0.0.1:6379', CASEBRIDGE_PLATFORM_TOKEN: 'x', CASEBRIDGE_DEMO_ADMIN_TOKEN_SHA256: 'a'.repeat(64), CASEBRIDGE_DEMO_PARTY_SECRET: 'p'.repeat(32), HOOK_SECRET: 's3cret-s3cret-s3cret-s3cret-s3cret!' }

function hubYaml (agencyExtra: string, top = ''): string {
  return `${top}
targets:
  platform: { kind: http-batch, baseUrl: "http://127.0.0.1:1", token: { env: CASEBRIDGE_PLATFORM_TOKEN } }
agencies:
  - id: a1
    mapping: ${DEMO_MAPPING}
    target: platform
    source: { kind: http-pull, baseUrl: "http://127.0.0.1:2" }
${agencyExtra}
`
}

t.test('reconciliation and alarm settings have defaults from the schema', async t => {
  const file = tempDir(t).write('hub.yaml', hubYaml(''))
  const config = await loadConfig(file, builtInRegistry(), ENV)
  const r = reconcileConfig(config.agencies[0]!)
  t.same({ ...r }, { enabled: true, schedule: '0 */15 * * * *', minAgeSeconds: 600, lagLimitSeconds: 3600, entryDeadlineDays: 7, lateEntryWindowSeconds: 86400, autoRepair: false, unreachableAfterSeconds: 300, silentAfterSeconds: 86400 })
  const a = alarmsConfig(config)
  t.same(a.webhooks, [], 'no webhooks unless configured')
  t.same(a.severity.missing_in_target, { warning: 1, critical: 10 }, 'per-kind severity thresholds')
  t.same(a.delivery, { attempts: 12, backoffMs: 2000 })
})

t.test('a webhook secret comes from the environment', async t => {
  const file = tempDir(t).write('hub.yaml', hubYaml('', 'alarms:\n  webhooks:\n    - { url: "http://127.0.0.1:9/hook", secret: { env: HOOK_SECRET } }'))
  const config = await loadConfig(file, builtInRegistry(), ENV)
  t.equal(alarmsConfig(config).webhooks[0]?.secret, 's3cret-s3cret-s3cret-s3cret-s3cret!')
  t.equal(alarmsConfig(config).webhooks[0]?.timeoutMs, 10000, 'with a default timeout')
})

t.test('bad reconciliation settings are refused with their line, path and what was expected', async t => {
  const file = tempDir(t).write('hub.yaml', hubYaml('    reconcile:\n      minAgeSeconds: -5\n      entryDeadlineFrom: "last year"\n      autoRepiar: true'))
  const err = await loadConfig(file, builtInRegistry(), ENV).catch((e: unknown) => e)
  t.type(err, ConfigError)
  const problems = (err as ConfigError).problems.join('\n')
  t.match(problems, /\d+:\d+ agencies\[0\]\.reconcile\.minAgeSeconds/, 'the negative minimum age')
  t.match(problems, /entryDeadlineFrom/, 'the date that is not a date')
  t.match(problems, /autoRepiar/, 'the misspelt key')
})

t.test('the demo configuration reconciles its HTTP agency and judges late entries from 2025 on, for every agency', async t => {
  const config = await loadConfig(join(projectRoot, 'config', 'demo.yaml'), builtInRegistry(), ENV)
  const r = reconcileConfig(config.agencies.find(a => a.id === 'market-regulation-peixian')!)
  t.equal(r.entryDeadlineFrom, '2025-01-01')
  t.equal(r.minAgeSeconds, 30)
  // The file-drop agencies' 2024 exports are back-filled history too: not late entries in the supervision view.
  t.same(config.agencies.map(a => [a.id, reconcileConfig(a).entryDeadlineFrom]), config.agencies.map(a => [a.id, '2025-01-01']), 'every demo agency judges late entries from 2025 on')
})
