import t from 'tap'
import { execFile } from 'node:child_process'
import { projectRoot } from '../../src/paths.js'
import type { ReconcileResult } from '../../src/reconcile/findings.js'
import { driftWorld, plantDrift, startDriftHub, syncAll, waitPastMinimumAge } from './drift-scenario.js'
import { AGENCY } from './reconcile-world.js'
import { waitFor } from '../helpers/wait-for.js'

function cli (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: projectRoot, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : 1), stdout, stderr })
    })
  })
}

t.test('casebridge reconcile --config runs the reconciliation from the config file, without a running hub', async t => {
  const { world, file, late } = await driftWorld(t, 'cli')
  const hub = await startDriftHub(t, world, file)
  await syncAll(hub, world)
  const drift = await plantDrift(world, late)
  // The CLI reconciles in its own process, on the machine's clock: here the minimum age is waited for.
  await waitPastMinimumAge(drift.at)

  const json = await cli(['reconcile', '--config', file, '--agency', AGENCY, '--json'], world.env)
  t.equal(json.code, 0, 'exit 0')
  const result = JSON.parse(json.stdout) as ReconcileResult
  t.equal(result.findings.missing_in_target.count, 17, 'the JSON result carries the findings')
  t.equal(result.findings.orphan_in_target.count, 3, 'orphans too')
  t.equal((await hub.alarms.list({ agencyId: AGENCY, state: 'open' })).length, 5, 'the alarms it raised are in Redis for the hub')
  await waitFor('the running hub to deliver what the CLI raised', () => world.webhook.deliveries.length >= 5)
  t.ok(world.webhook.deliveries.every(d => d.json.event === 'opened' && d.signatureValid), 'five signed notifications, sent by the hub\'s webhook worker')

  const text = await cli(['reconcile', '--config', file, '--agency', AGENCY], world.env)
  t.equal(text.code, 0, 'exit 0 with findings: it ran')
  t.match(text.stdout, /\(missing_in_target\)\s+17/, 'a readable line per kind found: its title, its code beside it, the count')
  t.match(text.stdout, /256 bucket\(s\) compared by digest: \d+ equal, holding \d+ case\(s\) on the platform; \d+ bucket\(s\) listed case by case/, 'and what was compared, and how')

  const unknown = await cli(['reconcile', '--config', file, '--agency', 'no-such-agency'], world.env)
  t.equal(unknown.code, 2, 'an unknown agency is a usage error')
  t.match(unknown.stderr, /market-regulation-peixian/, 'naming the agencies configured')
  t.match(unknown.stderr, /no agency "no-such-agency" in .*; configured: market-regulation-peixian/, 'in the config\'s language (this one says en)')
})
