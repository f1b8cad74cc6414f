// The public surface of the hub core, for adapters and embedders. Re-exports only.
export * from './errors.js'
export type { SourceAdapter, SourcePage, SourceCursor, RawRecord } from './contracts/source-adapter.js'
export type { TargetAdapter, PushBatch, PushRecordResult, TargetCaseSummary } from './contracts/target-adapter.js'
export { createAdapterRegistry } from './contracts/adapter-registry.js'
export type { AdapterDefinition, AdapterRegistry, AdapterContext, SourceAdapterDefinition, TargetAdapterDefinition } from './contracts/adapter-registry.js'
export type { CanonicalCase } from './generated/case.js'
export { loadConfig, type LoadedConfig, type AgencyConfig } from './config/load-config.js'
export { startHub, type Hub } from './hub.js'
