import type { AgencyConfig, LoadedConfig } from '../config/load-config.js'
import type { HubConfig } from '../generated/config.js'

type RawReconcile = NonNullable<HubConfig['agencies'][number]['reconcile']>
type RawAlarms = NonNullable<HubConfig['alarms']>

/** An agency's `reconcile:` section after loading: the schema filled in every default. */
export type ReconcileConfig = Required<Omit<RawReconcile, 'entryDeadlineFrom' | 'agencyCode'>> & Pick<RawReconcile, 'entryDeadlineFrom' | 'agencyCode'>

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

const RECONCILE_DEFAULTS: ReconcileConfig = {
  enabled: true, schedule: '0 */15 * * * *', minAgeSeconds: 600, lagLimitSeconds: 3600, entryDeadlineDays: 7,
  autoRepair: false, unreachableAfterSeconds: 900, silentAfterSeconds: 86400,
}

/**
 * The loader validated and defaulted these sections against schemas/config.schema.json;
 * these accessors only give them their types (and the same defaults for a config built
 * in code, e.g. by a benchmark).
 */
export function reconcileConfig (agency: AgencyConfig): ReconcileConfig {
  const raw = (agency as AgencyConfig & { reconcile?: RawReconcile }).reconcile ?? {}
  return { ...RECONCILE_DEFAULTS, ...raw } as ReconcileConfig
}

export function alarmsConfig (config: LoadedConfig): AlarmsConfig {
  const raw = (config as LoadedConfig & { alarms?: RawAlarms }).alarms ?? {}
  return {
    webhooks: (raw.webhooks ?? []).map(w => ({ ...(w.name === undefined ? {} : { name: w.name }), url: w.url, secret: w.secret as unknown as string, timeoutMs: w.timeoutMs ?? 10_000 })),
    delivery: { attempts: raw.delivery?.attempts ?? 12, backoffMs: raw.delivery?.backoffMs ?? 2000 },
    severity: (raw.severity ?? {}) as AlarmsConfig['severity'],
  }
}
