#!/usr/bin/env node
/**
 * The container's HEALTHCHECK (and a systemd or monitoring probe): load the hub's own
 * configuration — the file CASEBRIDGE_CONFIG names, the one the hub runs with — and ask
 * its admin API's /healthz on the port that configuration sets, so changing admin.port
 * never leaves a probe knocking on the old one. Exit 0 healthy, 1 not, 2 cannot tell
 * (no or invalid configuration). Prints one line (in CASEBRIDGE_LOCALE, else the hub's
 * language), never a secret.
 */
import { loadConfig, type LoadedConfig } from '../config/load-config.js'
import { builtInRegistry } from '../../adapters/index.js'
import { DEFAULT_LOCALE, isLocale, translator, type Locale } from '../i18n/translate.js'
import { healthUrlOf, probeHealth } from './health-probe.js'

const PROBE_TIMEOUT_MS = 4000

const localeOf = (config?: LoadedConfig): Locale => {
  const env = process.env.CASEBRIDGE_LOCALE
  return isLocale(env) ? env : config === undefined ? DEFAULT_LOCALE : config.hub.locale
}

async function main (): Promise<number> {
  const file = process.argv[2] ?? process.env.CASEBRIDGE_CONFIG
  if (file === undefined || file === '') {
    process.stderr.write(`casebridge healthcheck: ${translator(localeOf())('cli.healthcheck.noConfig')}\n`)
    return 2
  }
  let config: LoadedConfig
  let url: string
  try {
    config = await loadConfig(file, builtInRegistry())
    url = healthUrlOf(config.admin)
  } catch (err) {
    process.stderr.write(`casebridge healthcheck: ${translator(localeOf())('cli.healthcheck.unusable', { problem: (err as Error).message })}\n`)
    return 2
  }
  const t = translator(localeOf(config))
  const answer = await probeHealth(url, PROBE_TIMEOUT_MS)
  const line = 'cause' in answer
    ? t('cli.healthcheck.noAnswer', { url, cause: answer.cause })
    : t(answer.ok ? 'cli.healthcheck.healthy' : 'cli.healthcheck.badStatus', { url, status: answer.status })
  process.stdout.write(line + '\n')
  return answer.ok ? 0 : 1
}

main().then(code => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`casebridge healthcheck: ${(err as Error).message}\n`)
  process.exitCode = 2
})
