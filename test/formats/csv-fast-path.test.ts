import t from 'tap'
import { readCsv } from '../../src/formats/csv.js'
import { readCsvWithCsvParse } from '../../src/formats/csv-parse-reader.js'
import type { ReadItem } from '../../src/formats/read-item.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'

/**
 * readCsv reads well-formed rows itself and hands the rest of a file to csv-parse from the
 * first row it does not read: whatever the text and however it is cut into chunks, it must
 * give exactly what csv-parse alone gives — the same records, error items, lines and
 * failures. Random files from the characters that matter to CSV, with a fixed seed.
 */

/** Floats in [0, 1) from the simulators' seeded generator, so a failure can be replayed. */
function random (seed: number): () => number {
  const rng = new Rng(seed)
  return () => rng.next()
}

async function outcome (items: AsyncIterable<ReadItem>): Promise<unknown[]> {
  const out: unknown[] = []
  try {
    for await (const item of items) out.push('record' in item ? { record: { ...item.record }, keys: Object.keys(item.record), line: item.line } : item)
  } catch (err) {
    out.push({ failed: (err as Error).message, line: (err as { line?: number }).line })
  }
  return out
}

/** `text` in random pieces, never cutting a surrogate pair (the decoders never do: they hand out whole characters). */
async function * chunked (text: string, next: () => number): AsyncGenerator<string> {
  for (let i = 0; i < text.length;) {
    let end = i + 1 + Math.floor(next() * 12)
    if (end < text.length && /[\udc00-\udfff]/.test(text.charAt(end))) end++
    yield text.slice(i, end)
    i = end
  }
}

/** Mostly well-formed rows (so the fast path is exercised far into a file), with rare oddities. */
function file (next: () => number, crlf: boolean): string {
  const nl = crlf ? '\r\n' : '\n'
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T
  const plain = ['a', '中文', '', ' x ', 'b"c', '𠀀', '1.5']
  const quoted = ['"q"', '"多\nline"', '"say ""hi"""', '""', '"a,b"', `"crlf${nl}in"`, '"\r"']
  const odd = ['"open', '"bad"tail', '\r', '\n', '"x" ', '""""', '\ufeff']
  const columns = 1 + Math.floor(next() * 4)
  const row = (n: number): string => Array.from({ length: n }, () => next() < 0.02 ? pick(odd) : next() < 0.3 ? pick(quoted) : pick(plain)).join(',')
  const header = Array.from({ length: columns }, (_, i) => next() < 0.05 ? `"h${i}"` : `h${i}`).join(',')
  let text = (next() < 0.1 ? '\ufeff' : '') + header + nl
  const rows = Math.floor(next() * 12)
  for (let r = 0; r < rows; r++) {
    const roll = next()
    text += roll < 0.05 ? nl : row(roll < 0.12 ? columns + 1 : roll < 0.17 ? Math.max(1, columns - 1) : columns) + nl
  }
  if (next() < 0.3) text = text.slice(0, -nl.length) // no line end at the end of the file
  if (next() < 0.05) text = text.replaceAll(nl, '\r') // a lone-CR file
  return text
}

t.test('readCsv gives what csv-parse gives, for random files in random chunks', async t => {
  const next = random(20261204)
  let differing = 0
  for (let n = 0; n < 3000 && differing < 5; n++) {
    const text = file(next, next() < 0.5)
    const cut = Math.floor(next() * 1e9)
    const options = { file: 'fuzz.csv' }
    const fast = await outcome(readCsv(chunked(text, random(cut)), options))
    const reference = await outcome(readCsvWithCsvParse(chunked(text, random(cut)), options))
    if (JSON.stringify(fast) !== JSON.stringify(reference)) {
      differing++
      t.same(fast, reference, `file ${JSON.stringify(text)}`)
    }
  }
  t.equal(differing, 0, 'no file read differently')
})

t.test('a file read whole (one chunk) gives what csv-parse gives too', async t => {
  const next = random(17)
  for (let n = 0; n < 500; n++) {
    const text = file(next, next() < 0.5)
    const one = async function * (): AsyncGenerator<string> { yield text }
    const fast = await outcome(readCsv(one(), { file: 'one.csv' }))
    const reference = await outcome(readCsvWithCsvParse(one(), { file: 'one.csv' }))
    if (JSON.stringify(fast) !== JSON.stringify(reference)) { t.same(fast, reference, `file ${JSON.stringify(text)}`); return }
  }
  t.pass('500 files read alike')
})

t.test('a multi-megabyte field is read whole and in linear time (csv-parse reads on from that record)', async t => {
  const long = '沛'.repeat(3 << 20)
  const text = `a,b\n1,x\n2,"${long}"\n3,y\n`
  const started = Date.now()
  const pieces = async function * (): AsyncGenerator<string> { for (let i = 0; i < text.length; i += 65536) yield text.slice(i, i + 65536) }
  const items = await outcome(readCsv(pieces(), { file: 'long.csv' }))
  t.same(items.map(i => (i as { record: { a: string; b: string }; line: number }).record.a), ['1', '2', '3'])
  t.equal((items[1] as { record: { b: string } }).record.b.length, long.length)
  t.same(items.map(i => (i as { line: number }).line), [2, 3, 4])
  t.ok(Date.now() - started < 10000, 'no quadratic re-reading')
})
