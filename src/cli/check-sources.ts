import type { LoadedConfig } from '../config/load-config.js'
import type { AdapterRegistry } from '../contracts/adapter-registry.js'
import type { CompiledMapping } from '../mapping/types.js'
import { memoryAdapterState } from '../ledger/adapter-state.js'
import { silentLogger } from '../logging/logger.js'
import { CaseBridgeError, RemoteRefusedError } from '../errors.js'

/** What the sources' own checks found: problems that make the config invalid, and agencies that could not be checked now. */
export interface SourceChecks {
  readonly refused: readonly string[]
  readonly unchecked: readonly { readonly agency: string; readonly reason: string }[]
}

/**
 * Each enabled agency's source checks itself against its system where it can (a SQL source
 * runs its query once with LIMIT 0 in its read-only session, see SourceAdapter.check). A
 * refusal is a configuration problem; a system that does not answer now leaves the agency
 * unchecked, which is said but does not make the configuration invalid. The agencies in
 * `skip` (agency id → why: a secret not in the environment) are listed unchecked without
 * asking their systems.
 */
export async function checkSources (config: LoadedConfig, mappings: readonly CompiledMapping[], registry: AdapterRegistry, skip: ReadonlyMap<string, string> = new Map()): Promise<SourceChecks> {
  const refused: string[] = []
  const unchecked: { agency: string; reason: string }[] = []
  for (const [i, agency] of config.agencies.entries()) {
    const def = registry.sources.get(agency.source.kind)
    const mapping = mappings[i]
    if (!agency.enabled || def === undefined || mapping === undefined) continue
    const why = skip.get(agency.id)
    if (why !== undefined) {
      unchecked.push({ agency: agency.id, reason: why })
      continue
    }
    const source = def.create(agency.source, { logger: silentLogger(), name: agency.id, input: () => mapping.input, state: memoryAdapterState() })
    try {
      await source.check?.()
    } catch (err) {
      if (err instanceof RemoteRefusedError) refused.push(`agencies[${i}].source (${agency.id}): ${err.message}`)
      else if (err instanceof CaseBridgeError) unchecked.push({ agency: agency.id, reason: err.message })
      else throw err
    } finally {
      await source.close()
    }
  }
  return { refused, unchecked }
}
