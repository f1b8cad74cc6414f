import { readFileSync } from 'node:fs'
import { renderText, textOf, type Text } from '../i18n/texts.js'
import { translator } from '../i18n/translate.js'

/**
 * Secrets live in the environment, never in config files: a config value `{ env: NAME }`
 * is replaced by the variable's value when the config is loaded. Where NAME is unset,
 * NAME_FILE may name a file holding the value instead (Docker and systemd hand secrets
 * over as files, e.g. /run/secrets/…, so they never show in `docker inspect` or `ps e`).
 */
export interface EnvRef { env: string }

/** A config type with every environment reference replaced by the string it resolves to. */
export type Resolved<T> =
  T extends EnvRef ? string
    : T extends (infer U)[] ? Resolved<U>[]
      : T extends object ? { [K in keyof T]: Resolved<T[K]> }
        : T

export function isEnvRef (value: unknown): value is EnvRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.keys(value).length === 1 && typeof (value as { env?: unknown }).env === 'string'
}

/**
 * Where a secret was looked for and why it was not found; `problem` is one sentence naming the
 * variable (and file); `unset`: neither NAME nor NAME_FILE is set (not a file that cannot be read).
 */
export interface MissingEnv { path: (string | number)[]; name: string; problem: string; text: Text; unset: boolean }

/** The value of one secret: variable NAME, else the file NAME_FILE names. */
export type EnvLookup = { found: true; value: string } | { found: false; unset: boolean; problem: string; text: Text }

/** A lookup that failed: `text` to word in a reader's language, `problem` its English. */
function notFound (unset: boolean, text: Text): EnvLookup {
  return { found: false, unset, problem: renderText(translator('en'), text), text }
}

/** Reads a secret file; a parameter so tests can count reads. */
export type ReadSecretFile = (file: string) => string

const readUtf8: ReadSecretFile = file => readFileSync(file, 'utf8')

/**
 * Look a secret up: NAME when set and not empty; otherwise the file NAME_FILE names, with
 * one trailing newline removed (`echo secret > file` adds one, and it is not part of the
 * secret). Both set is refused rather than guessed: one of them is stale.
 */
export function lookupEnv (name: string, env: NodeJS.ProcessEnv, read: ReadSecretFile = readUtf8): EnvLookup {
  const direct = env[name]
  const fileVar = `${name}_FILE`
  const file = env[fileVar]
  const hasDirect = direct !== undefined && direct !== ''
  const hasFile = file !== undefined && file !== ''
  if (hasDirect && hasFile) return notFound(false, textOf('config.env.bothSet', { name, fileVar }))
  if (hasDirect) return { found: true, value: direct }
  if (!hasFile) return notFound(true, textOf('config.env.unset', { name, fileVar }))
  let text: string
  try {
    text = read(file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    return notFound(false, textOf('config.env.unreadable', { fileVar, file, code }))
  }
  const value = text.replace(/\r?\n$/, '')
  if (value === '') return notFound(false, textOf('config.env.empty', { fileVar, file }))
  return { found: true, value }
}

/**
 * Replace every `{ env: NAME }` below `value`; returns the copy (typed so: each reference
 * became text, an unresolved one empty text) and the references that could not be resolved.
 */
export function resolveEnvRefs<T> (value: T, env: NodeJS.ProcessEnv, read: ReadSecretFile = readUtf8): { value: Resolved<T>; missing: MissingEnv[] } {
  const missing: MissingEnv[] = []
  const out = resolveBelow(value, path => {
    const name = path.name
    const found = lookupEnv(name, env, read)
    if (found.found) return found.value
    missing.push({ path: path.at, name, problem: found.problem, text: found.text, unset: found.unset })
    return ''
  }, [])
  // Safe: resolveBelow rebuilds `value` key for key, replacing exactly the EnvRef-shaped objects by text.
  return { value: out as Resolved<T>, missing }
}

type ResolveOne = (ref: { name: string; at: (string | number)[] }) => string

function resolveBelow (value: unknown, resolveOne: ResolveOne, path: (string | number)[]): unknown {
  if (isEnvRef(value)) return resolveOne({ name: value.env, at: path })
  if (Array.isArray(value)) return value.map((item, i) => resolveBelow(item, resolveOne, [...path, i]))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = resolveBelow(item, resolveOne, [...path, key])
    return out
  }
  return value
}
