import type { FeedbackDecision, FeedbackWriter } from '../src/contracts/feedback.js'
import type { FeedbackTableWriterConfig } from '../src/generated/defaulted/adapters/feedback-table.js'
import type { Resolved } from '../src/config/env-refs.js'
import { defineWriterAdapter } from './define-adapter.js'
import { sqlSourceError } from './sql-errors.js'
import { mysqlStatusTable, postgresStatusTable } from './feedback/status-table.js'

type Config = Resolved<FeedbackTableWriterConfig>

/**
 * Feedback writer `table`: upserts each decision into a status table of the agency's
 * PostgreSQL or MySQL/MariaDB database, keyed by decision id (adapters/feedback/status-table.ts).
 * Driver errors are typed as for SQL sources: grants, unknown table → refused; timeouts,
 * lost connections → retried.
 */
export const feedbackTableWriter = defineWriterAdapter<Config>({
  kind: 'table',
  description: 'upsert each decision into a status table (PostgreSQL or MySQL/MariaDB), keyed by decision id',
  schemaFile: 'feedback-table.schema.json',
  create (config, context): FeedbackWriter {
    const conn = {
      host: config.host, port: config.port, database: config.database, user: config.user, password: config.password,
      ssl: config.ssl, connectTimeoutMs: config.connectTimeoutMs, statementTimeoutMs: config.statementTimeoutMs,
    }
    const table = config.dialect === 'postgres' ? postgresStatusTable(conn, config.schema, config.table, config.createTable) : mysqlStatusTable(conn, config.table, config.createTable)
    const who = `feedback table of ${context.name} (${config.dialect}://${config.host}/${config.database}/${config.table})`
    let closed = false
    return {
      kind: 'table',
      async write (decision: FeedbackDecision): Promise<void> {
        try {
          await table.upsert(decision)
        } catch (err) {
          throw sqlSourceError(who, err)
        }
      },
      async close () {
        if (closed) return
        closed = true
        await table.close()
      },
    }
  },
})
