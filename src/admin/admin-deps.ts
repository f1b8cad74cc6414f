import type { Queue } from 'bullmq'
import type { RedisClient } from '../redis/redis-client.js'
import type { Logger } from 'pino'
import type { LoadedConfig } from '../config/load-config.js'
import type { Ledger } from '../ledger/ledger.js'
import type { PushJobData } from '../delivery/push-job.js'
import type { PullSummary } from '../sync/pull-agency.js'
import type { TargetHealth } from '../metrics/target-health.js'
import type { HubMetrics, OpenAlarmCount } from '../metrics/hub-metrics.js'
import type { Locale } from '../i18n/translate.js'
import type { AlarmService } from '../alarms/alarm-service.js'
import type { ReconcileResult } from '../reconcile/findings.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { ReadinessDeps } from './readiness.js'
import type { ReprocessSummary } from '../sync/reprocess-quarantine.js'
import type { UnpulledBacklog } from '../lag/unpulled-backlog.js'
import type { Supervision } from './supervision.js'
import type { HubRisk } from '../risk/hub-risk.js'
import type { FeedbackPath } from '../feedback/feedback-path.js'

/** One agency as the admin API knows it. */
export interface AdminAgency {
  readonly id: string
  readonly name: string
  readonly target: string
}

/** Everything the admin API reads or acts on; the hub assembles it. */
export interface AdminDeps extends ReadinessDeps {
  readonly redis: RedisClient
  readonly ledger: Ledger
  /** `redis.keyPrefix`: the audit stream lives under it. */
  readonly keyPrefix: string
  readonly hub: { readonly name: string; readonly locale: Locale; readonly version: string; readonly startedAt: string }
  readonly admin: LoadedConfig['admin']
  readonly agencies: readonly AdminAgency[]
  /** Push queues by target id. */
  readonly queues: ReadonlyMap<string, Queue<PushJobData>>
  readonly batchSize: number
  readonly targets: TargetHealth
  readonly metrics: HubMetrics
  /** Start a pull of one agency now (resolves when it ends; undefined when it did not run). */
  readonly triggerPull: (agencyId: string) => Promise<PullSummary | undefined>
  readonly logger: Logger
  /** Open alarms by agency and kind; absent while the hub has no alarm module. */
  readonly openAlarms?: () => Promise<readonly OpenAlarmCount[]>
  /** Desync and watchdog alarms (list, acknowledge); the alarm routes exist only with it. */
  readonly alarms?: Pick<AlarmService, 'list' | 'acknowledge'>
  /** Reconcile one agency now; the reconcile route exists only with it. */
  readonly reconcileNow?: (agencyId: string, opts: { repair?: boolean; fullListing?: boolean }) => Promise<ReconcileResult>
  /** Re-process one agency's quarantine with its mapping in use; the quarantine-retry route exists only with it. */
  readonly reprocessQuarantine?: (agencyId: string) => Promise<ReprocessSummary>
  /** Each agency's mapping in use (hot-reloaded): the mapping preview and viewer masking use it. */
  readonly mappings?: ReadonlyMap<string, { current (): CompiledMapping }>
  /** What waits at an agency's source that no pull has read (src/lag/unpulled-backlog.ts); absent: unknown for every agency. */
  readonly backlog?: (agencyId: string) => Promise<UnpulledBacklog>
  /** The supervisor's view per agency (src/admin/supervision.ts); the supervision route exists only with it. */
  readonly supervision?: Supervision
  /** Re-send one case through the push queue (src/reconcile/hub-reconciliation.ts replayCase); the replay route exists only with it. */
  readonly replayCase?: (agencyId: string, caseNumber: string) => Promise<{ enqueued: number; notes: readonly string[] }>
  /** The hub config file: its folder is taken off paths in answers to callers below admin (machine-paths.ts). */
  readonly configFile?: string
  /** Transfer-risk findings (src/risk); absent: the feature is off. */
  readonly risk?: Pick<HubRisk, 'findings' | 'findingCounts'>
  /** The feedback path (platform decisions → agencies); the feedback route exists only with it. */
  readonly feedback?: Pick<FeedbackPath, 'counts' | 'store' | 'agencyIds' | 'retryDeadLetters' | 'feedbackPending'>
}
