import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Logger } from 'pino'
import { ProfileFileError, ProfileSecretError } from '../src/errors.js'
import { compileProfileText, loadProfile } from '../src/profile/load-profile.js'
import type { CompiledProfile } from '../src/profile/types.js'
import { digestOfSync, WatchedFile } from '../src/mapping/watched-file.js'

/** A target's profile as its adapter uses it: the version in use (hot-reloaded, last good kept), and a way to stop watching. */
export interface TargetProfileHandle {
  current (): CompiledProfile
  close (): Promise<void>
}

/**
 * Open a target profile for an adapter: compiled now (an adapter's `create` cannot wait, and a
 * hub must not start with a broken profile or a secret it names unset), then watched like an
 * agency mapping — an edit is live within two polls, a broken edit is refused and logged
 * with its `file:line:col` and the last good version stays in use.
 */
export function openTargetProfile (file: string, logger: Logger, pollMs?: number): TargetProfileHandle {
  const absolute = resolve(file)
  const digest = digestOfSync([absolute])
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (err) {
    throw new ProfileFileError(`${absolute}: cannot read the target profile (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err })
  }
  const first = compileProfileText(text, absolute)
  refuseMissingSecrets(first)
  const log = logger.child({ profile: absolute })
  const watched = new WatchedFile<CompiledProfile>({
    file: absolute,
    what: 'target profile',
    logger: log,
    ...(pollMs === undefined ? {} : { pollMs }),
    load: async f => { const p = await loadProfile(f); refuseMissingSecrets(p); return p },
    filesOf: p => [p.file],
    wrap: (f, err) => new ProfileFileError(`${f}: the target profile could not be loaded: ${String(err)}`, { cause: err }),
  }, first, digest)
  watched.start()
  return { current: () => watched.current(), close: async () => { await watched.stop() } }
}

function refuseMissingSecrets (p: CompiledProfile): void {
  if (p.missingSecrets.length > 0) throw new ProfileSecretError(`${p.file}: the environment variable(s) ${p.missingSecrets.join(', ')} named by the profile are not set`)
}
