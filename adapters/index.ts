import { createAdapterRegistry, type AdapterDefinition, type AdapterRegistry } from '../src/contracts/adapter-registry.js'
import { httpBatchTarget } from './http-batch-target.js'
import { httpPullSource } from './http-pull-source.js'
import { sftpSource } from './sftp-source.js'
import { dirDropSource } from './dir-drop-source.js'
import { sqlPostgresSource } from './sql-postgres.js'
import { sqlMysqlSource } from './sql-mysql.js'
import { sftpTarget } from './sftp-target.js'

/** Every adapter this build ships. Adding a kind: one module, one line here, its tests. */
export const builtInAdapters: readonly AdapterDefinition[] = [
  httpPullSource as unknown as AdapterDefinition,
  httpBatchTarget as unknown as AdapterDefinition,
  sftpSource as unknown as AdapterDefinition,
  dirDropSource as unknown as AdapterDefinition,
  sqlPostgresSource as unknown as AdapterDefinition,
  sqlMysqlSource as unknown as AdapterDefinition,
  sftpTarget as unknown as AdapterDefinition,
]

export function builtInRegistry (): AdapterRegistry {
  return createAdapterRegistry(builtInAdapters)
}
