import { createAdapterRegistry, type AdapterDefinition, type AdapterRegistry } from '../src/contracts/adapter-registry.js'
import { httpBatchTarget } from './http-batch-target.js'
import { httpPullSource } from './http-pull-source.js'

/** Every adapter this build ships. Adding a kind: one module, one line here, its tests. */
export const builtInAdapters: readonly AdapterDefinition[] = [
  httpPullSource as unknown as AdapterDefinition,
  httpBatchTarget as unknown as AdapterDefinition,
]

export function builtInRegistry (): AdapterRegistry {
  return createAdapterRegistry(builtInAdapters)
}
