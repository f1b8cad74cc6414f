import type { Logger } from 'pino'
import type { InputOptions } from '../formats/input-options.js'
import type { SourceAdapter } from './source-adapter.js'
import type { TargetAdapter } from './target-adapter.js'

/** What every adapter module exports: what it is, how its config looks, how to make one. */
interface AdapterDefinitionBase<TConfig> {
  /** The `kind:` value that selects this adapter in config. */
  readonly kind: string
  readonly description: string
  /**
   * JSON Schema (2020-12) of the adapter's config section, `additionalProperties: false`,
   * defaults in the schema. The core validates the section against it at load time, so
   * `create` receives a checked, defaulted object with secrets already resolved.
   */
  readonly configSchema: Record<string, unknown>
  /** Phantom: ties the schema to the config type the factory receives. */
  readonly _config?: TConfig
}

export interface AdapterContext {
  readonly logger: Logger
  /** Names the agency or target in errors and logs. */
  readonly name: string
  /**
   * For sources: how the agency's raw data is read (encoding, file format), from the
   * agency's current mapping file. A getter, because mappings can be reloaded.
   */
  readonly input: () => InputOptions
  /**
   * A small key-value store of this adapter instance's own, kept by the hub in Redis under
   * the agency's keys; for what a source must remember between pulls and restarts beyond
   * its cursor (a file source: content hashes of ingested files, the previous poll). The
   * hub provides it to sources; a source that needs it fails at creation without it.
   * Writes are not part of the cursor's transaction: keep what the cursor rule protects in
   * the cursor, and write state only after the page it concerns has been committed.
   */
  readonly state?: AdapterState
}

/** See {@link AdapterContext.state}. Keys and values are text; keys at most 1,000 characters. */
export interface AdapterState {
  get (key: string): Promise<string | undefined>
  set (key: string, value: string): Promise<void>
  has (key: string): Promise<boolean>
  delete (key: string): Promise<void>
}

export interface SourceAdapterDefinition<TConfig = unknown> extends AdapterDefinitionBase<TConfig> {
  readonly role: 'source'
  create (config: TConfig, context: AdapterContext): SourceAdapter
}

export interface TargetAdapterDefinition<TConfig = unknown> extends AdapterDefinitionBase<TConfig> {
  readonly role: 'target'
  create (config: TConfig, context: AdapterContext): TargetAdapter
}

export type AdapterDefinition = SourceAdapterDefinition<never> | TargetAdapterDefinition<never>

/**
 * The one table of adapters a hub can use, passed in by whoever assembles the hub (the
 * CLI): the core never imports a specific adapter. An unknown kind fails loudly, naming
 * the known ones.
 */
export interface AdapterRegistry {
  readonly sources: ReadonlyMap<string, SourceAdapterDefinition<never>>
  readonly targets: ReadonlyMap<string, TargetAdapterDefinition<never>>
}

export function createAdapterRegistry (definitions: readonly AdapterDefinition[]): AdapterRegistry {
  const sources = new Map<string, SourceAdapterDefinition<never>>()
  const targets = new Map<string, TargetAdapterDefinition<never>>()
  for (const def of definitions) {
    const table = def.role === 'source' ? sources : targets
    if (table.has(def.kind)) throw new Error(`adapter kind "${def.kind}" is registered twice as a ${def.role}`)
    ;(table as Map<string, AdapterDefinition>).set(def.kind, def)
  }
  return { sources, targets }
}
