// generated from schemas/config.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "stringOrEnv".
 */
export type StringOrEnv = string | EnvRef

/**
 * CaseBridge hub configuration (YAML). Secrets are never written here: they are environment references ({ env: NAME }). Adapter sections (`source`, target entries) are checked further by the adapter's own config schema.
 */
export interface HubConfig {
  hub?: {
    /**
     * Instance name shown in logs.
     */
    name?: string
    /**
     * Language of operator-facing texts.
     */
    locale?: 'zh-CN' | 'en'
    /**
     * Print one human-readable progress line per pulled page (the demo turns this on).
     */
    progress?: boolean
  }
  redis?: {
    /**
     * Redis URL, or an environment reference. Used when neither sentinels nor cluster is set.
     */
    url?: StringOrEnv
    /**
     * Redis Sentinel: the sentinels to ask where the primary of `name` is (list all of them: any one answering is enough). ioredis follows a failover by itself.
     *
     * @minItems 1
     */
    sentinels?: RedisNode[]
    /**
     * Redis Sentinel: the name of the watched primary (the sentinels' `sentinel monitor <name> …`).
     */
    name?: string
    /**
     * Redis Sentinel: the sentinels' own password (requirepass in sentinel.conf), an environment reference in production.
     */
    sentinelPassword?: StringOrEnv
    /**
     * Redis Cluster: some of its nodes (ioredis learns the rest). The hub's queues then live under a hash-tagged prefix (`<keyPrefix>:{bull}`): BullMQ's scripts need all keys of a queue in one slot.
     */
    cluster?: {
      /**
       * Nodes to start from.
       *
       * @minItems 1
       */
      nodes: RedisNode[]
    }
    /**
     * ACL user of the Redis data nodes, with sentinels or cluster (with url it goes into the URL).
     */
    username?: StringOrEnv
    /**
     * Password of the Redis data nodes, with sentinels or cluster (with url it goes into the URL); an environment reference in production.
     */
    password?: StringOrEnv
    /**
     * Talk TLS to the Redis data nodes and the sentinels, with sentinels or cluster (with url use a rediss:// URL).
     */
    tls?: {
      /**
       * CA certificate(s) (PEM) the servers' certificates must chain to, relative to this config file or absolute; unset: the system's CAs.
       */
      caFile?: string
      /**
       * The name the servers' certificates must carry, when it is not the host connected to.
       */
      servername?: string
    }
    /**
     * Prefix of every key the hub writes (ledger, cursors, queues).
     */
    keyPrefix?: string
    /**
     * Refuse to start when Redis has neither AOF nor RDB snapshots. The demo sets false (it only warns).
     */
    requirePersistence?: boolean
  }
  admin?: {
    /**
     * Address the admin/health API listens on.
     */
    host?: string
    /**
     * Port of the admin/health API (0 = any free port).
     */
    port?: number
    /**
     * Largest request body the admin API accepts (a mapping preview sample included); larger bodies are refused with 413.
     */
    bodyLimitBytes?: number
    /**
     * Bearer tokens allowed on /api routes, stored as SHA-256 hashes (`casebridge hash-token` prints one). Without tokens every /api route answers 401.
     */
    tokens?: AdminToken[]
    metrics?: {
      /**
       * Ask for a bearer token (any role) on GET /metrics. Metrics carry no personal data; turn this on where even counts are confidential.
       */
      requireToken?: boolean
    }
    /**
     * Rate limit on missing or wrong tokens, per client address (a token bucket).
     */
    badTokenLimit?: {
      /**
       * Bad tokens a client may send in a row before it is answered 429.
       */
      burst?: number
      /**
       * How fast the allowance refills.
       */
      perMinute?: number
    }
    /**
     * Whose X-Forwarded-For to believe for the client address (the bad-token limit and the audit stream key by it). false: none — the address is the TCP peer, so a client cannot pick its own address. A list of addresses or CIDR ranges: only a request coming from one of these proxies has its X-Forwarded-For read (right to left, up to the first untrusted hop). true trusts any sender: only where nothing but the proxy can reach the admin port.
     */
    trustProxy?: boolean | string[]
    /**
     * Serve the admin API over HTTPS (needed wherever it listens beyond the loopback address). With clientCaFile, mutual TLS: a client must present a certificate that CA signed, or the connection is refused before any request.
     */
    tls?: {
      /**
       * The server's private key (PEM), relative to this config file or absolute.
       */
      keyFile: string
      /**
       * The server's certificate chain (PEM).
       */
      certFile: string
      /**
       * CA certificate(s) (PEM) whose client certificates are accepted; unset: no client certificate asked for.
       */
      clientCaFile?: string
    }
    /**
     * The target probe behind /readyz and casebridge_hub_ready: each target is asked one cheap question (an HTTP HEAD, an SFTP stat of the inbox).
     */
    readiness?: {
      /**
       * A target that has not answered the probe within this time is not reachable.
       */
      probeTimeoutMs?: number
      /**
       * How long a probe's answer is reused, so frequent /readyz calls and scrapes cost the targets at most one request per interval.
       */
      cacheMs?: number
    }
  }
  logging?: {
    level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  }
  /**
   * Delivery to targets through the BullMQ push queue.
   */
  push?: {
    /**
     * Cases per push job and per platform request.
     */
    batchSize?: number
    /**
     * Push jobs in flight per hub process.
     */
    concurrency?: number
    /**
     * How long a push keeps being retried, counted from its first attempt (kept in the job's data in Redis, so a restart does not start it again): a case is dead-lettered at its first failed attempt after this. Two hours outlast a one-hour platform maintenance window with room to spare.
     */
    retryForSeconds?: number
    /**
     * Optional ceiling on attempts: a case is dead-lettered after this many even within retryForSeconds. Unset: only retryForSeconds decides.
     */
    attempts?: number
    backoff?: {
      /**
       * First retry delay; doubles each attempt.
       */
      delayMs?: number
      /**
       * Fraction of the delay that is randomised, so retries of many jobs spread out.
       */
      jitter?: number
      /**
       * Longest wait between two attempts, so a long outage is drained within this much of its end. A Retry-After the target asks for is honoured even when longer.
       */
      maxDelayMs?: number
    }
    /**
     * A push attempt running longer than this is aborted and retried.
     */
    jobTimeoutMs?: number
    /**
     * How long a job stays locked to a worker without renewal; after a crash, its job is taken over once this expires.
     */
    lockDurationMs?: number
    /**
     * Batches of one agency (agencyWindow × batchSize cases) that may be on their way to the target at once; a pull waits for room beyond that, so one agency's back-fill cannot hold up the others.
     */
    agencyWindow?: number
    /**
     * How often a job may be recovered from a crashed worker before it is dead-lettered.
     */
    maxStalledCount?: number
    /**
     * How long the hub remembers that an older version of a case may still reach the target (a job waiting to retry, a process paused in the middle of a request): while it does, the newest acknowledged version is kept so that it can be re-sent if the older one lands after it. A stale delivery later than this is left to reconciliation (target_regressed).
     */
    lateDeliveryWatchSeconds?: number
  }
  /**
   * Feedback (信息反馈): the platform's decisions on transferred cases, read from each target that lists them and written back to the agencies that have a `feedback.writer`.
   */
  feedback?: {
    /**
     * When each target's feedback listing is read: node-cron with seconds, or `every 250ms` (at least 100 ms). Runs once per tick across all hub processes.
     */
    schedule?: string
    /**
     * Decisions per listing page.
     */
    pageSize?: number
    /**
     * Decisions written at once by each hub process.
     */
    concurrency?: number
    /**
     * How long a decision the writer cannot write is retried (exponential backoff with jitter) before it becomes a dead letter.
     */
    retryForSeconds?: number
    backoff?: {
      /**
       * First retry delay; doubles per attempt.
       */
      delayMs?: number
      /**
       * Longest delay between two attempts.
       */
      maxDelayMs?: number
      /**
       * Share of each delay drawn at random.
       */
      jitter?: number
    }
    /**
     * A write job's lock; a process that died holding it loses it after this long and another takes the job over.
     */
    lockDurationMs?: number
    /**
     * Feedback reconciliation: the platform's complete decision list against what the hub wrote to the agencies.
     */
    reconcile?: {
      /**
       * node-cron expression (with seconds); once per tick across all hub processes.
       */
      schedule?: string
      /**
       * A decision the platform recorded less than this long ago may still be on its way: not reported as pending yet.
       */
      minAgeSeconds?: number
      /**
       * Write the decisions a reconciliation finds not written (those the incremental listing never showed, or that were lost) through the agency's writer. Dead letters are left to an operator (`casebridge feedback retry`).
       */
      repair?: boolean
    }
  }
  /**
   * Desync and watchdog alarms: one per agency and kind (open → acknowledged → resolved), logged and sent to webhooks once per state change.
   */
  alarms?: {
    /**
     * Where alarm state changes are POSTed (JSON, signed: X-CaseBridge-Timestamp: <unix seconds>, X-CaseBridge-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>" with the secret>; receivers refuse timestamps more than 300 s off).
     */
    webhooks?: AlarmWebhook[]
    /**
     * Webhook delivery through a queue: retries survive restarts.
     */
    delivery?: {
      /**
       * Attempts per webhook and state change before it is given up (and logged).
       */
      attempts?: number
      /**
       * First retry delay; doubles each attempt.
       */
      backoffMs?: number
    }
    /**
     * The incomplete_records alarm (信息不全): expected canonical field (JSON pointer, e.g. /dates/decided) → the least share of an agency's cases that must not miss it (0 to 1). Fields the agency's mapping declares absent are its known gaps and never alarm; {} turns the alarm off.
     */
    completeness?: {
      /**
       * This interface was referenced by `undefined`'s JSON-Schema definition
       * via the `patternProperty` "^(/[^/]+)+$".
       */
      [k: string]: number | undefined
    }
    /**
     * Severity by count of affected cases, per alarm kind: below `warning` info, from `warning` warning, from `critical` critical.
     */
    severity?: {
      missing_in_target?: SeverityThresholds
      source_changed_unsynced?: SeverityThresholds
      target_differs?: SeverityThresholds
      target_regressed?: SeverityThresholds
      orphan_in_target?: SeverityThresholds
      stale?: SeverityThresholds
      late_entry?: SeverityThresholds
      source_deleted?: SeverityThresholds
      agency_unreachable?: SeverityThresholds
      agency_silent?: SeverityThresholds
      source_problem?: SeverityThresholds
      mapping_invalid?: SeverityThresholds
      dead_letters?: SeverityThresholds
      incomplete_records?: SeverityThresholds
      near_threshold?: SeverityThresholds
      above_threshold_not_transferred?: SeverityThresholds
      repeat_party?: SeverityThresholds
      time_limit_warning?: SeverityThresholds
      time_limit_exceeded?: SeverityThresholds
      rules_invalid?: SeverityThresholds
      feedback_pending?: SeverityThresholds
    }
  }
  /**
   * Transfer-risk warnings and handling time limits (issue 19): findings to review, computed from facts recorded with every case version. Absent: the feature is off.
   */
  risk?: {
    /**
     * The rules file (YAML, schemas/risk-rules.schema.json), relative to this config file; watched for edits like a mapping.
     */
    rulesFile: string
    /**
     * Key of the HMAC-SHA256 that turns a party's ID number or credit code into the key repeat_party matches on (no plain ID is stored); at least 32 bytes. Changing it starts the matching afresh.
     */
    partySecret: EnvRef
    /**
     * false keeps the section but records no facts and computes no findings.
     */
    enabled?: boolean
  }
  /**
   * The per-case trace (src/README.md "Trace"): every state change of a case appends a hash-chained event in the same atomic step.
   */
  trace?: {
    /**
     * Record trace events. Off: nothing is recorded (traces already written stay readable and verifiable).
     */
    enabled?: boolean
    /**
     * Events older than this are pruned; the last pruned hash is kept as the chain's anchor.
     */
    retentionDays?: number
    /**
     * At most this many events are kept per case (the oldest pruned first, their last hash kept as the anchor).
     */
    maxEventsPerCase?: number
    /**
     * How often each agency's traces are pruned (incrementally: small batches of cases, one short script per batch of about 100 cases).
     */
    pruneIntervalSeconds?: number
  }
  /**
   * Named targets (usually one: the two-laws platform). Each entry is checked by its adapter's config schema.
   */
  targets: {
    [k: string]: AdapterSection | undefined
  }
  /**
   * @minItems 1
   */
  agencies: {
    /**
     * Stable hub-side id of the agency (keys, logs, metrics).
     */
    id: string
    name?: string
    enabled?: boolean
    /**
     * Mapping file, relative to the config file.
     */
    mapping: string
    /**
     * When to pull: a node-cron expression with seconds, or a rhythm below the second that cron cannot express, `every 250ms` (at least 100 ms; also `every 2s`). A case waits at the source for the next pull, so this bounds how soon it reaches the platform.
     */
    schedule?: string
    /**
     * Name of an entry under `targets`.
     */
    target: string
    source: AdapterSection
    /**
     * Write the platform's decisions on this agency's cases back to its system (信息反馈).
     */
    feedback?: {
      /**
       * The writer: `http` (a callback), `table` (a status table in PostgreSQL or MySQL/MariaDB) or `file` (one file per decision, in a directory or on SFTP); its keys in adapters/README.md.
       */
      writer: AdapterSection
      /**
       * The agency's unified social credit code as the platform files its decisions. Absent: `reconcile.agencyCode`, else the code the ledger learned from the agency's cases.
       */
      agencyCode?: string
    }
    /**
     * Reconciliation of this agency: source ⇄ ledger ⇄ platform, on a schedule and on demand (`casebridge reconcile`).
     */
    reconcile?: {
      /**
       * Reconcile this agency on its schedule (on-demand runs work either way).
       */
      enabled?: boolean
      /**
       * node-cron expression (with seconds) for reconciliations; runs once per tick across all hub processes.
       */
      schedule?: string
      /**
       * A case changed (at the source, in the ledger or on the platform) less than this long before a reconciliation starts, or during it, is not judged: it may be in flight.
       */
      minAgeSeconds?: number
      /**
       * A change the platform has not acknowledged this long after the hub first saw it is `stale`.
       */
      lagLimitSeconds?: number
      /**
       * 迟录 rule: a decision acknowledged by the platform after the end of the N-th day after the decision date is a `late_entry`.
       */
      entryDeadlineDays?: number
      /**
       * Decisions before this date (YYYY-MM-DD) are not judged late: history the hub back-fills was not entered late by it. Absent: every decision is judged.
       */
      entryDeadlineFrom?: string
      /**
       * A `late_entry` alarm (history: each run reports only the late entries acknowledged since the previous one) stays open or acknowledged until no new late entry has been found for this long; then a run that compared the platform resolves it. Acknowledge it (`casebridge ack`) to stop the page sooner.
       */
      lateEntryWindowSeconds?: number
      /**
       * After each scheduled reconciliation, re-send missing_in_target, source_changed_unsynced, target_differs and target_regressed cases through the push queue (orphans are never deleted). Every repair is written to the audit stream.
       */
      autoRepair?: boolean
      /**
       * Raise `agency_unreachable` when every pull has failed for this long (5 minutes: ten pulls at the default schedule; the Prometheus rule CaseBridgeAgencyUnreachable uses the same limit).
       */
      unreachableAfterSeconds?: number
      /**
       * Raise `agency_silent` when pulls succeed but have found nothing new or changed for this long, at an agency that has had changes before.
       */
      silentAfterSeconds?: number
      /**
       * The agency's unified social credit code as the platform files its cases. Learned from the source's cases when absent; needed only for a source without a full listing.
       */
      agencyCode?: string
    }
  }[]
}
/**
 * One webhook receiving alarm state changes.
 *
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "alarmWebhook".
 */
