/**
 * No absolute path of the machine in what the admin API answers to callers below admin
 * (anonymous probes such as /readyz included): a mapping file error, a readiness detail or
 * an alarm's detail names the hub's files by their absolute paths, which tell an outsider
 * how the machine is laid out. For those callers every answer has the folders the hub knows
 * — each agency's mappings folder, the config file's folder, the working directory — taken
 * off the front of the paths in it, so `/srv/casebridge/mappings/market.yaml:5:3` reads
 * `market.yaml:5:3`. Admins get the answer unchanged.
 */
import { dirname, resolve, sep } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { roleAtLeast } from './auth/tokens.js'

/** `text` with each of `roots` (absolute folders) taken off the paths it starts; JSON-escaped forms too. */
export function withoutRoots (text: string, roots: readonly string[]): string {
  let out = text
  for (const root of [...new Set(roots)].sort((a, b) => b.length - a.length)) {
    const prefix = root.endsWith(sep) ? root : root + sep
    out = out.split(prefix).join('')
    const escaped = JSON.stringify(prefix).slice(1, -1)
    if (escaped !== prefix) out = out.split(escaped).join('')
  }
  return out
}

export interface PathSources {
  /** The hub config file, when loaded from one. */
  readonly configFile?: string
  /** Each agency's mapping in use. */
  readonly mappings?: ReadonlyMap<string, { current (): { readonly files: readonly string[] } }>
}

/** Folders to take off: looked up per answer, since a reloaded mapping may name other files. */
function rootsOf (sources: PathSources): string[] {
  const roots = [process.cwd()]
  if (sources.configFile !== undefined && sources.configFile !== '') roots.push(dirname(resolve(sources.configFile)))
  for (const watcher of sources.mappings?.values() ?? []) for (const file of watcher.current().files) roots.push(dirname(file))
  return roots.filter(root => root !== sep)
}

export function installPathScrub (app: FastifyInstance, sources: PathSources): void {
  app.addHook('onSend', async (req, _reply, payload) => {
    if (typeof payload !== 'string' || (req.caller !== null && roleAtLeast(req.caller.role, 'admin'))) return payload
    return withoutRoots(payload, rootsOf(sources))
  })
}
