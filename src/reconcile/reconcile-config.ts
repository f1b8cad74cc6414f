import type { AgencyConfig, LoadedConfig } from '../config/load-config.js'

/** An agency's `reconcile:` section after loading: the schema filled in every default. */
export type ReconcileConfig = AgencyConfig['reconcile']

export interface AlarmWebhookConfig {
  readonly name?: string
  readonly url: string
  /** Resolved from the environment when the config was loaded. */
  readonly secret: string
  readonly timeoutMs: number
}

export interface AlarmsConfig {
  readonly webhooks: readonly AlarmWebhookConfig[]
  readonly delivery: { readonly attempts: number; readonly backoffMs: number }
  readonly severity: Readonly<Record<string, { readonly warning: number; readonly critical: number } | undefined>>
}

/**
 * The loader validated and defaulted these sections against schemas/config.schema.json
 * (a config built in code goes through the same schema: test/helpers' config builders);
 * these accessors only name the parts the reconciler and the alarms use.
 */
export function reconcileConfig (agency: AgencyConfig): ReconcileConfig {
  return agency.reconcile
}

export function alarmsConfig (config: LoadedConfig): AlarmsConfig {
  const { webhooks, delivery, severity } = config.alarms
  return {
    webhooks: webhooks.map(w => ({ ...(w.name === undefined ? {} : { name: w.name }), url: w.url, secret: w.secret, timeoutMs: w.timeoutMs })),
    delivery,
    severity,
  }
}
