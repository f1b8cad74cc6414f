import type { TargetAdapter, PushBatch, PushRecordResult, TargetCaseSummary } from '../src/index.js'
import type { TargetProjection } from '../src/contracts/projection.js'
import type { SqlTableTargetConfig } from '../src/generated/defaulted/adapters/sql-table.js'
import type { Resolved } from '../src/config/env-refs.js'
import { fingerprint } from '../src/contracts/fingerprint.js'
import { identityProjection } from '../src/contracts/identity-projection.js'
import { defineTargetAdapter } from './define-adapter.js'
import { sqlSourceError } from './sql-errors.js'
import { mysqlExchangeTable, postgresExchangeTable, type ExchangeColumns, type ExchangeRow, type ExchangeTable, type RowState } from './table/exchange-table.js'
import { openTargetProfile } from './target-profile.js'

/** The config as `create` checked it: the schema's defaults filled in. */
type Config = Resolved<SqlTableTargetConfig>

const sleep = async (ms: number, signal: AbortSignal): Promise<void> => await new Promise<void>((resolve, reject) => {
  if (signal.aborted) { reject(signal.reason as Error); return }
  const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
  const onAbort = (): void => { clearTimeout(timer); reject(signal.reason as Error) }
  signal.addEventListener('abort', onAbort, { once: true })
})

/**
 * Target adapter `sql-table`: the 前置库 of a platform. A batch is projected through the
 * target's profile (the platform's record; the canonical case itself without one), written
 * in ONE transaction as upserts fenced by the version sequence (adapters/table/exchange-table.ts),
 * and acknowledged by the collector's status column — collected → accepted, rejected → a
 * dead letter with the collector's message, still pending after `ackWaitMs` → retryable
 * (writing the same version again is no second write) — or by the commit itself (`ack: commit`).
 */
export const sqlTableTarget = defineTargetAdapter<Config>({
  kind: 'sql-table',
  description: '前置库 exchange table on PostgreSQL or MySQL/MariaDB (fenced upserts, collector status)',
  schemaFile: 'sql-table.schema.json',
  create (config, context): TargetAdapter {
    const who = `exchange table target ${context.name} (${config.dialect} ${config.host}/${config.database}.${config.schema === undefined ? '' : `${config.schema}.`}${config.table})`
    const columns: ExchangeColumns = config.ack === 'commit'
      ? { agencyCode: config.columns.agencyCode, caseNumber: config.columns.caseNumber, seq: config.columns.seq, fingerprint: config.columns.fingerprint, payload: config.columns.payload, writtenAt: config.columns.writtenAt }
      : config.columns
    const connection = { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password, ssl: config.ssl, connectTimeoutMs: config.connectTimeoutMs, statementTimeoutMs: config.statementTimeoutMs }
    const table: ExchangeTable = config.dialect === 'postgres'
      ? postgresExchangeTable(connection, config.schema, config.table, columns)
      : mysqlExchangeTable(connection, undefined, config.table, columns)
    const profile = config.profile === undefined ? undefined : openTargetProfile(config.profile, context.logger, config.profilePollMs)
    const projection = (): TargetProjection => profile?.current() ?? identityProjection
    const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
      try { return await work() } catch (err) { throw sqlSourceError(who, err) }
    }

    /** One case's outcome from the row the table holds now; undefined while the collector has not judged it. */
    const outcomeOf = (caseNumber: string, seq: number, state: RowState | undefined): PushRecordResult | undefined => {
      if (state === undefined) return { caseNumber, status: 'retryable', reason: `${who}: the row was not found after the write` }
      if (state.seq > seq) return { caseNumber, status: 'superseded', reason: `${who} holds a newer version (sequence ${state.seq} > ${seq})` }
      if (config.ack === 'commit' || state.status === config.statusValues.collected) return { caseNumber, status: 'accepted', acknowledgedAt: new Date().toISOString() }
      if (state.status === config.statusValues.rejected) return { caseNumber, status: 'rejected', reason: `${who}: the collector rejected it: ${state.message ?? '(no message)'}` }
      return undefined
    }

    return {
      kind: 'sql-table',
      ...(profile === undefined ? {} : { projection }),
      async push (batch: PushBatch, signal: AbortSignal): Promise<readonly PushRecordResult[]> {
        const results: PushRecordResult[] = []
        const rows: ExchangeRow[] = []
        const current = projection()
        batch.cases.forEach((c, i) => {
          const p = current.project(c)
          // The pipeline holds such cases before they are queued; a profile edit since can still make one unsendable.
          if (p.kind === 'held') { results.push({ caseNumber: c.caseNumber, status: 'rejected', reason: `${who}: ${p.reason}` }); return }
          rows.push({ agencyCode: batch.agencyCode, caseNumber: c.caseNumber, seq: batch.sequences[i] ?? 0, fingerprint: p.fingerprint, payload: JSON.stringify(p.record) })
        })
        if (rows.length === 0) return results
        let states = await guarded(async () => await table.write(rows))
        let open = rows
        for (const deadline = Date.now() + config.ackWaitMs; ;) {
          const still: ExchangeRow[] = []
          for (const row of open) {
            const outcome = outcomeOf(row.caseNumber, row.seq, states.get(row.caseNumber))
            if (outcome === undefined) still.push(row); else results.push(outcome)
          }
          open = still
          if (open.length === 0 || Date.now() >= deadline) break
          await sleep(config.ackPollMs, signal)
          states = await guarded(async () => await table.states(batch.agencyCode, open.map(r => r.caseNumber)))
        }
        for (const row of open) results.push({ caseNumber: row.caseNumber, status: 'retryable', reason: `${who}: written, not yet collected after ${config.ackWaitMs} ms` })
        return results
      },
      async * listCases (agencyCode: string, signal: AbortSignal): AsyncIterable<readonly TargetCaseSummary[]> {
        for (let after: string | null = null; !signal.aborted;) {
          const page = await guarded(async () => await table.list(agencyCode, after, config.listPageSize))
          if (page.length === 0) return
          after = page[page.length - 1]?.caseNumber ?? null
          // What the platform holds: rows the collector rejected are not held; the fingerprint is of the record read back.
          const held = page.filter(r => config.ack === 'commit' || r.status !== config.statusValues.rejected)
          yield held.map(r => ({ caseNumber: r.caseNumber, fingerprint: fingerprintOfPayload(r.payload), storedAt: r.writtenAt }))
          if (page.length < config.listPageSize) return
        }
      },
      async check (): Promise<void> { await guarded(async () => { await table.ping() }) },
      async close (): Promise<void> {
        await profile?.close()
        await table.close()
      },
    }
  },
})

/** The fingerprint of a stored record, or of its raw text when it is not JSON (it then matches nothing the hub sent). */
function fingerprintOfPayload (payload: string): string {
  try {
    return fingerprint(JSON.parse(payload) as object)
  } catch {
    return fingerprint({ unreadablePayload: payload })
  }
}
