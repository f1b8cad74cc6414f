/**
 * `casebridge check-config` checks the transfer-risk section too: the rules file it names
 * (refused at file:line:column, in the operator's language) and the party secret's length.
 * Runs the CLI as a child process; no server.
 */
import t from 'tap'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { DEMO_MAPPING } from '../helpers/world.js'

const SECRET = 'party-secret-check-config-0123456789abcdef'

function configWith (files: ReturnType<typeof tempDir>, rulesFile: string): string {
  return files.write(`hub-${Math.random().toString(36).slice(2)}.yaml`, JSON.stringify({
    targets: { platform: { kind: 'http-batch', baseUrl: 'http://127.0.0.1:9', token: { env: 'RULES_TEST_PLATFORM_TOKEN' } } },
    agencies: [{ id: 'market-regulation-peixian', mapping: DEMO_MAPPING, target: 'platform', source: { kind: 'http-pull', baseUrl: 'http://127.0.0.1:9' } }],
    risk: { rulesFile, partySecret: { env: 'RULES_TEST_PARTY_SECRET' } },
  }))
}

const env = (secret = SECRET): NodeJS.ProcessEnv => ({ RULES_TEST_PLATFORM_TOKEN: 'x', RULES_TEST_PARTY_SECRET: secret })

t.test('check-config loads the rules file and refuses a broken one at file:line:column', async t => {
  const files = tempDir(t)
  const shipped = await runCli(['check-config', configWith(files, join(projectRoot, 'mappings', 'transfer-risk.yaml')), '--json', '--lang', 'en'], { env: env() })
  t.equal(shipped.code, 0, `the shipped example rules are valid: ${shipped.stdout}${shipped.stderr}`)

  const broken = files.write('rules.yaml', 'nearShare: 0.8\nthresholds:\n  - { id: x, causeContains: [伪劣], amount: sales, threshold: "1.00", citation: c }\n')
  const en = await runCli(['check-config', configWith(files, broken), '--json', '--lang', 'en'], { env: env() })
  t.equal(en.code, 2, 'a broken rules file makes the config invalid')
  t.match(JSON.parse(en.stdout), { valid: false, error: { code: 'CB_ERR_MAPPING_FILE', problems: [new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: `)] } }, 'named at file:line:column')
  const zh = await runCli(['check-config', configWith(files, broken), '--lang', 'zh-CN'], { env: env() })
  t.equal(zh.code, 2)
  t.match(zh.stderr, /rules\.yaml:3:\d+: .*(involved|illegalGains)/, 'and in Chinese, with the allowed amounts')

  const short = await runCli(['check-config', configWith(files, join(projectRoot, 'mappings', 'transfer-risk.yaml')), '--json', '--lang', 'en'], { env: env('too-short') })
  t.equal(short.code, 2, 'a party secret under 32 bytes is refused')
  t.match(short.stdout, /risk\.partySecret|partySecret/)
  t.notMatch(short.stdout + short.stderr, /too-short/, 'and the secret itself is not shown')
})
