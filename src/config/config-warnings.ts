import { isIP } from 'node:net'
import type { MessageKey, MessageParams } from '../i18n/translate.js'
import type { LoadedConfig } from './load-config.js'

/**
 * What a valid configuration may still get wrong in a way worth saying: check-config prints
 * these and the hub logs them at start, neither refuses the config (a test hub on 0.0.0.0
 * inside a container is legitimate). `code` is stable, for machines; `key` and `params`
 * are the operator's text in either language.
 */
export interface ConfigWarning {
  readonly code: 'admin_exposed_without_tokens'
  readonly key: MessageKey
  readonly params: MessageParams
}

/** Whether `host` is only reachable from this machine (a name other than localhost may resolve anywhere). */
export function isLoopbackHost (host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare
  return isIP(v4) === 4 && v4.startsWith('127.')
}

export function configWarnings (config: Pick<LoadedConfig, 'admin'>): ConfigWarning[] {
  const warnings: ConfigWarning[] = []
  // No tokens: the API answers 401 to everyone, but the probes and (unless it asks for a token) /metrics answer anyone who reaches the port.
  if (config.admin.tokens.length === 0 && !isLoopbackHost(config.admin.host)) {
    warnings.push({ code: 'admin_exposed_without_tokens', key: 'config.warning.adminExposedWithoutTokens', params: { host: config.admin.host, port: config.admin.port } })
  }
  return warnings
}
