import { createAdapterRegistry, type AdapterDefinition, type AdapterRegistry } from '../src/contracts/adapter-registry.js'
import { httpBatchTarget } from './http-batch-target.js'
import { httpPullSource } from './http-pull-source.js'
import { sftpSource } from './sftp-source.js'
import { dirDropSource } from './dir-drop-source.js'
import { sqlPostgresSource } from './sql-postgres.js'
import { sqlMysqlSource } from './sql-mysql.js'
import { sftpTarget } from './sftp-target.js'
import { sqlTableTarget } from './sql-table-target.js'
import { httpProfileTarget } from './http-profile-target.js'
import { feedbackHttpWriter } from './feedback-http-writer.js'
import { feedbackTableWriter } from './feedback-table-writer.js'
import { feedbackFileWriter } from './feedback-file-writer.js'

/** Every adapter this build ships. Adding a kind: one module, one line here, its tests. */
export const builtInAdapters: readonly AdapterDefinition[] = [
  httpPullSource,
  httpBatchTarget,
  sftpSource,
  dirDropSource,
  sqlPostgresSource,
  sqlMysqlSource,
  sftpTarget,
  sqlTableTarget,
  httpProfileTarget,
  feedbackHttpWriter,
  feedbackTableWriter,
  feedbackFileWriter,
]

export function builtInRegistry (): AdapterRegistry {
  return createAdapterRegistry(builtInAdapters)
}
