/**
 * Source paths (`from: CFJDS.URL`, `each: DSR`, `field: DSR[0].DSRLX`): where in a raw
 * record a value sits. Compiled once into a reader; only own properties are read, so a path
 * can never reach into Object.prototype.
 */

/** Reads one path from a raw record (or list element); `undefined` when any step is missing. */
export type Reader = (record: Record<string, unknown>) => unknown

const STEP = /([^.[\]]+)|\[(\d+)\]/g

/** "DSR[0].ZJHM" → ["DSR", 0, "ZJHM"]. The schema has checked the syntax. */
export function pathSteps (path: string): Array<string | number> {
  const steps: Array<string | number> = []
  for (const m of path.matchAll(STEP)) steps.push(m[1] !== undefined ? m[1] : Number(m[2]))
  return steps
}

const hasOwn = Object.prototype.hasOwnProperty

function step (value: unknown, key: string | number): unknown {
  if (typeof key === 'number') return Array.isArray(value) ? value[key] : undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  return hasOwn.call(value, key) ? (value as Record<string, unknown>)[key] : undefined
}

export function compileReader (path: string): Reader {
  const steps = pathSteps(path)
  if (steps.length === 1 && typeof steps[0] === 'string') {
    // The common case, one plain field name: no loop.
    const key = steps[0]
    return record => hasOwn.call(record, key) ? record[key] : undefined
  }
  return record => {
    let value: unknown = record
    for (const key of steps) {
      value = step(value, key)
      if (value === undefined || value === null) return value
    }
    return value
  }
}
