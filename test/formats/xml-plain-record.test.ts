import t from 'tap'
import { plainRecordValue } from '../../src/formats/xml-plain-record.js'
import { parsedRecord } from '../../src/formats/xml.js'
import type { ReadItem } from '../../src/formats/read-item.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'

/**
 * readXml reads plain record elements itself (xml-plain-record.ts) and every other record
 * with fast-xml-parser: for any record the direct reading accepts, it must give exactly what
 * fast-xml-parser gives (same keys in the same order, same values, lists for repeats), and
 * it must decline what it does not read. Random records with a fixed seed, from the pieces
 * that matter: names, text with spaces and markup characters, repeats, nesting, attributes,
 * self-closing tags, comments, CDATA, entities, mismatched tags.
 */

/** Floats in [0, 1) from the simulators' seeded generator, so a failure can be replayed. */
function random (seed: number): () => number {
  const rng = new Rng(seed)
  return () => rng.next()
}

function recordXml (next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T
  const names = ['AJBH', 'DSR', '案件', 'a', 'b', 'x-y', 'n.1', '_p', 'toString', 'constructor', 'prototype', '__proto__', 'ns:a', '1a', 'é']
  const texts = ['', ' ', 'x', ' 沛县 ', '\n  ', 'a > b', '100.00', '\u3000全角\u3000', 'a&amp;b', '&lt;', 'x\r\ny', '"q"', "'", 'a]]>b']
  const odd = ['<!-- c -->', '<![CDATA[<x>]]>', '<?pi x?>', '<e/>', '<e a="1">t</e>', '<e >t</e>', '</e>', '<e>']
  const element = (depth: number): string => {
    const name = next() < 0.9 ? pick(names.slice(0, 8)) : pick(names)
    if (next() < 0.03) return pick(odd)
    const close = next() < 0.02 ? `</${name}x>` : `</${name}>`
    if (depth > 2 || next() < 0.5) return `<${name}>${pick(texts)}${close}`
    let inner = ''
    const children = Math.floor(next() * 4)
    for (let i = 0; i < children; i++) inner += (next() < 0.3 ? pick(texts) : '') + element(depth + 1)
    if (next() < 0.2) inner += pick(texts)
    return `<${name}>${inner}${close}`
  }
  const root = next() < 0.95 ? '案件' : pick(names)
  let body = ''
  const children = Math.floor(next() * 6)
  for (let i = 0; i < children; i++) body += (next() < 0.5 ? '\n  ' : '') + element(1)
  if (next() < 0.1) body += pick(texts)
  return next() < 0.05 ? `<${root} id="1">${body}</${root}>` : `<${root}>${body}\n</${root}>`
}

function viaPlain (xml: string, name: string): ReadItem | undefined {
  const value = plainRecordValue(xml)
  if (value === undefined) return undefined
  if (typeof value === 'object') return { record: value, line: 1 }
  if (value === '') return { record: {}, line: 1 }
  return { error: { line: 1, message: `expected <${name}> to hold child elements, found only text` } }
}

/** Values and key order, as JSON (what a mapping and the quarantine see). */
const shown = (item: ReadItem): string => JSON.stringify(item, (_k, v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : v)

t.test('a plain record reads as fast-xml-parser reads it; any other record is left to it', async t => {
  const next = random(20261204)
  let read = 0
  let declined = 0
  let differing = 0
  for (let n = 0; n < 20000 && differing < 5; n++) {
    const xml = recordXml(next)
    const name = /^<([^\s>/]+)/.exec(xml)?.[1] ?? ''
    const plain = viaPlain(xml, name)
    if (plain === undefined) { declined++; continue }
    read++
    const general = parsedRecord(xml, name, 1)
    if (shown(plain) !== shown(general)) {
      differing++
      t.same(JSON.parse(shown(plain)), JSON.parse(shown(general)), `record ${JSON.stringify(xml)}`)
    }
  }
  t.equal(differing, 0, 'no record read differently')
  t.ok(read > 5000 && declined > 2000, `both routes exercised (${read} read directly, ${declined} declined)`)
})

t.test('plain records: text trimmed, empty elements "", repeats as lists, keys as data', async t => {
  t.same(plainRecordValue('<r><a> x </a><b></b><c>1</c><c>2</c><d><e>y</e></d></r>'), { a: 'x', b: '', c: ['1', '2'], d: { e: 'y' } })
  t.equal(plainRecordValue('<r>text</r>'), 'text')
  t.equal(plainRecordValue('<r><a>1</a>loose</r>'), undefined, 'mixed content is left to the parser')
  t.equal(plainRecordValue('<r><constructor>1</constructor></r>'), undefined, 'names of Object.prototype are left to the parser')
  t.equal(plainRecordValue('<r><a>1</b></r>'), undefined, 'mismatched tags are left to the parser (and its message)')
})
