import type { RedisClient } from '../redis/redis-client.js'
import type { CompiledMapping } from '../mapping/types.js'
import type { MappingRefusedEvent } from '../mapping/mapping-watcher.js'
import type { TargetProbes } from './target-probes.js'
import { RedisUnavailableError } from '../errors.js'

export interface ReadinessCheck { readonly name: string; readonly ok: boolean; readonly detail: string }
export interface Readiness { readonly ready: boolean; readonly checks: readonly ReadinessCheck[] }

export interface ReadinessDeps {
  readonly redis: RedisClient
  readonly keyPrefix: string
  /** Each target asked whether it answers (cached, time-limited). */
  readonly probes: Pick<TargetProbes, 'checkAll'>
  /** The config and each enabled agency's mapping ({@link configReadiness}). */
  readonly configChecks: () => readonly ReadinessCheck[]
}

/**
 * The readiness checks behind /readyz and `casebridge_hub_ready`: RedisClient answers a write
 * within a second, the config is loaded and every enabled agency has a good mapping
 * active, and every target answers a probe and took the hub's last push. Never throws: a failing check is a `false`
 * with the reason.
 */
export async function checkReadiness (deps: ReadinessDeps): Promise<Readiness> {
  const [redis, targets] = await Promise.all([redisWritable(deps.redis, deps.keyPrefix), deps.probes.checkAll()])
  const checks = [redis, ...deps.configChecks(), ...targets]
  return { ready: checks.every(c => c.ok), checks }
}

async function redisWritable (redis: RedisClient, keyPrefix: string): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined
  try {
    const probe = redis.set(`${keyPrefix}:ready-probe`, String(Date.now()), 'PX', 5000)
    const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new RedisUnavailableError('no answer within 1 s')), 1000) })
    await Promise.race([probe, timeout])
    return { name: 'redis', ok: true, detail: 'writable' }
  } catch (err) {
    return { name: 'redis', ok: false, detail: `not writable: ${err instanceof Error ? err.message : String(err)}` }
  } finally {
    clearTimeout(timer)
  }
}

/** What readiness needs of an agency's mapping watcher (src/mapping/mapping-watcher.ts). */
export interface WatchedMapping {
  current (): CompiledMapping
  onRefused (listener: (event: MappingRefusedEvent) => void): void
  onLoaded (listener: () => void): void
}

/**
 * The `config` check and one `mapping:<agency>` check per enabled agency: ready when the
 * config was loaded and each enabled agency has a compiled mapping of its own in use. A
 * refused edit leaves the previous version active — still ready, and the detail says so.
 */
export function configReadiness (config: { readonly file: string; readonly agencies: readonly { readonly id: string; readonly enabled: boolean }[] }, mappings: ReadonlyMap<string, WatchedMapping>): () => ReadinessCheck[] {
  const refused = new Map<string, MappingRefusedEvent>()
  for (const [id, watcher] of mappings) {
    watcher.onRefused(event => { refused.set(id, event) })
    watcher.onLoaded(() => { refused.delete(id) })
  }
  const enabled = config.agencies.filter(a => a.enabled)
  return () => [
    config.file === ''
      ? { name: 'config', ok: false, detail: 'not loaded' }
      : { name: 'config', ok: true, detail: `loaded from ${config.file} (${enabled.length} enabled agencies)` },
    ...enabled.map(agency => mappingCheck(agency.id, mappings.get(agency.id), refused.get(agency.id))),
  ]
}

function mappingCheck (agencyId: string, watcher: WatchedMapping | undefined, refused: MappingRefusedEvent | undefined): ReadinessCheck {
  const name = `mapping:${agencyId}`
  const mapping = watcher?.current()
  if (mapping === undefined) return { name, ok: false, detail: 'no mapping loaded' }
  if (mapping.agency !== '' && mapping.agency !== agencyId) return { name, ok: false, detail: `the mapping in use (${mapping.file}) is for agency ${mapping.agency}` }
  const note = refused === undefined ? '' : `; an edit was refused at ${refused.at.toISOString()}, this version stays active`
  return { name, ok: true, detail: `version ${mapping.version} active (${mapping.file})${note}` }
}
