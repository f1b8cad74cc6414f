/**
 * Wrapping projected records into request bodies: JSON or XML, all records of a batch under
 * one key (`{"AJLIST":[…]}`), at most `max` a request, or one record per request.
 */
import { XMLBuilder } from 'fast-xml-parser'
import type { ProfileEnvelope } from '../generated/profile.js'
import { compileSetter } from '../mapping/pointer.js'

/** One request body and which of the records given it carries (their indexes). */
export interface EnvelopedRequest {
  readonly body: string
  readonly contentType: string
  readonly indexes: readonly number[]
}

export type Envelope = (records: ReadonlyArray<Readonly<Record<string, unknown>>>) => EnvelopedRequest[]

/** XML has no lists: a list field holds one `item` element per entry. */
function xmlShape (value: unknown, item: string): unknown {
  if (Array.isArray(value)) return { [item]: value.map(v => xmlShape(v, item)) }
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, xmlShape(v, item)]))
  return value
}

export function compileEnvelope (spec: ProfileEnvelope): Envelope {
  const xml = spec.format === 'xml'
  const root = spec.xml?.root ?? 'ROOT'
  const item = spec.xml?.item ?? 'ITEM'
  const declaration = spec.xml?.declaration !== false
  const builder = new XMLBuilder({ format: false, suppressEmptyNode: false, processEntities: true })
  const contentType = xml ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8'
  const serialise = (doc: Record<string, unknown>): string => xml
    ? (declaration ? '<?xml version="1.0" encoding="UTF-8"?>' : '') + String(builder.build({ [root]: xmlShape(doc, item) }))
    : JSON.stringify(doc)
  const batch = spec.batch
  if (batch === undefined) {
    return records => records.map((record, i) => ({ body: serialise({ ...record }), contentType, indexes: [i] }))
  }
  const setList = compileSetter(batch.path)
  const fixed = Object.entries(batch.fields ?? {}).map(([pointer, value]) => ({ set: compileSetter(pointer), value }))
  const max = batch.max!
  return records => {
    const out: EnvelopedRequest[] = []
    for (let start = 0; start < records.length; start += max) {
      const doc: Record<string, unknown> = {}
      for (const f of fixed) f.set(doc, f.value)
      const chunk = records.slice(start, start + max)
      setList(doc, chunk)
      out.push({ body: serialise(doc), contentType, indexes: chunk.map((_r, i) => start + i) })
    }
    return out
  }
}