export interface AlarmWebhook {
  /**
   * Names the webhook in logs and delivery ids; defaults to a hash of the URL.
   */
  name?: string
  /**
   * Where to POST.
   */
  url: string
  /**
   * HMAC-SHA256 key for the signature header, from the environment; at least 32 bytes.
   */
  secret: EnvRef
  /**
   * Time allowed for one delivery attempt.
   */
  timeoutMs?: number
}
/**
 * Counts from which an alarm is a warning, and critical.
 *
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "severityThresholds".
 */
export interface SeverityThresholds {
  warning: number
  critical: number
}
/**
 * One admin API token: who it is (recorded in the audit stream), what it may do, and the SHA-256 of the token in hexadecimal — never the token itself.
 *
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "adminToken".
 */
export interface AdminToken {
  /**
   * Who holds the token; names the caller in the audit stream.
   */
  id: string
  /**
   * viewer: read, personal data masked; operator: read unmasked, retry, trigger pulls; admin: also discard and read the audit stream.
   */
  role: 'viewer' | 'operator' | 'admin'
  /**
   * SHA-256 of the token, 64 lowercase hexadecimal characters, or an environment reference holding it.
   */
  sha256: string | EnvRef
  /**
   * When the token stops being accepted (RFC 3339 with offset, e.g. 2025-06-30T23:59:59+08:00); after that it is answered 401 "the token expired". Unset: it does not expire. For rotating tokens without a restart race: add the new one, let the old one expire.
   */
  expiresAt?: string
}
/**
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "redisNode".
 */
export interface RedisNode {
  /**
   * Host name or address.
   */
  host: string
  /**
   * TCP port.
   */
  port: number
}
/**
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  /**
   * Name of the environment variable holding the value.
   */
  env: string
}
/**
 * An adapter's config section: `kind` selects the adapter, whose own schema checks the other keys.
 *
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "adapterSection".
 */
export interface AdapterSection {
  /**
   * Adapter kind, e.g. http-pull or http-batch.
   */
  kind: string
  [k: string]: unknown | undefined
}
