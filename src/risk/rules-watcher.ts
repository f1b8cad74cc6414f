/**
 * Hot reload of the transfer-risk rules file through the polling watcher mapping files use
 * (src/mapping/watched-file.ts): an edit takes effect at the next check; an edit that does
 * not compile is refused — the last good rules stay in use — and reported to the listeners
 * with its `file:line:col` message (the hub raises `rules_invalid` for it).
 */
import { resolve } from 'node:path'
import type { Logger } from 'pino'
import { MappingFileError } from '../errors.js'
import { textOf } from '../i18n/texts.js'
import { DEFAULT_POLL_MS, digestOf, WatchedFile, type LoadedEvent, type RefusedEvent } from '../mapping/watched-file.js'
import { loadRiskRules, type CompiledRiskRules } from './risk-rules.js'

export type RulesLoadedEvent = LoadedEvent<CompiledRiskRules>
export type RulesRefusedEvent = RefusedEvent<CompiledRiskRules>

/** Load the rules file and watch it. Throws MappingFileError when it does not compile now: a hub does not start with broken rules. */
export async function openRulesWatcher (opts: { readonly file: string; readonly logger: Logger; readonly pollMs?: number }): Promise<WatchedFile<CompiledRiskRules>> {
  const file = resolve(opts.file)
  const before = await digestOf([file])
  const rules = await loadRiskRules(file)
  return new WatchedFile<CompiledRiskRules>({
    file,
    what: 'transfer-risk rules',
    logger: opts.logger,
    pollMs: opts.pollMs ?? DEFAULT_POLL_MS,
    load: async f => await loadRiskRules(f),
    filesOf: r => [r.file],
    wrap: (f, err) => new MappingFileError(f, textOf('mapping.file.loadFailed', { detail: String(err) }), { cause: err }),
  }, rules, before)
}
