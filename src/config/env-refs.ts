/**
 * Secrets live in the environment, never in config files: a config value `{ env: NAME }`
 * is replaced by the variable's value when the config is loaded.
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

export interface MissingEnv { path: (string | number)[]; name: string }

/**
 * Replace every `{ env: NAME }` below `value`; returns the copy (typed so: each reference
 * became text, an unset one empty text) and the names that were not set.
 */
export function resolveEnvRefs<T> (value: T, env: NodeJS.ProcessEnv): { value: Resolved<T>; missing: MissingEnv[] } {
  const { value: out, missing } = resolveBelow(value, env, [], [])
  // Safe: resolveBelow rebuilds `value` key for key, replacing exactly the EnvRef-shaped objects by text.
  return { value: out as Resolved<T>, missing }
}

function resolveBelow (value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[], missing: MissingEnv[]): { value: unknown; missing: MissingEnv[] } {
  if (isEnvRef(value)) {
    const found = env[value.env]
    if (found === undefined || found === '') missing.push({ path, name: value.env })
    return { value: found ?? '', missing }
  }
  if (Array.isArray(value)) {
    return { value: value.map((item, i) => resolveBelow(item, env, [...path, i], missing).value), missing }
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = resolveBelow(item, env, [...path, key], missing).value
    return { value: out, missing }
  }
  return { value, missing }
}
