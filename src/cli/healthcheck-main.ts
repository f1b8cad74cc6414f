#!/usr/bin/env node
/**
 * The container's HEALTHCHECK (and a systemd or monitoring probe): load the hub's own
 * configuration — the file CASEBRIDGE_CONFIG names, the one the hub runs with — and ask
 * its admin API's /healthz on the port that configuration sets, so changing admin.port
 * never leaves a probe knocking on the old one. Exit 0 healthy, 1 not, 2 cannot tell
 * (no or invalid configuration). Prints one line, never a secret.
 */
import { loadConfig } from '../config/load-config.js'
import { builtInRegistry } from '../../adapters/index.js'
import { healthUrlOf, probeHealth } from './health-probe.js'

const PROBE_TIMEOUT_MS = 4000

async function main (): Promise<number> {
  const file = process.argv[2] ?? process.env.CASEBRIDGE_CONFIG
  if (file === undefined || file === '') {
    process.stderr.write('casebridge healthcheck: name the hub configuration (CASEBRIDGE_CONFIG or the first argument)\n')
    return 2
  }
  let url: string
  try {
    url = healthUrlOf((await loadConfig(file, builtInRegistry())).admin)
  } catch (err) {
    process.stderr.write(`casebridge healthcheck: ${(err as Error).message}\n`)
    return 2
  }
  const { ok, detail } = await probeHealth(url, PROBE_TIMEOUT_MS)
  process.stdout.write(`${ok ? 'healthy' : 'unhealthy'}: ${detail}\n`)
  return ok ? 0 : 1
}

main().then(code => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`casebridge healthcheck: ${(err as Error).message}\n`)
  process.exitCode = 2
})
