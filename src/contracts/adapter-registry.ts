import type { Logger } from 'pino'
import type { InputOptions } from '../formats/input-options.js'
import type { SourceAdapter } from './source-adapter.js'
import type { TargetAdapter } from './target-adapter.js'
import type { FeedbackWriter } from './feedback.js'
import { DuplicateAdapterError } from '../errors.js'

/**
 * What every adapter module exports: what it is, how its config looks, how to make one.
 * `TConfig` is the config type the adapter works with; it appears only in what the
 * definition returns, so every definition is also an `…AdapterDefinition<unknown>` — the
 * registry's type — without a cast. Adapters build theirs with adapters/define-adapter.ts.
 */
interface AdapterDefinitionBase<TConfig> {
  /** The `kind:` value that selects this adapter in config. */
  readonly kind: string
  readonly description: string
  /**
   * JSON Schema (2020-12) of the adapter's config section, `additionalProperties: false`,
   * defaults in the schema. The loader validates the section against it at load time.
   */
  readonly configSchema: Readonly<Record<string, unknown>>
  /**
   * The section (`{ env }` values resolved) checked against the schema, defaults filled
   * in; a `ConfigError` naming every problem otherwise. `name` names the agency or target.
   */
  readonly checkConfig: (section: unknown, name?: string) => TConfig
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
  /** A source for `section`, checked with {@link AdapterDefinitionBase.checkConfig} first. */
  readonly create: (section: unknown, context: AdapterContext) => SourceAdapter
}

export interface TargetAdapterDefinition<TConfig = unknown> extends AdapterDefinitionBase<TConfig> {
  readonly role: 'target'
  /** A target for `section`, checked with {@link AdapterDefinitionBase.checkConfig} first. */
  readonly create: (section: unknown, context: AdapterContext) => TargetAdapter
}

/** A feedback writer kind (`agencies[].feedback.writer`): how decisions are written into an agency system. */
export interface WriterAdapterDefinition<TConfig = unknown> extends AdapterDefinitionBase<TConfig> {
  readonly role: 'writer'
  /** A writer for `section`, checked with {@link AdapterDefinitionBase.checkConfig} first. */
  readonly create: (section: unknown, context: AdapterContext) => FeedbackWriter
}

export type AdapterDefinition = SourceAdapterDefinition | TargetAdapterDefinition | WriterAdapterDefinition

/**
 * The one table of adapters a hub can use, passed in by whoever assembles the hub (the
 * CLI): the core never imports a specific adapter. An unknown kind fails loudly, naming
 * the known ones.
 */
export interface AdapterRegistry {
  readonly sources: ReadonlyMap<string, SourceAdapterDefinition>
  readonly targets: ReadonlyMap<string, TargetAdapterDefinition>
  readonly writers: ReadonlyMap<string, WriterAdapterDefinition>
}

export function createAdapterRegistry (definitions: readonly AdapterDefinition[]): AdapterRegistry {
  const sources = new Map<string, SourceAdapterDefinition>()
  const targets = new Map<string, TargetAdapterDefinition>()
  const writers = new Map<string, WriterAdapterDefinition>()
  for (const def of definitions) {
    if ((def.role === 'source' ? sources : def.role === 'target' ? targets : writers).has(def.kind)) throw new DuplicateAdapterError(`adapter kind "${def.kind}" is registered twice as a ${def.role}`)
    if (def.role === 'source') sources.set(def.kind, def)
    else if (def.role === 'target') targets.set(def.kind, def)
    else writers.set(def.kind, def)
  }
  return { sources, targets, writers }
}
