/**
 * Records come from files written by other systems, so their keys are data: a column named
 * `__proto__` must become a property of that name, never the object's prototype. Plain
 * assignment (`obj[key] = value`) would call the `__proto__` setter; defining the
 * property does not. `constructor` and `prototype` become ordinary own properties too.
 */
export function setField (target: Record<string, unknown>, key: string, value: unknown): void {
  // Assignment is several times cheaper than defineProperty (it runs for every field of every
  // record) and does the same for a key Object.prototype does not have: checked here, at the
  // time of the call, so `__proto__`, `constructor`, `toString` (non-writable under frozen
  // intrinsics) or anything added to the prototype later are still defined, never assigned.
  if (!(key in Object.prototype)) target[key] = value
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** A record from a header row and one row of values (same length, checked by the caller). */
export function recordFromRow (header: readonly string[], values: readonly string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  for (let i = 0; i < header.length; i++) setField(record, header[i] as string, values[i])
  return record
}

/**
 * `recordFromRow` for many rows under one header, at a fraction of the cost: every column
 * is defined once on a template, each record is a spread copy of it (spreading defines
 * properties, it never assigns, and V8 copies a same-shaped object in one step), and the
 * values are then assigned to properties the record already owns, so no `__proto__`
 * setter or other inherited accessor is ever reached.
 */
export function recordMaker (header: readonly string[]): (values: readonly string[]) => Record<string, unknown> {
  const template: Record<string, unknown> = {}
  for (const key of header) setField(template, key, undefined)
  return values => {
    const record: Record<string, unknown> = { ...template }
    for (let i = 0; i < header.length; i++) record[header[i] as string] = values[i]
    return record
  }
}

/**
 * A deep copy of parser output made only of plain objects, arrays and primitives, with every
 * key defined as data. Drops symbol keys (parser metadata).
 */
export function plainCopy (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) setField(out, key, plainCopy((value as Record<string, unknown>)[key]))
  return out
}

export function isPlainRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
